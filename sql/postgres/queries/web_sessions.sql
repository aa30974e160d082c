-- The login sessions of the web pages, by the SHA-256 of their id (docs/web.md, "Security model").
-- Used by daemon/storage/postgres/web-sessions.ts. Times are ms.

-- name: insert
-- Parameters: id sha256, kind, subject, csrf token, lang, created at, expires at.
INSERT INTO web_sessions (id_sha256, kind, subject, csrf_token, lang, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: live
-- Parameters: id sha256, kind, now. Result: the session if it has not expired.
SELECT id_sha256, kind, subject, csrf_token, lang, created_at, expires_at FROM web_sessions
WHERE id_sha256 = $1 AND kind = $2 AND expires_at > $3;

-- name: extend
-- Parameters: expires at, id sha256.
UPDATE web_sessions SET expires_at = $1 WHERE id_sha256 = $2;

-- name: setLang
-- Parameters: lang, id sha256.
UPDATE web_sessions SET lang = $1 WHERE id_sha256 = $2;

-- name: delete
-- Parameters: id sha256.
DELETE FROM web_sessions WHERE id_sha256 = $1;

-- name: endClient
-- Parameters: client id. Changes: the client's statistics sessions deleted (it was disabled or deleted).
DELETE FROM web_sessions WHERE kind = 'stats' AND subject = $1;

-- name: endClientOnNewPassword
-- Run before the client's row is written. Parameters: client id, the new password hash. Changes: the
-- client's statistics sessions deleted when its stored password differs (a password change logs out
-- whoever knew the old one).
DELETE FROM web_sessions WHERE kind = 'stats' AND subject = $1
  AND EXISTS (SELECT 1 FROM clients WHERE id = $1 AND password_hash IS DISTINCT FROM $2);

-- name: purge
-- Parameters: now. Changes: expired sessions deleted.
DELETE FROM web_sessions WHERE expires_at <= $1;
