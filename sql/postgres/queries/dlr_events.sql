-- Raising a DLR callback event. Used by daemon/storage/postgres/dlr-events.ts.

-- name: raise
-- The event a status change of a message calls for, decided, filled and added to the outbox in one call
-- (raise_dlr_event, 007). Parameters: seq, status, stat, error code (jsonb), done_at, receipt text,
-- SMSC id, now, event id, notify (bool). Result: id, the event's id or null when the client is not
-- told. With notify, an event wakes the callback senders at commit (daemon/storage/postgres/wakeups.ts);
-- MATERIALIZED: the function runs once.
WITH e AS MATERIALIZED (SELECT raise_dlr_event($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9) AS id)
SELECT id, CASE WHEN id IS NOT NULL AND $10::bool THEN pg_notify('smsproc_callbacks', '') END AS woken FROM e;
