-- The callback outbox: events raised with the state changes that cause them, leased by senders,
-- retried with backoff, dead-lettered, replayed. Used by daemon/storage/postgres/outbox.ts. Times are ms.

-- name: insert
-- Adds a due event. Parameters: id, client id, kind, url, kannel, payload (jsonb), now.
INSERT INTO callback_outbox (id, client_id, kind, url, kannel, payload, state, next_attempt_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'due', $7, $7);

-- name: lockClaims
-- Serializes claims (one short transaction at a time per schema), so that the per-client count of
-- live leases each claim reads stays true. No parameters.
SELECT pg_advisory_xact_lock(hashtextextended('smsproc.outbox.claim.' || current_schema(), 0));

-- name: dueClients
-- Clients with due events, by a loose index scan (one probe per client). No parameters. Result: client_id.
WITH RECURSIVE clients(client_id) AS (
  (SELECT client_id FROM callback_outbox WHERE state = 'due' ORDER BY client_id LIMIT 1)
  UNION ALL
  SELECT (SELECT o.client_id FROM callback_outbox o WHERE o.state = 'due' AND o.client_id > clients.client_id ORDER BY o.client_id LIMIT 1)
  FROM clients WHERE clients.client_id IS NOT NULL
)
SELECT client_id FROM clients WHERE client_id IS NOT NULL;

-- name: dueOfClient
-- A client's oldest due events of one channel whose time came, by callback_outbox_due_channel (the
-- expression `(url = 'smpp:')::integer` as the index has it). Parameters: client id, SMPP channel
-- (1, or 0 for HTTP), now, limit.
SELECT seq, id, client_id, kind, url, kannel, payload, attempts, created_at FROM callback_outbox
WHERE state = 'due' AND client_id = $1 AND (url = 'smpp:')::integer = $2::integer AND next_attempt_at <= $3 ORDER BY seq LIMIT $4;

-- name: lapsedLeases
-- Leased events whose lease lapsed (their sender died): due again. Parameters: now.
SELECT seq, id, client_id, kind, url, kannel, payload, attempts, created_at FROM callback_outbox
WHERE state = 'leased' AND lease_until <= $1;

-- name: liveLeases
-- Events under a live lease per client. Parameters: now. Result: client_id, n.
SELECT client_id, COUNT(*) AS n FROM callback_outbox WHERE state = 'leased' AND lease_until > $1 GROUP BY client_id;

-- name: lease
-- Parameters: owner, lease_until, seqs (bigint[]).
UPDATE callback_outbox SET state = 'leased', lease_owner = $1, lease_until = $2 WHERE seq = ANY($3::bigint[]);

-- name: complete
-- Records one attempt's outcome if the caller holds the lease. Parameters: event id, owner, new state
-- (delivered, due or dead), next_attempt_at (for due), last error, now. Changes: 0 or 1.
UPDATE callback_outbox SET state = $3, attempts = attempts + 1, lease_owner = NULL, lease_until = NULL,
  next_attempt_at = COALESCE($4, next_attempt_at), last_error = COALESCE($5, last_error),
  done_at = CASE WHEN $3 IN ('delivered', 'dead') THEN $6 ELSE done_at END
WHERE id = $1 AND state = 'leased' AND lease_owner = $2;

-- name: deadAll
-- Parameters: limit. Result: dead events, newest first.
SELECT id, client_id, kind, url, kannel, payload, attempts, created_at, last_error, done_at FROM callback_outbox
WHERE state = 'dead' ORDER BY done_at DESC, seq DESC LIMIT $1;

-- name: deadOf
-- Parameters: client id, limit. Result: the client's dead events, newest first.
SELECT id, client_id, kind, url, kannel, payload, attempts, created_at, last_error, done_at FROM callback_outbox
WHERE state = 'dead' AND client_id = $1 ORDER BY done_at DESC, seq DESC LIMIT $2;

-- name: replayIds
-- Makes dead events due now with attempts reset. Parameters: event ids (text[]). Changes: events made due.
UPDATE callback_outbox SET state = 'due', attempts = 0, next_attempt_at = ms_now(), done_at = NULL
WHERE id = ANY($1::text[]) AND state = 'dead';

-- name: replayClient
-- Parameters: client id. Changes: events made due.
UPDATE callback_outbox SET state = 'due', attempts = 0, next_attempt_at = ms_now(), done_at = NULL
WHERE client_id = $1 AND state = 'dead';

-- name: deadUnclaimedSmpp
-- SMPP-channel events due for waitedMs or longer, never claimed meanwhile: dead, attempts unchanged
-- (none was made). Parameters: last error, waitedMs. Changes: events dead-lettered.
UPDATE callback_outbox SET state = 'dead', last_error = $1, done_at = ms_now()
WHERE state = 'due' AND url = 'smpp:' AND next_attempt_at <= ms_now() - $2::bigint;

-- name: waitingSmpp
-- SMPP-channel events due now, not leased, per client. No parameters. Result: client_id, n, oldest_due_at (ms).
SELECT client_id, COUNT(*) AS n, MIN(next_attempt_at) AS oldest_due_at FROM callback_outbox
WHERE state = 'due' AND url = 'smpp:' AND next_attempt_at <= ms_now() GROUP BY client_id;

-- name: backlog
-- Result: client_id, n (events due, in backoff or leased), per client.
SELECT client_id, COUNT(*) AS n FROM callback_outbox WHERE state IN ('due', 'leased') GROUP BY client_id;

-- name: purgeDelivered
-- Parameters: cutoff. Changes: delivered events deleted.
DELETE FROM callback_outbox WHERE state = 'delivered' AND done_at <= $1;
