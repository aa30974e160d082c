-- Inbound SMS (MO): parts held for reassembly, recorded MO with their dedup keys. Used by
-- daemon/storage/sqlite/mo.ts. Parameters are positional (?) unless named; times are milliseconds.

-- name: holdPart
-- Parameters: part id, dedup key, route id, source, short code, reference, total, part seq, text, received_at.
-- Changes: 1, or 0 when a part with that dedup key is already held.
INSERT INTO mo_parts (part_id, dedup_key, route_id, source, short_code, reference, total, part_seq, text, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING;

-- name: heldParts
-- Result: every held part, oldest first.
SELECT part_id, dedup_key, route_id, source, short_code, reference, total, part_seq, text, received_at
FROM mo_parts ORDER BY received_at, part_id;

-- name: dropPart
-- Parameters: part id.
DELETE FROM mo_parts WHERE part_id = ?;

-- name: findDedup
-- The latest MO recorded under a dedup key that still counts. Parameters: dedup key, now. Result: id.
SELECT id FROM mo_messages WHERE dedup_key = ? AND (dedup_until IS NULL OR dedup_until > ?) ORDER BY seq DESC LIMIT 1;

-- name: moUrlOf
-- Parameters: client id. Result: mo_url and the SMPP access (JSON or null), when the client exists.
SELECT mo_url, smpp FROM clients WHERE id = ?;

-- name: insertMo
-- Parameters: id, route id, source, short code, text, client id, keyword, args, partial 0/1, missing parts,
-- dedup key, dedup_until, received_at, recorded_at, event id.
INSERT INTO mo_messages (id, route_id, source, short_code, text, client_id, keyword, args, partial, missing,
  dedup_key, dedup_until, received_at, recorded_at, event_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: purge
-- MO past retention whose dedup key no longer counts. Named parameters: @now, @cutoff. Changes: rows deleted.
DELETE FROM mo_messages WHERE recorded_at <= @cutoff AND (dedup_until IS NULL OR dedup_until <= @now);
