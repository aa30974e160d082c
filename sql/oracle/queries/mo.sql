-- Inbound SMS (MO): parts held for reassembly, recorded MO with their dedup keys.
-- Used by daemon/storage/oracle/mo.ts.

-- name: holdPart
-- Binds: part_id, dedup_key, route_id, source, short_code, reference, total, part_seq, text, received_at.
-- Rows affected: 1, or 0 when a part with that dedup key is already held.
MERGE INTO mo_parts p USING (SELECT :dedup_key AS dedup_key FROM dual) n ON (p.dedup_key = n.dedup_key)
WHEN NOT MATCHED THEN INSERT (part_id, dedup_key, route_id, source, short_code, reference, total, part_seq, text, received_at)
VALUES (:part_id, n.dedup_key, :route_id, :source, :short_code, :reference, :total, :part_seq, :text, :received_at)

-- name: heldParts
-- Result: every held part, oldest first.
SELECT part_id, dedup_key, route_id, source, short_code, reference, total, part_seq, text, received_at
FROM mo_parts ORDER BY received_at, part_id

-- name: dropPart
-- Binds: part_id.
DELETE FROM mo_parts WHERE part_id = :part_id

-- name: findDedup
-- The latest MO recorded under a dedup key that still counts. Binds: dedup_key. Result: ID.
SELECT * FROM (
  SELECT id FROM mo_messages WHERE dedup_key = :dedup_key AND (dedup_until IS NULL OR dedup_until > SYSTIMESTAMP)
  ORDER BY seq DESC
) WHERE ROWNUM = 1

-- name: moUrlOf
-- Binds: client_id. Result: MO_URL and HAS_SMPP (1 when the client has SMPP access), when the client exists.
SELECT mo_url, CASE WHEN smpp IS NULL THEN 0 ELSE 1 END AS has_smpp FROM clients WHERE id = :client_id

-- name: insertMo
-- Binds: id, route_id, source, short_code, text, client_id, keyword, args, partial, missing, dedup_key,
-- dedup_until, received_at, event_id.
INSERT INTO mo_messages (id, route_id, source, short_code, text, client_id, keyword, args, partial, missing,
  dedup_key, dedup_until, received_at, recorded_at, event_id)
VALUES (:id, :route_id, :source, :short_code, :text, :client_id, :keyword, :args, :partial, :missing,
  :dedup_key, :dedup_until, :received_at, SYSTIMESTAMP, :event_id)

-- name: purge
-- MO past retention whose dedup key no longer counts. Binds: retention_s. Rows affected: deleted.
DELETE FROM mo_messages WHERE recorded_at <= SYSTIMESTAMP - NUMTODSINTERVAL(:retention_s, 'SECOND')
  AND (dedup_until IS NULL OR dedup_until <= SYSTIMESTAMP)
