-- What deciding and filling a DLR callback event needs. Used by daemon/storage/postgres/dlr-events.ts.

-- name: context
-- A message's receipt settings and the fields of its event. Parameters: seq.
-- Result: the message columns (source: how it came in), the client's dlr_url (null when the client is gone or has none) and
-- the first segment's SMSC id.
SELECT m.id, m.client_id, m.client_ref, m.recipient, m.sender, m.segments, m.submitted_at, m.dlr_requested,
  m.kannel_dlr_mask, m.kannel_dlr_url, m.source, c.dlr_url,
  (SELECT s.smsc_id FROM smsc_ids s WHERE s.message_seq = m.seq AND s.day = m.day ORDER BY s.segment_index LIMIT 1) AS smsc_id
FROM messages m LEFT JOIN clients c ON c.id = m.client_id WHERE m.seq = $1;
