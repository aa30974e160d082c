-- 076_mt_claim_per_client: fair claims (ClaimRequest.perClientLimit) first ask the ledger which
-- clients have claimable messages on the route and how many (sql/oracle/queries/mt.sql readyClients);
-- this index holds every column that query reads, so it is an index range scan of the route's QUEUED
-- rows, grouped in index order, without visiting the table. The Oracle counterpart of
-- sql/sqlite/010_mt_claim_per_client.sql. One more index write per ledger state change. The adapter
-- works without it (the query then reads the table), so the schema version stays 1.
-- Re-running skips an index that exists.

DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -955);
  already_indexed EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_indexed, -1408);
BEGIN
  EXECUTE IMMEDIATE 'CREATE INDEX mt_messages_route_client ON mt_messages '
    || '(route_id, queue_state, client_id, priority, accepted_at, ready_at, expires_at)';
EXCEPTION
  WHEN already_exists OR already_indexed THEN NULL;
END;
/
