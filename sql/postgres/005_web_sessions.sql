-- 005_web_sessions: the login sessions of /stats and /admin (docs/web.md, "Security model"), shared by
-- every worker and node so that a session opened on one is served by any other, and a restart logs
-- nobody out; the same table as the SQLite store's 012_web_sessions. The session id is stored only as
-- its SHA-256 (hex): a reader of the database cannot ride a session. kind: 'stats' (subject: a client
-- id) or 'admin' (subject: an operator login). Times are bigint ms. The expiry index serves the sweep;
-- the subject index, ending a client's sessions when it is disabled or deleted. Additive: a new table.
CREATE TABLE web_sessions (
  id_sha256  text PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('stats', 'admin')),
  subject    text NOT NULL,
  csrf_token text NOT NULL,
  lang       text,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
CREATE INDEX web_sessions_subject ON web_sessions (subject, kind);
