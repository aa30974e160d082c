-- The callback outbox: events raised with the state changes that cause them, leased by senders,
-- retried with backoff, dead-lettered, replayed. Used by daemon/storage/sqlite/outbox.ts.
-- Times are milliseconds.

-- name: insert
-- Adds a due event. Parameters: id, client id, kind, url, kannel 0/1, payload JSON, next_attempt_at, created_at.
INSERT INTO callback_outbox (id, client_id, kind, url, kannel, payload, state, next_attempt_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, 'due', ?, ?);

-- name: claimable
-- Events a sender may lease now: due ones whose time came and leased ones whose lease lapsed, oldest
-- first, at most @perClient per client counting the client's events already under a live lease (so a
-- busy client's concurrency stays bounded across polls and senders). Named parameters: @now,
-- @perClient, @limit. Result: seq and the event's columns.
WITH candidates AS (
  SELECT seq, client_id FROM callback_outbox WHERE state = 'due' AND next_attempt_at <= @now
  UNION ALL
  SELECT seq, client_id FROM callback_outbox WHERE state = 'leased' AND lease_until <= @now
), live AS (
  SELECT client_id, COUNT(*) AS leased FROM callback_outbox WHERE state = 'leased' AND lease_until > @now
  GROUP BY client_id
), ranked AS (
  SELECT c.seq, ROW_NUMBER() OVER (PARTITION BY c.client_id ORDER BY c.seq) + COALESCE(l.leased, 0) AS n
  FROM candidates c LEFT JOIN live l ON l.client_id = c.client_id
)
SELECT o.seq, o.id, o.client_id, o.kind, o.url, o.kannel, o.payload, o.attempts, o.created_at
FROM ranked r JOIN callback_outbox o ON o.seq = r.seq
WHERE r.n <= @perClient ORDER BY r.seq LIMIT @limit;

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

-- name: backlog
-- Result: client_id, n (events due, in backoff or leased), per client.
SELECT client_id, COUNT(*) AS n FROM callback_outbox WHERE state IN ('due', 'leased') GROUP BY client_id;

-- name: purgeDelivered
-- Named parameters: @cutoff. Changes: delivered events deleted.
DELETE FROM callback_outbox WHERE state = 'delivered' AND done_at <= @cutoff;
