-- 077_outbox_claim_channel: due callback events per client and channel (SMPP or not), so that a
-- scoped claim (CallbackClaimScope: a node takes SMPP-channel events only of clients bound to it) reads
-- the rows of the channel it takes (sql/oracle/queries/outbox.sql dueOfClient, whose CASE expression
-- this index holds as written there) instead of skipping the client's events of the other channel.
-- The Oracle counterpart of sql/sqlite/013_outbox_claim_channel.sql. callback_outbox_due stays (the
-- scans of due clients and of dead events by client use it). The adapter works without this index
-- (the claim then filters the table's rows), so the schema version stays 1. Re-running skips an index
-- that exists.

DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -955);
  already_indexed EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_indexed, -1408);
BEGIN
  EXECUTE IMMEDIATE 'CREATE INDEX callback_outbox_due_channel ON callback_outbox '
    || '(state, client_id, CASE WHEN url = ''smpp:'' THEN 1 ELSE 0 END, seq)';
EXCEPTION
  WHEN already_exists OR already_indexed THEN NULL;
END;
/
