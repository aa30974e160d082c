-- The callback outbox: events raised with the state changes that cause them, leased by senders,
-- retried with backoff, dead-lettered, replayed. Used by daemon/storage/postgres/outbox.ts. Times are ms.

-- name: insert
-- Adds a due event; with notify, wakes the callback senders at commit (daemon/storage/postgres/wakeups.ts).
-- Parameters: id, client id, kind, url, kannel, payload (jsonb), now, notify (bool).
WITH e AS (
  INSERT INTO callback_outbox (id, client_id, kind, url, kannel, payload, state, next_attempt_at, created_at)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'due', $7, $7) RETURNING id
)
SELECT pg_notify('smsproc_callbacks', '') FROM e WHERE $8::bool;

-- name: lockClaims
-- Serializes claims (one short transaction at a time per schema), so that the per-client count of
-- live leases each claim reads stays true. No parameters.
SELECT pg_advisory_xact_lock(hashtextextended('smsproc.outbox.claim.' || current_schema(), 0));

-- name: claim
-- One claim in one statement, run after lockClaims: each client in scope has room for its per-client
-- limit less its live leases; its candidates are its oldest due events of each channel in scope whose
-- time came (callback_outbox_due_channel, one probe per client and channel, the expression
-- `(url = 'smpp:')::integer` as the index has it; with HTTP in scope the clients come from a loose
-- index scan of the due events, one probe per client, and the listed SMPP clients are probed for
-- their SMPP channel) and its lapsed leases in scope (their sender died); at most its room of them,
-- the oldest `limit` in all, are leased. One round trip, so the lock is held briefly even with many
-- nodes claiming. Parameters: now, HTTP in scope (boolean), SMPP clients in scope (text[]), per-client
-- limit, limit, owner, lease until. Result: the leased events (in no particular order).
WITH RECURSIVE due_clients(client_id) AS (
  (SELECT client_id FROM callback_outbox WHERE $2::boolean AND state = 'due' ORDER BY client_id LIMIT 1)
  UNION ALL
  SELECT (SELECT o.client_id FROM callback_outbox o WHERE o.state = 'due' AND o.client_id > d.client_id ORDER BY o.client_id LIMIT 1)
  FROM due_clients d WHERE d.client_id IS NOT NULL
),
live AS (
  SELECT client_id, COUNT(*)::integer AS n FROM callback_outbox WHERE state = 'leased' AND lease_until > $1 GROUP BY client_id
),
probes(client_id, smpp) AS (
  SELECT client_id, 0 FROM due_clients WHERE client_id IS NOT NULL
  UNION ALL
  SELECT unnest($3::text[]), 1
),
candidates AS (
  SELECT e.seq, e.client_id FROM probes p
  CROSS JOIN LATERAL (
    SELECT o.seq, o.client_id FROM callback_outbox o
    WHERE o.state = 'due' AND o.client_id = p.client_id AND (o.url = 'smpp:')::integer = p.smpp AND o.next_attempt_at <= $1
    ORDER BY o.seq
    LIMIT GREATEST(0, $4::integer - COALESCE((SELECT l.n FROM live l WHERE l.client_id = p.client_id), 0))
  ) e
  UNION ALL
  SELECT seq, client_id FROM callback_outbox
  WHERE state = 'leased' AND lease_until <= $1 AND CASE WHEN url = 'smpp:' THEN client_id = ANY($3::text[]) ELSE $2::boolean END
),
chosen AS (
  SELECT c.seq FROM (SELECT seq, client_id, row_number() OVER (PARTITION BY client_id ORDER BY seq) AS rank FROM candidates) c
  LEFT JOIN live l ON l.client_id = c.client_id
  WHERE c.rank <= $4::integer - COALESCE(l.n, 0)
  ORDER BY c.seq LIMIT $5
)
UPDATE callback_outbox o SET state = 'leased', lease_owner = $6, lease_until = $7
FROM chosen WHERE o.seq = chosen.seq
RETURNING o.seq, o.id, o.client_id, o.kind, o.url, o.kannel, o.payload, o.attempts, o.created_at;

-- name: complete
-- Records attempts' outcomes, each only if its caller holds the lease, in one statement on its own
-- (autocommit: the guard is re-checked on each row once locked, so an outcome racing a lapse and
-- re-claim by another sender is ignored). Concurrent completions share it (group commit). The rows are
-- found by the id index (`id = ANY($1)` gives the planner that path) or among the leased events
-- (callback_outbox_leased, as many as the live leases), never among the due or delivered ones. The same event twice in one call is a race of its
-- callers: one outcome applies, the other is ignored, as if it came second. Parameters, one array
-- element per outcome: event ids (text[]), owners (text[]), new states (text[]: delivered, due or
-- dead), retry delays in ms (bigint[], for due; else null), last errors (text[], null keeps the
-- previous one). Changes: the outcomes applied.
UPDATE callback_outbox o SET state = c.state, attempts = o.attempts + 1, lease_owner = NULL, lease_until = NULL,
  next_attempt_at = COALESCE(ms_now() + c.delay_ms, o.next_attempt_at), last_error = COALESCE(c.error, o.last_error),
  done_at = CASE WHEN c.state IN ('delivered', 'dead') THEN ms_now() ELSE o.done_at END
FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS c(id, owner, state, delay_ms, error)
WHERE o.id = ANY($1::text[]) AND o.id = c.id AND o.state = 'leased' AND o.lease_owner = c.owner;

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
