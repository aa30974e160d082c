-- The MT queue after acceptance: bind epochs, claims under a lease, ack, nack, lease renewal and
-- IN_DOUBT resolution. Used by daemon/storage/postgres/mt-queue.ts. Parameters are positional ($n);
-- times are ms; ms_now() is the database clock.

-- name: epochOf
-- Parameters: bind id. Result: epoch, when the bind was ever acquired.
SELECT epoch FROM bind_epochs WHERE bind_id = $1;

-- name: fence
-- The bind's epoch, share-locked until commit so that an acquisition waits for this change to end.
-- Parameters: bind id. Result: epoch.
SELECT epoch FROM bind_epochs WHERE bind_id = $1 FOR SHARE;

-- name: raiseEpoch
-- Raises a bind's epoch (1 on first acquisition). Parameters: bind id. Result: the new epoch.
INSERT INTO bind_epochs (bind_id, epoch) VALUES ($1, 1)
ON CONFLICT (bind_id) DO UPDATE SET epoch = bind_epochs.epoch + 1 RETURNING epoch;

-- name: claim
-- One short statement: READY rows of the route, smallest priority first, then oldest, not expired,
-- skipping rows another claim holds (SKIP LOCKED), set IN_FLIGHT under a lease measured by the
-- database clock; nothing when the epoch is not the bind's current one.
-- Parameters: route id, bind id, epoch, owner, limit, lease ms.
-- Result: seq, attempts (after this claim) and the message columns a sender needs.
WITH fence AS (
  SELECT 1 FROM bind_epochs WHERE bind_id = $2 AND epoch = $3 FOR SHARE
), picked AS (
  SELECT seq FROM mt_queue
  WHERE route_id = $1 AND state = 'READY' AND expires_at > ms_now() AND EXISTS (SELECT 1 FROM fence)
  ORDER BY priority, seq LIMIT $5 FOR UPDATE SKIP LOCKED
), leased AS (
  UPDATE mt_queue q SET state = 'IN_FLIGHT', owner = $4, bind_id = $2, epoch = $3, lease_until = ms_now() + $6::bigint,
    attempts = q.attempts + 1
  FROM picked WHERE q.seq = picked.seq
  RETURNING q.seq, q.day, q.attempts
)
SELECT m.seq, l.attempts, m.id, m.client_id, m.route_id, m.sender, m.recipient, m.text, m.encoding, m.segments, m.priority,
  m.expires_at, m.dlr_requested, m.accepted_at
FROM leased l JOIN messages m ON m.day = l.day AND m.seq = l.seq
ORDER BY m.priority, m.seq;

-- name: claimFair
-- A fair claim in one short statement (ClaimRequest.perClientLimit): the clients with READY rows on the
-- route by a loose index scan (one probe of mt_queue_ready_client per client), each client's first
-- rows up to its share (perClientLimit less what the caller holds of it, at most the limit; smallest
-- priority first, then oldest, not expired) locked with SKIP LOCKED, then taken round by round (each
-- client's first, then each one's second…; within a round by priority, then age) up to the limit and
-- set IN_FLIGHT under a lease by the database clock. Candidates past the limit stay locked only until
-- the statement commits. Nothing when the epoch is not the bind's current one.
-- Parameters: route id, bind id, epoch, owner, limit, lease ms, per-client limit, held client ids
-- (text[]), held counts (int[]). Result: as claim, in claim order.
WITH RECURSIVE fence AS (
  SELECT 1 FROM bind_epochs WHERE bind_id = $2 AND epoch = $3 FOR SHARE
), clients(client_id) AS (
  SELECT (SELECT min(client_id) FROM mt_queue WHERE route_id = $1 AND state = 'READY') WHERE EXISTS (SELECT 1 FROM fence)
  UNION ALL
  SELECT (SELECT min(q.client_id) FROM mt_queue q WHERE q.route_id = $1 AND q.state = 'READY' AND q.client_id > c.client_id)
  FROM clients c WHERE c.client_id IS NOT NULL
), shares AS (
  SELECT c.client_id, least($5::int, $7::int - coalesce(h.held, 0)) AS share
  FROM clients c LEFT JOIN unnest($8::text[], $9::int[]) AS h(client_id, held) ON h.client_id = c.client_id
  WHERE c.client_id IS NOT NULL
), candidates AS (
  SELECT r.seq, r.priority, row_number() OVER (PARTITION BY s.client_id ORDER BY r.priority, r.seq) AS round
  FROM shares s CROSS JOIN LATERAL (
    SELECT q.seq, q.priority FROM mt_queue q
    WHERE q.route_id = $1 AND q.client_id = s.client_id AND q.state = 'READY' AND q.expires_at > ms_now()
    ORDER BY q.priority, q.seq LIMIT s.share FOR UPDATE SKIP LOCKED
  ) r
  WHERE s.share > 0
), picked AS (
  SELECT seq, round, priority FROM candidates ORDER BY round, priority, seq LIMIT $5
), leased AS (
  UPDATE mt_queue q SET state = 'IN_FLIGHT', owner = $4, bind_id = $2, epoch = $3, lease_until = ms_now() + $6::bigint,
    attempts = q.attempts + 1
  FROM picked WHERE q.seq = picked.seq
  RETURNING q.seq, q.day, q.attempts, picked.round
)
SELECT m.seq, l.attempts, m.id, m.client_id, m.route_id, m.sender, m.recipient, m.text, m.encoding, m.segments, m.priority,
  m.expires_at, m.dlr_requested, m.accepted_at
