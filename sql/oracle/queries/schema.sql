-- The installed schema, checked at start by daemon/storage/oracle/store.ts.

-- name: version
-- Result: VERSION (ORA-00942 when the schema is not installed).
SELECT version FROM smsproc_schema_version WHERE id = 1
