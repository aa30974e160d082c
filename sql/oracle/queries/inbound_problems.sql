-- The inbound problem log: PDUs and fields we could not use, kept for support until retention ends.
-- Used by daemon/storage/oracle/inbound-problems.ts.

-- name: insert
-- Binds: kind, route_id, bind_id, raw_hex, detail.
INSERT INTO inbound_problems (kind, route_id, bind_id, raw_hex, detail, at)
VALUES (:kind, :route_id, :bind_id, :raw_hex, :detail, SYSTIMESTAMP)

-- name: listAll
-- Binds: max_rows. Result: problems, newest first.
SELECT * FROM (SELECT id, kind, route_id, bind_id, raw_hex, detail, at FROM inbound_problems ORDER BY id DESC)
WHERE ROWNUM <= :max_rows

-- name: listKind
-- Binds: kind, max_rows. Result: problems of that kind, newest first.
SELECT * FROM (SELECT id, kind, route_id, bind_id, raw_hex, detail, at FROM inbound_problems WHERE kind = :kind ORDER BY id DESC)
WHERE ROWNUM <= :max_rows

-- name: purge
-- Binds: retention_s. Rows affected: problems deleted.
DELETE FROM inbound_problems WHERE at <= SYSTIMESTAMP - NUMTODSINTERVAL(:retention_s, 'SECOND')
