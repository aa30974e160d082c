-- The callback outbox: events raised with the state changes that cause them, leased by senders,
-- retried with backoff, dead-lettered, replayed. Used by daemon/storage/sqlite/outbox.ts.
-- Times are milliseconds.

-- name: insert
-- Adds a due event. Parameters: id, client id, kind, url, kannel 0/1, payload JSON, next_attempt_at, created_at.
INSERT INTO callback_outbox (id, client_id, kind, url, kannel, payload, state, next_attempt_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, 'due', ?, ?);

-- name: dueClients
-- Clients with due events (whatever their next attempt time), by a loose index scan: one index probe
-- per client, not one row per event. No parameters. Result: client_id.
WITH RECURSIVE clients(client_id) AS (
  SELECT MIN(client_id) FROM callback_outbox WHERE state = 'due'
  UNION ALL
  SELECT (SELECT MIN(o.client_id) FROM callback_outbox o WHERE o.state = 'due' AND o.client_id > clients.client_id)
  FROM clients WHERE clients.client_id IS NOT NULL
)
SELECT client_id FROM clients WHERE client_id IS NOT NULL;

-- name: dueOfClient
-- A client's oldest due events of one channel whose time came, by callback_outbox_due_channel (the
-- expression `url = 'smpp:'` as the index has it). Parameters: client id, SMPP channel 0/1, now, limit.
-- Result: seq and the event's columns.
SELECT seq, id, client_id, kind, url, kannel, payload, attempts, created_at FROM callback_outbox
WHERE state = 'due' AND client_id = ? AND (url = 'smpp:') = ? AND next_attempt_at <= ? ORDER BY seq LIMIT ?;

-- name: lapsedLeases
-- Leased events whose lease lapsed (their sender died): due again. Parameters: now.
-- Result: seq and the event's columns, unordered (the caller orders the claim by seq).
SELECT seq, id, client_id, kind, url, kannel, payload, attempts, created_at FROM callback_outbox
WHERE state = 'leased' AND lease_until <= ?;

-- name: liveLeases
-- Events under a live lease per client: they count toward the client's per-claim limit, so a busy
-- client's concurrency stays bounded across polls and senders. Parameters: now. Result: client_id, n.
SELECT client_id, COUNT(*) AS n FROM callback_outbox WHERE state = 'leased' AND lease_until > ? GROUP BY client_id;

-- name: lease
-- Parameters: owner, lease_until, seq.
UPDATE callback_outbox SET state = 'leased', lease_owner = ?, lease_until = ? WHERE seq = ?;

-- name: leaseOf
-- Parameters: event id. Result: seq, state, lease_owner.
SELECT seq, state, lease_owner FROM callback_outbox WHERE id = ?;

-- name: delivered
-- Parameters: done_at, seq.
UPDATE callback_outbox SET state = 'delivered', attempts = attempts + 1, lease_owner = NULL, lease_until = NULL, done_at = ?
WHERE seq = ?;

-- name: retry
-- Parameters: next_attempt_at, last error, seq.
UPDATE callback_outbox SET state = 'due', attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
  lease_owner = NULL, lease_until = NULL
WHERE seq = ?;

-- name: dead
-- Parameters: last error, done_at (the dead-letter time), seq.
UPDATE callback_outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, done_at = ?,
  lease_owner = NULL, lease_until = NULL
WHERE seq = ?;

-- name: deadAll
-- Parameters: limit. Result: dead events, newest first.
SELECT id, client_id, kind, url, kannel, payload, attempts, created_at, last_error, done_at FROM callback_outbox
WHERE state = 'dead' ORDER BY done_at DESC, seq DESC LIMIT ?;

-- name: deadOf
-- Parameters: client id, limit. Result: the client's dead events, newest first.
SELECT id, client_id, kind, url, kannel, payload, attempts, created_at, last_error, done_at FROM callback_outbox
WHERE state = 'dead' AND client_id = ? ORDER BY done_at DESC, seq DESC LIMIT ?;

-- name: replayOne
-- Makes a dead event due now with attempts reset. Parameters: next_attempt_at, event id. Changes: 0 or 1.
UPDATE callback_outbox SET state = 'due', attempts = 0, next_attempt_at = ?, done_at = NULL
WHERE id = ? AND state = 'dead';

-- name: replayClient
-- Parameters: next_attempt_at, client id. Changes: events made due.
UPDATE callback_outbox SET state = 'due', attempts = 0, next_attempt_at = ?, done_at = NULL
WHERE client_id = ? AND state = 'dead';

-- name: deadUnclaimedSmpp
-- SMPP-channel events due since the cutoff or longer, never claimed meanwhile: dead, attempts
-- unchanged (none was made). Parameters: last error, done_at, cutoff. Changes: events dead-lettered.
UPDATE callback_outbox SET state = 'dead', last_error = ?, done_at = ?
WHERE state = 'due' AND url = 'smpp:' AND next_attempt_at <= ?;

-- name: waitingSmpp
-- SMPP-channel events due now, not leased, per client. Parameters: now.
-- Result: client_id, n, oldest_due_at (ms).
SELECT client_id, COUNT(*) AS n, MIN(next_attempt_at) AS oldest_due_at FROM callback_outbox
WHERE state = 'due' AND url = 'smpp:' AND next_attempt_at <= ? GROUP BY client_id;

-- name: backlog
-- Result: client_id, n (events due, in backoff or leased), per client.
SELECT client_id, COUNT(*) AS n FROM callback_outbox WHERE state IN ('due', 'leased') GROUP BY client_id;

-- name: purgeDelivered
-- Named parameters: @cutoff. Changes: delivered events deleted.
DELETE FROM callback_outbox WHERE state = 'delivered' AND done_at <= @cutoff;
