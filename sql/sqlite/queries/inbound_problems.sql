-- The inbound problem log: PDUs and fields we could not use, kept for support until retention ends.
-- Used by daemon/storage/sqlite/inbound-problems.ts. Times are milliseconds.

-- name: insert
-- Parameters: kind, route id, bind id, raw hex, detail, at.
INSERT INTO inbound_problems (kind, route_id, bind_id, raw_hex, detail, at) VALUES (?, ?, ?, ?, ?, ?);

-- name: listAll
-- Parameters: limit. Result: problems, newest first.
SELECT id, kind, route_id, bind_id, raw_hex, detail, at FROM inbound_problems ORDER BY id DESC LIMIT ?;

-- name: listKind
-- Parameters: kind, limit. Result: problems of that kind, newest first.
SELECT id, kind, route_id, bind_id, raw_hex, detail, at FROM inbound_problems WHERE kind = ? ORDER BY id DESC LIMIT ?;

-- name: purge
-- Named parameters: @cutoff. Changes: problems deleted.
DELETE FROM inbound_problems WHERE at <= @cutoff;
