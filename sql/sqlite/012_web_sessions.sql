-- 012_web_sessions: the login sessions of /stats and /admin (docs/web.md, "Security model"), kept in
-- the store so that a restart logs nobody out. The session id is stored only as its SHA-256 (hex): a
-- reader of the database cannot ride a session. kind: 'stats' (subject: a client id) or 'admin'
-- (subject: an operator login). Times are milliseconds. The expiry index serves the sweep; the subject
-- index, ending a client's sessions when it is disabled or deleted.
CREATE TABLE web_sessions (
  id_sha256  TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('stats', 'admin')),
  subject    TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  lang       TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
CREATE INDEX web_sessions_subject ON web_sessions (subject, kind);
