-- The login sessions of the web pages, by the SHA-256 of their id (docs/web.md, "Security model").
-- Used by daemon/storage/sqlite/web-sessions.ts. Times are milliseconds.

-- name: insert
-- Parameters: id sha256, kind, subject, csrf token, lang, created at, expires at.
INSERT INTO web_sessions (id_sha256, kind, subject, csrf_token, lang, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: live
-- Parameters: id sha256, kind, now. Result: the session if it has not expired.
SELECT id_sha256, kind, subject, csrf_token, lang, created_at, expires_at FROM web_sessions
WHERE id_sha256 = ? AND kind = ? AND expires_at > ?;

-- name: extend
-- Parameters: expires at, id sha256.
UPDATE web_sessions SET expires_at = ? WHERE id_sha256 = ?;

-- name: setLang
-- Parameters: lang, id sha256.
UPDATE web_sessions SET lang = ? WHERE id_sha256 = ?;

-- name: delete
-- Parameters: id sha256.
DELETE FROM web_sessions WHERE id_sha256 = ?;

-- name: endClient
-- Parameters: client id. Changes: the client's statistics sessions deleted (it was disabled or deleted).
DELETE FROM web_sessions WHERE kind = 'stats' AND subject = ?;

-- name: endClientOnNewPassword
-- Run before the client's row is written. Parameters: @client, @passwordHash (the new one). Changes:
-- the client's statistics sessions deleted when its stored password differs (a password change
-- logs out whoever knew the old one).
DELETE FROM web_sessions WHERE kind = 'stats' AND subject = @client
  AND EXISTS (SELECT 1 FROM clients WHERE id = @client AND password_hash IS NOT @passwordHash);

-- name: purge
-- Named parameters: @now. Changes: expired sessions deleted.
DELETE FROM web_sessions WHERE expires_at <= @now;
