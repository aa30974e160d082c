-- The login sessions of the web pages, by the SHA-256 of their id (docs/web.md, "Security model").
-- Used by daemon/storage/oracle/web-sessions.ts.

-- name: insert
-- Binds: id_sha256, kind, subject, csrf_token, lang, created_at, expires_at.
INSERT INTO web_sessions (id_sha256, kind, subject, csrf_token, lang, created_at, expires_at)
VALUES (:id_sha256, :kind, :subject, :csrf_token, :lang, :created_at, :expires_at)

-- name: live
-- Binds: id_sha256, kind, now_at. Result: the session if it has not expired.
SELECT id_sha256, kind, subject, csrf_token, lang, created_at, expires_at FROM web_sessions
WHERE id_sha256 = :id_sha256 AND kind = :kind AND expires_at > :now_at

-- name: extend
-- Binds: expires_at, id_sha256.
UPDATE web_sessions SET expires_at = :expires_at WHERE id_sha256 = :id_sha256

-- name: setLang
-- Binds: lang, id_sha256.
UPDATE web_sessions SET lang = :lang WHERE id_sha256 = :id_sha256

-- name: remove
-- Binds: id_sha256.
DELETE FROM web_sessions WHERE id_sha256 = :id_sha256

-- name: endClient
-- Binds: client_id. Rows affected: the client's statistics sessions deleted (it was disabled or deleted).
DELETE FROM web_sessions WHERE kind = 'stats' AND subject = :client_id

-- name: endClientOnNewPassword
-- Run before the client's row is written. Binds: client_id, password_hash (the new one). Rows
-- affected: the client's statistics sessions deleted when its stored password differs (DECODE counts
-- two NULLs as equal); a password change logs out whoever knew the old one.
DELETE FROM web_sessions WHERE kind = 'stats' AND subject = :client_id
  AND EXISTS (SELECT 1 FROM clients WHERE id = :client_id AND DECODE(password_hash, :password_hash, 0, 1) = 1)

-- name: purge
-- Rows affected: expired sessions deleted.
DELETE FROM web_sessions WHERE expires_at <= SYSTIMESTAMP
