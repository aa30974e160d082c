-- Receipt correlation: segments with their SMSC ids and match keys, receipts applied to them, and
-- receipts held until the submit_sm_resp naming their id is recorded. Used by
-- daemon/storage/postgres/receipts.ts. Times are ms.

-- name: applyReceipt
-- One receipt in one call (apply_receipt, 007): its key locks, its segment found and the receipt
-- applied, or the receipt held. Parameters: route id, bind id, candidates (text[], distinct), status,
-- stat, error code, done_at, raw, hold time ms, event id. Result: kind ('matched', 'duplicate' or
-- 'held'), message_id, client_id, segment, message_status, final, event_id. With the 11th parameter
-- (notify, bool), an event wakes the callback senders at commit (daemon/storage/postgres/wakeups.ts);
-- MATERIALIZED: the function runs once.
WITH r AS MATERIALIZED (SELECT * FROM apply_receipt($1, $2, $3::text[], $4, $5, $6, $7, $8, $9, $10))
SELECT r.*, CASE WHEN r.event_id IS NOT NULL AND $11::bool THEN pg_notify('smsproc_callbacks', '') END AS woken FROM r;

-- name: applySegmentReceipt
-- A held receipt applied to the segment recordSegmentIds just recorded (apply_segment_receipt, 007),
-- under its key locks (ack_submits, 008, does the same for an ack). Parameters: day, seq, segment
-- index, status, stat, error code, done_at, raw, now, event id, notify (bool). Result: as
-- applyReceipt, never 'held'; with notify, an event wakes the callback senders at commit.
WITH r AS MATERIALIZED (SELECT * FROM apply_segment_receipt($1, $2, $3, $4, $5, $6, $7, $8, $9, $10))
SELECT r.*, CASE WHEN r.event_id IS NOT NULL AND $11::bool THEN pg_notify('smsproc_callbacks', '') END AS woken FROM r;

-- name: heldFor
-- Held receipts naming any of the given (route, key) pairs, oldest first, locked so that two acks do
-- not apply one twice (ack_submits, 008, reads them by the same statement). Parameters: route ids, match keys (text[]), pairwise.
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
-- it take the same lock (apply_receipt, 007, and ack_submits, 008, take it by the same expression), so a receipt that finds
-- no segment is held before the ack looks for held receipts, or the receipt sees the ack's segment.
-- Parameters: route ids, match keys (text[]), pairwise.
SELECT pg_advisory_xact_lock(h) FROM (
  SELECT DISTINCT hashtextextended('smsproc.receipt.' || r || '/' || k, 0) AS h FROM unnest($1::text[], $2::text[]) AS w(r, k) ORDER BY 1
) AS keys;
