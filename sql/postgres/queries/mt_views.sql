-- Read-only ledger views: status lookups, balances, queue depth per client. Used by
-- daemon/storage/postgres/mt-views.ts.

-- name: byId
-- A message of a client by our id. Parameters: message id, client id.
-- Result: ledger columns, queue_state (the live state from mt_queue, else the final one).
SELECT m.day, m.seq, m.id, m.client_id, m.client_ref, m.route_id, m.sender, m.recipient, m.encoding, m.segments, m.status,
  COALESCE(q.state, m.queue_state) AS queue_state, m.accepted_at, m.not_before, m.expires_at, m.submitted_at,
  m.done_at, m.error_code, m.reason
FROM messages m LEFT JOIN mt_queue q ON q.seq = m.seq
WHERE m.id = $1 AND m.client_id = $2;

-- name: byRef
-- The most recent message of a client with a client reference. Parameters: client id, client ref. Result: as byId.
SELECT m.day, m.seq, m.id, m.client_id, m.client_ref, m.route_id, m.sender, m.recipient, m.encoding, m.segments, m.status,
  COALESCE(q.state, m.queue_state) AS queue_state, m.accepted_at, m.not_before, m.expires_at, m.submitted_at,
  m.done_at, m.error_code, m.reason
FROM messages m LEFT JOIN mt_queue q ON q.seq = m.seq
WHERE m.client_id = $1 AND m.client_ref = $2 ORDER BY m.seq DESC LIMIT 1;

-- name: smscIds
-- Parameters: day, seq. Result: smsc_id per segment, in segment order.
SELECT smsc_id FROM smsc_ids WHERE day = $1 AND message_seq = $2 ORDER BY segment_index;

-- name: parts
-- Per-part detail of a client's message. Parameters: message id, client id.
-- Result: segment_index, parts, smsc_id, status, stat, error_code, submitted_at, done_at, in segment order.
SELECT s.segment_index, s.parts, s.smsc_id, s.status, s.stat, s.error_code, s.submitted_at, s.done_at
FROM messages m JOIN smsc_ids s ON s.day = m.day AND s.message_seq = m.seq
WHERE m.id = $1 AND m.client_id = $2 ORDER BY s.segment_index;

-- name: events
-- Parameters: day, seq. Result: at, status, detail, oldest first.
SELECT at, status, detail FROM message_events WHERE day = $1 AND message_seq = $2 ORDER BY n;

-- name: balance
-- Parameters: client id. Result: segments_used, demo (null when the client does not exist), queued.
SELECT (SELECT COALESCE(SUM(segments_used), 0) FROM client_counters WHERE client_id = $1) AS segments_used,
  (SELECT demo FROM clients WHERE id = $1) AS demo,
  (SELECT COUNT(*) FROM mt_queue WHERE client_id = $1) AS queued;

-- name: queuedAll
-- Messages not yet final, per client. Result: client_id, n.
SELECT client_id, COUNT(*) AS n FROM mt_queue GROUP BY client_id;
