-- Receipt correlation: match keys of submitted segments, receipts applied to segments, receipts held
-- until the submit_sm_resp naming their id is recorded. Used by daemon/storage/oracle/receipts.ts.

-- name: recordKey
-- Binds: route_id, match_key, message_id, segment_index.
MERGE INTO receipt_keys k
USING (SELECT :route_id AS route_id, :match_key AS match_key, :message_id AS message_id, :segment_index AS segment_index FROM dual) n
ON (k.route_id = n.route_id AND k.match_key = n.match_key AND k.message_id = n.message_id AND k.segment_index = n.segment_index)
WHEN NOT MATCHED THEN INSERT (route_id, match_key, message_id, segment_index) VALUES (n.route_id, n.match_key, n.message_id, n.segment_index)

-- name: findSegment
-- The most recently accepted segment a key names on a route. Binds: route_id, match_key.
-- Result: MESSAGE_ID, SEGMENT_INDEX, ACCEPTED_AT.
SELECT * FROM (
  SELECT k.message_id, k.segment_index, m.accepted_at FROM receipt_keys k JOIN mt_messages m ON m.id = k.message_id
  WHERE k.route_id = :route_id AND k.match_key = :match_key ORDER BY m.accepted_at DESC, k.message_id DESC
) WHERE ROWNUM = 1

-- name: segmentState
-- The segment and its message, locked. Binds: message_id, segment_index.
-- Result: STATUS, SMSC_ID, PARTS (submit_sm of the submission; null on rows recorded before it was kept),
-- ID, CLIENT_ID, MESSAGE_STATUS.
SELECT s.status, s.smsc_id, s.parts, m.id, m.client_id, m.status AS message_status
FROM smsc_ids s JOIN mt_messages m ON m.id = s.message_id
WHERE s.message_id = :message_id AND s.segment_index = :segment_index FOR UPDATE

-- name: setSegment
-- Binds: status, stat, error_code, done_at (null: now), message_id, segment_index. (A null bind has no
-- date type, and NVL would take its type: CASE with a CAST keeps the result a timestamp.)
UPDATE smsc_ids SET status = :status, stat = :stat, error_code = :error_code,
  done_at = CASE WHEN :done_at IS NULL THEN SYSTIMESTAMP ELSE CAST(:done_at AS TIMESTAMP WITH TIME ZONE) END
WHERE message_id = :message_id AND segment_index = :segment_index

-- name: segmentStatuses
-- Binds: message_id. Result: STATUS of every recorded segment.
SELECT status FROM smsc_ids WHERE message_id = :message_id

-- name: finishMessage
-- Ends a message from its receipts. Binds: status, reason, id.
UPDATE mt_messages SET status = :status, reason = :reason, done_at = SYSTIMESTAMP WHERE id = :id

-- name: settleQueueRow
-- A final receipt proves the submit: IN_FLIGHT (a stale-epoch ack recorded the id) or IN_DOUBT is
-- settled rather than left to lapse or be resent. Binds: id.
UPDATE mt_messages SET queue_state = 'PROCESSED', lease_until = NULL, state_at = SYSTIMESTAMP
WHERE id = :id AND queue_state IN ('IN_FLIGHT', 'IN_DOUBT')

-- name: holdReceipt
-- Binds: id, route_id, bind_id, candidates (JSON), status, stat, error_code, done_at, raw_text, hold_ms.
INSERT INTO held_receipts (id, route_id, bind_id, candidates, status, stat, error_code, done_at, raw_text, received_at, hold_until)
VALUES (:id, :route_id, :bind_id, :candidates, :status, :stat, :error_code, :done_at, :raw_text, SYSTIMESTAMP,
  SYSTIMESTAMP + NUMTODSINTERVAL(:hold_ms / 1000, 'SECOND'))

-- name: holdKey
-- Binds: route_id, match_key, held_id.
MERGE INTO held_receipt_keys k
USING (SELECT :route_id AS route_id, :match_key AS match_key, :held_id AS held_id FROM dual) n
ON (k.route_id = n.route_id AND k.match_key = n.match_key AND k.held_id = n.held_id)
WHEN NOT MATCHED THEN INSERT (route_id, match_key, held_id) VALUES (n.route_id, n.match_key, n.held_id)

-- name: heldFor
-- Held receipts naming a key on a route, oldest first, locked. Binds: route_id, match_key.
-- Result: ID, STATUS, STAT, ERROR_CODE, DONE_AT, RAW_TEXT.
SELECT h.id, h.status, h.stat, h.error_code, h.done_at, h.raw_text
FROM held_receipts h WHERE h.id IN (SELECT k.held_id FROM held_receipt_keys k WHERE k.route_id = :route_id AND k.match_key = :match_key)
ORDER BY h.received_at, h.id FOR UPDATE

-- name: expiredHeld
-- Up to 1000 held receipts past their hold time, locked (safe on every node at once).
-- Result: ID, ROUTE_ID, BIND_ID, CANDIDATES, STAT, RAW_TEXT, HELD_MS.
SELECT id, route_id, bind_id, candidates, stat, raw_text,
  ROUND((CAST(SYSTIMESTAMP AS DATE) - CAST(received_at AS DATE)) * 86400000) AS held_ms
FROM held_receipts WHERE hold_until <= SYSTIMESTAMP AND ROWNUM <= 1000 FOR UPDATE SKIP LOCKED

-- name: dropHeld
-- Deletes a held receipt and (cascade) its keys. Binds: id.
DELETE FROM held_receipts WHERE id = :id