FROM leased l JOIN messages m ON m.day = l.day AND m.seq = l.seq
ORDER BY l.round, m.priority, m.seq;

-- name: ack
-- Submit results of a group of messages in one call (ack_submits, 008): the bind's epoch row FOR SHARE,
-- the receipt keys' locks, the queue rows locked in seq order, segments and keys recorded whatever the
-- epoch, the messages held by the bind at the current epoch set submitted (with their history and
-- Kannel 'submitted' events), the receipts held for the keys applied. Parameters: bind id, epoch, ids
-- (text[], one per result), details (text[], per result), segments' results (int[], 1-based), indexes
-- (int[]), SMSC ids (text[]), parts (int[]), keys' segments (int[], 1-based), match keys (text[]), the
-- Kannel 'submitted' bit. Result: acked_id, acked_verdict ('apply' or 'stale'), in the results' order.
SELECT acked_id, acked_verdict FROM ack_submits($1, $2, $3::text[], $4::text[], $5::int[], $6::int[], $7::text[], $8::int[], $9::int[], $10::text[], $11);

-- name: messagesById
-- Parameters: message ids (text[]). Result: seq, day, id, route_id, client_id, kannel_dlr_mask.
SELECT seq, day, id, route_id, client_id, kannel_dlr_mask FROM messages WHERE id = ANY($1::text[]);

-- name: lockQueueRows
-- The queue rows of the given messages, locked until commit, in seq order (so that concurrent
-- changes lock in one order). Parameters: seqs (bigint[]). Result: seq, state, bind_id, epoch, attempts.
SELECT seq, state, bind_id, epoch, attempts FROM mt_queue WHERE seq = ANY($1::bigint[]) ORDER BY seq FOR UPDATE;

-- name: recordSegments
-- Records (or, after a resend, replaces) segments' SMSC ids, keeping their receipt status.
-- Parameters: days (int[]), seqs (bigint[]), segment indexes (int[]), route ids, smsc ids (text[]),
-- parts (int[]: submit_sm of each one's submission), submitted_at.
INSERT INTO smsc_ids (day, message_seq, segment_index, route_id, smsc_id, parts, submitted_at)
SELECT day, seq, segment_index, route_id, smsc_id, parts, $7::bigint
FROM unnest($1::int[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::int[]) AS w(day, seq, segment_index, route_id, smsc_id, parts)
ON CONFLICT (day, message_seq, segment_index) DO UPDATE SET route_id = excluded.route_id, smsc_id = excluded.smsc_id,
  parts = excluded.parts, submitted_at = excluded.submitted_at;

-- name: recordKeys
-- Parameters: days (int[]), route ids, match keys (text[]), seqs (bigint[]), segment indexes (int[]).
INSERT INTO receipt_keys (day, route_id, match_key, message_seq, segment_index)
SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[], $5::int[])
ON CONFLICT DO NOTHING;

-- name: dropQueueRows
-- Messages leave the queue table when final. Parameters: seqs (bigint[]).
DELETE FROM mt_queue WHERE seq = ANY($1::bigint[]);

-- name: addEvent
-- Parameters: day, seq, at, status, detail.
INSERT INTO message_events (day, message_seq, at, status, detail) VALUES ($1, $2, $3, $4, $5);

-- name: markFinal
-- Ends a message in the ledger with its final queue state. Parameters: day, seq, status, error code,
-- reason, done_at, queue state (PROCESSED or EXCEPTION), attempts.
UPDATE messages SET status = $3, error_code = $4, reason = $5, done_at = $6, queue_state = $7, queue_done_at = $6, attempts = $8
WHERE day = $1 AND seq = $2;

-- name: requeue
-- Releases a row for another attempt. Parameters: seq, state (READY or WAITING), not_before.
UPDATE mt_queue SET state = $2, not_before = $3, owner = NULL, bind_id = NULL, epoch = NULL, lease_until = NULL WHERE seq = $1;

-- name: extendLeases
-- Parameters: seqs (bigint[]), lease ms.
UPDATE mt_queue SET lease_until = ms_now() + $2::bigint WHERE seq = ANY($1::bigint[]);

-- name: resend
-- The route's IN_DOUBT rows back to READY. Parameters: route id. Result: seq, day.
UPDATE mt_queue SET state = 'READY', owner = NULL, bind_id = NULL, epoch = NULL, lease_until = NULL
WHERE route_id = $1 AND state = 'IN_DOUBT' RETURNING seq, day;

-- name: resentLedger
-- Parameters: days (int[]), seqs (bigint[]), now. Result: id, seq of the messages, oldest first.
WITH u AS (
  UPDATE messages m SET status = 'accepted' FROM unnest($1::int[], $2::bigint[]) AS w(day, seq)
  WHERE m.day = w.day AND m.seq = w.seq RETURNING m.id, m.seq, m.day
), e AS (
  INSERT INTO message_events (day, message_seq, at, status, detail)
  SELECT day, seq, $3, 'accepted', 'resent after an expired lease (route policy resend)' FROM u ORDER BY seq
)
SELECT id, seq FROM u ORDER BY seq;
