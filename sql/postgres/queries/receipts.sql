-- Receipt correlation: segments with their SMSC ids and match keys, receipts applied to them, and
-- receipts held until the submit_sm_resp naming their id is recorded. Used by
-- daemon/storage/postgres/receipts.ts. Times are ms.

-- name: findSegment
-- The most recent segment any of the keys names on a route. Parameters: route id, match keys (text[]).
-- Result: day, message_seq, segment_index.
SELECT day, message_seq, segment_index FROM receipt_keys WHERE route_id = $1 AND match_key = ANY($2::text[])
ORDER BY message_seq DESC LIMIT 1;

-- name: segmentState
-- The segment and its message, locked until commit (receipts for one message apply one at a time).
-- Parameters: day, seq, segment index. Result: the segment's status, SMSC id and parts (submit_sm of its
-- submission, null on rows recorded before 002), the message's id, client and status.
SELECT s.status, s.smsc_id, s.parts, m.id, m.client_id, m.status AS message_status
FROM smsc_ids s JOIN messages m ON m.day = s.day AND m.seq = s.message_seq
WHERE s.day = $1 AND s.message_seq = $2 AND s.segment_index = $3
FOR UPDATE OF m;

-- name: holdReceipt
-- Parameters: route id, bind id, candidates (jsonb), status, stat, error code, done_at, raw, received_at,
-- hold_until. Result: id.
INSERT INTO held_receipts (route_id, bind_id, candidates, status, stat, error_code, done_at, raw, received_at, hold_until)
VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10) RETURNING id;

-- name: holdKeys
-- Parameters: route id, match keys (text[]), held id.
INSERT INTO held_receipt_keys (route_id, match_key, held_id) SELECT $1, k, $3 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING;

-- name: heldFor
-- Held receipts naming any of the given (route, key) pairs, oldest first, locked so that two acks do
-- not apply one twice. Parameters: route ids, match keys (text[]), pairwise.
-- Result: route_id, match_key and the receipt.
SELECT k.route_id, k.match_key, h.id, h.status, h.stat, h.error_code, h.done_at, h.raw
FROM held_receipt_keys k JOIN held_receipts h ON h.id = k.held_id
WHERE (k.route_id, k.match_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
ORDER BY h.id FOR UPDATE OF h SKIP LOCKED;

-- name: expiredHeld
-- Held receipts past their hold time, removed and returned. Parameters: now.
DELETE FROM held_receipts WHERE id IN (SELECT id FROM held_receipts WHERE hold_until <= $1 ORDER BY hold_until FOR UPDATE SKIP LOCKED)
RETURNING id, route_id, bind_id, candidates, stat, raw, received_at;

-- name: dropHeld
-- Parameters: held id. Changes: 1, or 0 when another transaction applied it first.
DELETE FROM held_receipts WHERE id = $1;

-- name: lockKeys
-- Locks (route, key) pairs until commit, in one order: a receipt looking a key up and an ack recording
-- it take the same lock, so a receipt that finds no segment is held before the ack looks for held
-- receipts, or the receipt sees the ack's segment. Parameters: route ids, match keys (text[]), pairwise.
SELECT pg_advisory_xact_lock(h) FROM (
  SELECT DISTINCT hashtextextended('smsproc.receipt.' || r || '/' || k, 0) AS h FROM unnest($1::text[], $2::text[]) AS w(r, k) ORDER BY 1
) AS keys;

-- name: setSegmentStatuses
-- Sets a segment's receipt status and returns the status of every segment of its message (the message
-- row is locked, so no other receipt of it changes a segment meanwhile). Parameters: status, stat,
-- error code, done_at, day, seq, segment index. Result: status per segment.
WITH changed AS (
  UPDATE smsc_ids SET status = $1, stat = $2, error_code = $3, done_at = $4
  WHERE day = $5 AND message_seq = $6 AND segment_index = $7 RETURNING status
)
SELECT status FROM changed
UNION ALL SELECT status FROM smsc_ids WHERE day = $5 AND message_seq = $6 AND segment_index <> $7;

-- name: finishFromReceipt
-- The message's final status from its receipts, its history row, and its queue row settled (a final
-- receipt proves the submit: a row still IN_FLIGHT or IN_DOUBT leaves the queue as PROCESSED rather
-- than lapse or be resent); one UPDATE of the ledger row, since a statement changes a row once.
-- Parameters: status, reason, now, day, seq, history detail.
WITH gone AS (
  DELETE FROM mt_queue WHERE seq = $5 AND state IN ('IN_FLIGHT', 'IN_DOUBT') RETURNING seq, attempts
), history AS (
  INSERT INTO message_events (day, message_seq, at, status, detail) VALUES ($4, $5, $3, $1, $6)
)
UPDATE messages m SET status = $1, reason = $2, done_at = $3,
  queue_state = CASE WHEN g.seq IS NULL THEN m.queue_state ELSE 'PROCESSED' END,
  queue_done_at = CASE WHEN g.seq IS NULL THEN m.queue_done_at ELSE $3 END,
  attempts = COALESCE(g.attempts, m.attempts)
FROM (SELECT $5::bigint AS seq) AS k LEFT JOIN gone g ON g.seq = k.seq
WHERE m.day = $4 AND m.seq = k.seq;
