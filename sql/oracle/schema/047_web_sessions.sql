-- 047_web_sessions: the login sessions of /stats and /admin (docs/web.md, "Security model"), shared by
-- every worker and node so that a session opened on one is served by any other, and a restart logs
-- nobody out; run as the schema owner after 045_scenarios_payouts.sql and before 060_grants.sql. The
-- columns mirror the SQLite store's (sql/sqlite/012_web_sessions.sql). The session id is stored only
-- as its SHA-256 (hex): a reader of the database cannot ride a session. kind: 'stats' (subject: a
-- client id) or 'admin' (subject: an operator login). The expiry index serves the sweep; the subject
-- index, ending a client's sessions when it is disabled or deleted. Additive: nodes of an older
-- version ignore the table, so the schema version stays 1; a node of this version refuses to start
-- without it. Re-running skips objects that exist.

DECLARE
  PROCEDURE ddl(statement VARCHAR2) IS
    already_exists EXCEPTION;
    PRAGMA EXCEPTION_INIT(already_exists, -955);
    already_indexed EXCEPTION;
    PRAGMA EXCEPTION_INIT(already_indexed, -1408);
  BEGIN
    EXECUTE IMMEDIATE statement;
  EXCEPTION
    WHEN already_exists OR already_indexed THEN NULL;
  END;
BEGIN
  ddl(q'[CREATE TABLE web_sessions (
    id_sha256  VARCHAR2(64) PRIMARY KEY,
    kind       VARCHAR2(8) NOT NULL CHECK (kind IN ('stats', 'admin')),
    subject    VARCHAR2(128) NOT NULL,
    csrf_token VARCHAR2(64) NOT NULL,
    lang       VARCHAR2(8),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
  )]');
  ddl('CREATE INDEX web_sessions_expiry ON web_sessions (expires_at)');
  ddl('CREATE INDEX web_sessions_subject ON web_sessions (subject, kind)');
END;
/
