-- Inbound SMS (MO): parts held for reassembly, recorded MO with their dedup keys. Used by
-- daemon/storage/postgres/mo.ts. Times are ms.

-- name: holdPart
-- Parameters: part id, dedup key, route id, source, short code, reference, total, part seq, text, received_at.
-- Changes: 1, or 0 when a part with that dedup key is already held.
INSERT INTO mo_parts (part_id, dedup_key, route_id, source, short_code, reference, total, part_seq, text, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (dedup_key) DO NOTHING;

-- name: heldParts
-- Result: every held part, oldest first.
SELECT part_id, dedup_key, route_id, source, short_code, reference, total, part_seq, text, received_at
FROM mo_parts ORDER BY received_at, part_id;

-- name: dropParts
-- Parameters: part ids (text[]).
DELETE FROM mo_parts WHERE part_id = ANY($1::text[]);

-- name: lockDedup
-- Serializes MO with one dedup key until commit (an SMSC may redeliver to two nodes at once).
-- Parameters: dedup key.
SELECT pg_advisory_xact_lock(hashtextextended('smsproc.mo.' || $1, 0));

-- name: findDedup
-- The latest MO recorded under a dedup key that still counts. Parameters: dedup key, now. Result: id.
SELECT id FROM mo_messages WHERE dedup_key = $1 AND (dedup_until IS NULL OR dedup_until > $2) ORDER BY seq DESC LIMIT 1;

-- name: moUrlOf
-- Parameters: client id. Result: mo_url and smpp (its SMPP access, or null), when the client exists.
SELECT mo_url, smpp FROM clients WHERE id = $1;

-- name: insertMo
-- Parameters: id, route id, source, short code, text, client id, keyword, args, partial, missing parts,
-- dedup key, dedup_until, received_at, recorded_at, event id.
INSERT INTO mo_messages (id, route_id, source, short_code, text, client_id, keyword, args, partial, missing,
  dedup_key, dedup_until, received_at, recorded_at, event_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15);

-- name: purge
-- MO past retention whose dedup key no longer counts. Parameters: now, cutoff. Changes: rows deleted.
DELETE FROM mo_messages WHERE recorded_at <= $2 AND (dedup_until IS NULL OR dedup_until <= $1);
