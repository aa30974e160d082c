-- The inbound problem log: PDUs and fields we could not use, kept for support until retention ends.
-- Used by daemon/storage/postgres/inbound-problems.ts. Times are ms.

-- name: insert
-- Parameters: kind, route id, bind id, raw hex, detail, at.
INSERT INTO inbound_problems (kind, route_id, bind_id, raw_hex, detail, at) VALUES ($1, $2, $3, $4, $5, $6);

-- name: listAll
-- Parameters: limit. Result: problems, newest first.
SELECT id, kind, route_id, bind_id, raw_hex, detail, at FROM inbound_problems ORDER BY id DESC LIMIT $1;

-- name: listKind
-- Parameters: kind, limit. Result: problems of that kind, newest first.
SELECT id, kind, route_id, bind_id, raw_hex, detail, at FROM inbound_problems WHERE kind = $1 ORDER BY id DESC LIMIT $2;

-- name: purge
-- Parameters: cutoff. Changes: problems deleted.
DELETE FROM inbound_problems WHERE at <= $1;
