-- Read-only lookups of the ledger for clients and admission: a message's view with its history and
-- SMSC ids, a client's balance, messages waiting per client. Used by daemon/storage/oracle/mt-views.ts.

-- name: byId
-- Binds: client_id, id. Result: the ledger columns of MessageView plus AQ_WAITING (1 while not yet claimable).
SELECT m.*, CASE WHEN m.ready_at > SYSTIMESTAMP THEN 1 ELSE 0 END AS aq_waiting
FROM mt_messages m WHERE m.client_id = :client_id AND m.id = :id

-- name: byClientRef
-- The newest message with this client reference. Binds: client_id, client_ref. Result: as byId.
SELECT * FROM (
  SELECT m.*, CASE WHEN m.ready_at > SYSTIMESTAMP THEN 1 ELSE 0 END AS aq_waiting
  FROM mt_messages m WHERE m.client_id = :client_id AND m.client_ref = :client_ref
  ORDER BY m.accepted_at DESC, m.id DESC
) WHERE ROWNUM = 1

-- name: history
-- Binds: message_id. Result: AT, STATUS, DETAIL in order.
SELECT at, status, detail FROM message_events WHERE message_id = :message_id ORDER BY at

-- name: smscIds
-- Binds: message_id. Result: SMSC_ID by segment.
SELECT smsc_id FROM smsc_ids WHERE message_id = :message_id ORDER BY segment_index

-- name: parts
-- A message's recorded segments in order, when it is the client's. Binds: id, client_id.
-- Result: SEGMENT_INDEX, PARTS, SMSC_ID, STATUS, STAT, ERROR_CODE, SUBMITTED_AT, DONE_AT.
SELECT s.segment_index, s.parts, s.smsc_id, s.status, s.stat, s.error_code, s.submitted_at, s.done_at
FROM smsc_ids s JOIN mt_messages m ON m.id = s.message_id
WHERE s.message_id = :id AND m.client_id = :client_id
ORDER BY s.segment_index

-- name: balance
-- Binds: client_id. Result: DEMO (null for an unknown client), SEGMENTS_USED, QUEUED.
SELECT (SELECT demo FROM clients WHERE id = :client_id) AS demo,
  NVL((SELECT segments_used FROM client_counters WHERE client_id = :client_id), 0) AS segments_used,
  (SELECT COUNT(*) FROM mt_messages WHERE client_id = :client_id AND queue_state IN ('QUEUED', 'IN_FLIGHT', 'IN_DOUBT')) AS queued
FROM dual

-- name: queuedByClient
-- Result: CLIENT_ID, QUEUED for every client with messages not yet final.
SELECT client_id, COUNT(*) AS queued FROM mt_messages
WHERE queue_state IN ('QUEUED', 'IN_FLIGHT', 'IN_DOUBT') GROUP BY client_id
