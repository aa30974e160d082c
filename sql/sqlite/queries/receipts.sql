-- Receipt correlation: segments with their SMSC ids and match keys, receipts applied to them, and
-- receipts held until the submit_sm_resp naming their id is recorded. Used by
-- daemon/storage/sqlite/receipts.ts. Parameters are positional (?) unless named; times are milliseconds.

-- name: recordSegment
-- Records (or, after a resend, replaces) a segment's SMSC id, keeping its receipt status.
-- Parameters: seq, segment index, route id, smsc id, submitted_at, parts (submit_sm of the submission).
INSERT INTO smsc_ids (message_seq, segment_index, route_id, smsc_id, submitted_at, parts) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (message_seq, segment_index) DO UPDATE
SET route_id = excluded.route_id, smsc_id = excluded.smsc_id, submitted_at = excluded.submitted_at, parts = excluded.parts;

-- name: recordKey
-- Parameters: route id, match key, seq, segment index.
INSERT OR IGNORE INTO receipt_keys (route_id, match_key, message_seq, segment_index) VALUES (?, ?, ?, ?);

-- name: findSegment
-- The most recent segment a receipt key names on a route. Parameters: route id, match key.
-- Result: message_seq, segment_index.
SELECT message_seq, segment_index FROM receipt_keys WHERE route_id = ? AND match_key = ?
ORDER BY message_seq DESC LIMIT 1;

-- name: segmentState
-- Parameters: seq, segment index. Result: the segment's status, SMSC id and parts (submit_sm of its
-- submission, null on old rows), the message's id, client and status.
SELECT s.status, s.smsc_id, s.parts, m.id, m.client_id, m.status AS message_status
FROM smsc_ids s JOIN messages m ON m.seq = s.message_seq WHERE s.message_seq = ? AND s.segment_index = ?;

-- name: setSegment
-- Parameters: status, stat, error code, done_at, seq, segment index.
UPDATE smsc_ids SET status = ?, stat = ?, error_code = ?, done_at = ? WHERE message_seq = ? AND segment_index = ?;

-- name: segmentStatuses
-- Parameters: seq. Result: status of every recorded segment of the message.
SELECT status FROM smsc_ids WHERE message_seq = ?;

-- name: finishMessage
-- Ends a message in the ledger from its receipts. Parameters: status, reason, done_at, seq.
UPDATE messages SET status = ?, reason = ?, done_at = ? WHERE seq = ?;

-- name: settleQueueRow
-- A final receipt proves the submit: a queue row still IN_FLIGHT (a stale-epoch ack recorded the id) or
-- IN_DOUBT is settled rather than left to lapse or be resent. Parameters: done_at, seq.
UPDATE mt_queue SET state = 'PROCESSED', done_at = ?, lease_until = NULL WHERE seq = ? AND state IN ('IN_FLIGHT', 'IN_DOUBT');

-- name: addEvent
-- Appends to a message's history. Parameters: seq, at, status, detail.
INSERT INTO message_events (message_seq, at, status, detail) VALUES (?, ?, ?, ?);

-- name: holdReceipt
-- Parameters: route id, bind id, candidates JSON, status, stat, error code, done_at, raw, received_at, hold_until.
-- Result (run): lastInsertRowid = held id.
INSERT INTO held_receipts (route_id, bind_id, candidates, status, stat, error_code, done_at, raw, received_at, hold_until)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: holdKey
-- Parameters: route id, match key, held id.
INSERT OR IGNORE INTO held_receipt_keys (route_id, match_key, held_id) VALUES (?, ?, ?);

-- name: heldFor
-- Held receipts naming a key on a route, oldest first. Parameters: route id, match key.
SELECT h.id, h.candidates, h.status, h.stat, h.error_code, h.done_at, h.raw
FROM held_receipt_keys k JOIN held_receipts h ON h.id = k.held_id
WHERE k.route_id = ? AND k.match_key = ? ORDER BY h.id;

-- name: expiredHeld
-- Held receipts past their hold time. Parameters: now. Result: the receipts, longest expired first.
SELECT id, route_id, bind_id, candidates, stat, raw, received_at FROM held_receipts WHERE hold_until <= ? ORDER BY hold_until;

-- name: dropHeldKeys
-- Named parameters: @routeId, @id, @candidates (the receipt's JSON array of keys).
DELETE FROM held_receipt_keys
WHERE route_id = @routeId AND held_id = @id AND match_key IN (SELECT value FROM json_each(@candidates));

-- name: dropHeld
-- Parameters: held id.
DELETE FROM held_receipts WHERE id = ?;
