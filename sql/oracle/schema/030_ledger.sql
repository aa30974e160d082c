-- 030_ledger: the MT message ledger and its companions, run as the schema owner. AQ holds what
-- waits (READY, WAITING by delay, priority, expiration); the ledger holds every message for its
-- whole life and the states AQ does not know: IN_FLIGHT under a lease (owner, bind, fencing epoch,
-- lease_until by the database clock), IN_DOUBT after a lapsed lease, and the final states.
-- Times are TIMESTAMP WITH TIME ZONE; booleans NUMBER(1); lists JSON text in VARCHAR2/CLOB.
-- Re-running skips objects that exist (ORA-00955, ORA-01408).

DECLARE
  PROCEDURE ddl(statement VARCHAR2) IS
    already_exists EXCEPTION;
    PRAGMA EXCEPTION_INIT(already_exists, -955);
    already_indexed EXCEPTION;
    PRAGMA EXCEPTION_INIT(already_indexed, -1408);
  BEGIN
    EXECUTE IMMEDIATE statement;
  EXCEPTION
    WHEN already_exists OR already_indexed THEN NULL;
  END;
BEGIN
  -- The installed schema version; the adapter refuses a missing or newer one at start.
  ddl(q'[CREATE TABLE smsproc_schema_version (
    id      NUMBER(1) PRIMARY KEY CHECK (id = 1),
    version NUMBER(5) NOT NULL
  )]');

  -- One row per accepted message. queue_state: QUEUED (the message is in SMSPROC_MT_Q; AQ says
  -- READY or WAITING), IN_FLIGHT, IN_DOUBT, PROCESSED, EXPIRED, EXCEPTION (in SMSPROC_MT_EQ).
  ddl(q'[CREATE TABLE mt_messages (
    id              VARCHAR2(64) PRIMARY KEY,
    client_id       VARCHAR2(64) NOT NULL,
    client_ref      VARCHAR2(256),
    route_id        VARCHAR2(64) NOT NULL,
    sender          VARCHAR2(32) NOT NULL,
    recipient       VARCHAR2(32) NOT NULL,
    text            CLOB,            -- NULL is '' (Oracle stores '' as NULL)
    encoding        VARCHAR2(8) NOT NULL,
    segments        NUMBER(3) NOT NULL,
    priority        NUMBER(3) NOT NULL,
    not_before      TIMESTAMP WITH TIME ZONE,
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    dlr_requested   NUMBER(1) NOT NULL,
    kannel_dlr_mask NUMBER(5),
    kannel_dlr_url  VARCHAR2(2000),
    source          VARCHAR2(16) NOT NULL,
    status          VARCHAR2(16) NOT NULL,
    accepted_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    submitted_at    TIMESTAMP WITH TIME ZONE,
    done_at         TIMESTAMP WITH TIME ZONE,
    error_code      NUMBER(10),
    reason          VARCHAR2(1000),
    queue_state     VARCHAR2(12) NOT NULL
      CHECK (queue_state IN ('QUEUED', 'IN_FLIGHT', 'IN_DOUBT', 'PROCESSED', 'EXPIRED', 'EXCEPTION')),
    ready_at        TIMESTAMP WITH TIME ZONE,
    attempts        NUMBER(5) DEFAULT 0 NOT NULL,
    owner           VARCHAR2(128),
    bind_id         VARCHAR2(128),
    epoch           NUMBER(19),
    lease_until     TIMESTAMP WITH TIME ZONE,
    claim_id        VARCHAR2(36),    -- the claim that set IN_FLIGHT, to read its rows back
    state_at        TIMESTAMP WITH TIME ZONE NOT NULL
  )]');
  ddl('CREATE INDEX mt_messages_client_ref ON mt_messages (client_id, client_ref)');
  ddl('CREATE INDEX mt_messages_state ON mt_messages (queue_state, route_id)');
  ddl('CREATE INDEX mt_messages_lease ON mt_messages (lease_until)');
  ddl('CREATE INDEX mt_messages_expiry ON mt_messages (expires_at)');
  ddl('CREATE INDEX mt_messages_claim ON mt_messages (claim_id)');
  ddl('CREATE INDEX mt_messages_client_state ON mt_messages (client_id, queue_state)');

  -- Status changes after acceptance.
  ddl(q'[CREATE TABLE message_events (
    message_id VARCHAR2(64) NOT NULL REFERENCES mt_messages (id) ON DELETE CASCADE,
    at         TIMESTAMP WITH TIME ZONE NOT NULL,
    status     VARCHAR2(16) NOT NULL,
    detail     VARCHAR2(1000)
  )]');
  ddl('CREATE INDEX message_events_message ON message_events (message_id)');

  -- SMSC message ids per segment, recorded even on a stale epoch (facts are never refused), with
  -- the segment's receipt status.
  ddl(q'[CREATE TABLE smsc_ids (
    message_id    VARCHAR2(64) NOT NULL REFERENCES mt_messages (id) ON DELETE CASCADE,
    segment_index NUMBER(3) NOT NULL,
    route_id      VARCHAR2(64) NOT NULL,
    smsc_id       VARCHAR2(128) NOT NULL,
    status        VARCHAR2(16) DEFAULT 'submitted' NOT NULL,
    stat          VARCHAR2(16),
    error_code    VARCHAR2(32),
    done_at       TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (message_id, segment_index)
  )]');

  -- The forms under which a receipt may name a segment (hex and decimal of one SMSC id, …).
  ddl(q'[CREATE TABLE receipt_keys (
    route_id      VARCHAR2(64) NOT NULL,
    match_key     VARCHAR2(128) NOT NULL,
    message_id    VARCHAR2(64) NOT NULL REFERENCES mt_messages (id) ON DELETE CASCADE,
    segment_index NUMBER(3) NOT NULL,
    PRIMARY KEY (route_id, match_key, message_id, segment_index)
  )]');
  ddl('CREATE INDEX receipt_keys_message ON receipt_keys (message_id)');

  ddl(q'[CREATE TABLE idempotency_keys (
    client_id    VARCHAR2(64) NOT NULL,
    idem_key     VARCHAR2(256) NOT NULL,
    request_hash VARCHAR2(128) NOT NULL,
    message_ids  CLOB NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (client_id, idem_key)
  )]');
  ddl('CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at)');

  -- Segments accepted per client, all time; locked by the enqueue of a demo client, so the
  -- demo allowance is exact across nodes.
  ddl(q'[CREATE TABLE client_counters (
    client_id     VARCHAR2(64) PRIMARY KEY,
    segments_used NUMBER(19) NOT NULL
  )]');

  -- The current fencing epoch of each bind; only ever raised. Claims lock the bind's row, so an
  -- acquisition waits for a claim in progress and a claim never runs on a superseded epoch.
  ddl(q'[CREATE TABLE bind_epochs (
    bind_id VARCHAR2(128) PRIMARY KEY,
    epoch   NUMBER(19) NOT NULL
  )]');
END;
/
MERGE INTO smsproc_schema_version v
USING (SELECT 1 AS id, 1 AS version FROM dual) n ON (v.id = n.id)
WHEN MATCHED THEN UPDATE SET v.version = GREATEST(v.version, n.version)
WHEN NOT MATCHED THEN INSERT (id, version) VALUES (n.id, n.version)
/
COMMIT
/
