-- What deciding and filling a DLR callback event needs. Used by daemon/storage/oracle/dlr-events.ts.

-- name: context
-- A message's receipt settings and the fields of its event. Binds: id.
-- Result: the message columns (SOURCE: how it came in), the client's DLR_URL (null when the client is
-- gone or has none) and the first segment's SMSC_ID.
SELECT m.id, m.client_id, m.client_ref, m.recipient, m.sender, m.segments, m.submitted_at, m.dlr_requested,
  m.kannel_dlr_mask, m.kannel_dlr_url, m.source, c.dlr_url,
  (SELECT s.smsc_id FROM smsc_ids s WHERE s.message_id = m.id AND s.segment_index = 0) AS smsc_id
FROM mt_messages m LEFT JOIN clients c ON c.id = m.client_id WHERE m.id = :id
