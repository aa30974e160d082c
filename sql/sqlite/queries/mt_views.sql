-- Read-only ledger views: status lookups, balances, queue depth per client. Used by
-- daemon/storage/sqlite/mt-views.ts. Parameters are positional (?).

-- name: byId
-- A message of a client by our id. Parameters: message id, client id.
-- Result: ledger columns, queue_state (null without a queue row), in_exception (0/1).
SELECT m.seq, m.id, m.client_id, m.client_ref, m.route_id, m.sender, m.recipient, m.encoding, m.segments, m.status,
  q.state AS queue_state, e.seq IS NOT NULL AS in_exception, m.accepted_at, m.not_before, m.expires_at, m.submitted_at,
  m.done_at, m.error_code, m.reason
FROM messages m LEFT JOIN mt_queue q ON q.seq = m.seq LEFT JOIN mt_exception e ON e.seq = m.seq
WHERE m.id = ? AND m.client_id = ?;

-- name: byRef
-- The most recent message of a client with a client reference. Parameters: client id, client ref.
-- Result: as byId.
SELECT m.seq, m.id, m.client_id, m.client_ref, m.route_id, m.sender, m.recipient, m.encoding, m.segments, m.status,
  q.state AS queue_state, e.seq IS NOT NULL AS in_exception, m.accepted_at, m.not_before, m.expires_at, m.submitted_at,
  m.done_at, m.error_code, m.reason
FROM messages m LEFT JOIN mt_queue q ON q.seq = m.seq LEFT JOIN mt_exception e ON e.seq = m.seq
WHERE m.client_id = ? AND m.client_ref = ? ORDER BY m.seq DESC LIMIT 1;

-- name: smscIds
-- Parameters: seq. Result: smsc_id per segment, in segment order.
SELECT smsc_id FROM smsc_ids WHERE message_seq = ? ORDER BY segment_index;

-- name: parts
-- Per-part detail of a client's message. Parameters: message id, client id.
-- Result: segment_index, parts, smsc_id, status, stat, error_code, submitted_at, done_at, in segment order.
SELECT s.segment_index, s.parts, s.smsc_id, s.status, s.stat, s.error_code, s.submitted_at, s.done_at
FROM messages m JOIN smsc_ids s ON s.message_seq = m.seq
WHERE m.id = ? AND m.client_id = ? ORDER BY s.segment_index;

-- name: events
-- Parameters: seq. Result: at, status, detail, oldest first.
SELECT at, status, detail FROM message_events WHERE message_seq = ? ORDER BY rowid;

-- name: counters
-- Parameters: client id. Result: segments_used.
SELECT segments_used FROM client_counters WHERE client_id = ?;

-- name: isDemo
-- Parameters: client id. Result: demo (0/1).
SELECT demo FROM clients WHERE id = ?;

-- name: queuedOf
-- Messages of a client not yet final. Parameters: client id. Result: n.
SELECT COUNT(*) AS n FROM mt_queue WHERE client_id = ? AND state IN ('READY', 'WAITING', 'IN_FLIGHT', 'IN_DOUBT');

-- name: queuedAll
-- Messages not yet final, per client. Result: client_id, n.
SELECT client_id, COUNT(*) AS n FROM mt_queue
WHERE state IN ('READY', 'WAITING', 'IN_FLIGHT', 'IN_DOUBT') GROUP BY client_id;
