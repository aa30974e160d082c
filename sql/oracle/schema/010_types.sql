-- 010_types: the AQ payload object types, run as the schema owner (SMSPROC). A payload carries
-- what identifies and orders a message; its content (text, addresses) stays in the ledger, so
-- payloads stay small and a DBA reading AQ$<queue table>.USER_DATA sees whose message it is.
-- Re-running skips types that exist (ORA-00955); a changed type needs a new numbered file.

-- MT queue and its exception queue: one outbound message.
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -955);
BEGIN
  EXECUTE IMMEDIATE q'[
    CREATE TYPE smsproc_mt_payload AS OBJECT (
      message_id  VARCHAR2(64),
      client_id   VARCHAR2(64),
      route_id    VARCHAR2(64),
      segments    NUMBER(3),
      attempts    NUMBER(5),
      accepted_at TIMESTAMP WITH TIME ZONE,
      ready_at    TIMESTAMP WITH TIME ZONE   -- a delayed message is claimable from then on (null: at once)
    )]';
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- DLR events queue: a status change of an MT message to report to its client.
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -955);
BEGIN
  EXECUTE IMMEDIATE q'[
    CREATE TYPE smsproc_dlr_payload AS OBJECT (
      event_id   VARCHAR2(64),
      message_id VARCHAR2(64),
      client_id  VARCHAR2(64),
      status     VARCHAR2(16),
      created_at TIMESTAMP WITH TIME ZONE
    )]';
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- MO queue: an inbound SMS routed to a client.
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -955);
BEGIN
  EXECUTE IMMEDIATE q'[
    CREATE TYPE smsproc_mo_payload AS OBJECT (
      mo_id       VARCHAR2(64),
      client_id   VARCHAR2(64),
      route_id    VARCHAR2(64),
      short_code  VARCHAR2(32),
      received_at TIMESTAMP WITH TIME ZONE
    )]';
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
