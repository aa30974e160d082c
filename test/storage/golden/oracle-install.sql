-- admin/create_users.sql #1
DECLARE
  user_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(user_exists, -1920);
BEGIN
  EXECUTE IMMEDIATE q'[CREATE USER smsproc IDENTIFIED BY "change-me-owner" QUOTA UNLIMITED ON users]';
EXCEPTION
  WHEN user_exists THEN NULL;
END;
/

-- admin/create_users.sql #2
GRANT CREATE SESSION, CREATE TABLE, CREATE VIEW, CREATE TYPE, CREATE SEQUENCE, CREATE PROCEDURE TO smsproc
/

-- admin/create_users.sql #3
GRANT EXECUTE ON sys.dbms_aqadm TO smsproc
/

-- admin/create_users.sql #4
GRANT EXECUTE ON sys.dbms_aq TO smsproc
/

-- admin/create_users.sql #5
BEGIN
  sys.dbms_aqadm.grant_system_privilege(privilege => 'ENQUEUE_ANY', grantee => 'SMSPROC', admin_option => FALSE);
  sys.dbms_aqadm.grant_system_privilege(privilege => 'DEQUEUE_ANY', grantee => 'SMSPROC', admin_option => FALSE);
END;
/

-- admin/create_users.sql #6
DECLARE
  role_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(role_exists, -1921);
BEGIN
  EXECUTE IMMEDIATE 'CREATE ROLE smsproc_app';
EXCEPTION
  WHEN role_exists THEN NULL;
END;
/

-- admin/create_users.sql #7
GRANT EXECUTE ON sys.dbms_aq TO smsproc_app
/

-- admin/create_users.sql #8
DECLARE
  role_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(role_exists, -1921);
BEGIN
  EXECUTE IMMEDIATE 'CREATE ROLE smsproc_monitor';
EXCEPTION
  WHEN role_exists THEN NULL;
END;
/

-- admin/create_users.sql #9
GRANT SELECT ON sys.gv_$persistent_queues TO smsproc_monitor
/

-- admin/create_users.sql #10
GRANT SELECT ON sys.v_$aq TO smsproc_monitor
/

-- admin/create_users.sql #11
DECLARE
  user_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(user_exists, -1920);
BEGIN
  EXECUTE IMMEDIATE q'[CREATE USER smsproc_daemon IDENTIFIED BY "change-me-daemon"]';
EXCEPTION
  WHEN user_exists THEN NULL;
END;
/

-- admin/create_users.sql #12
GRANT CREATE SESSION, smsproc_app TO smsproc_daemon
/

-- schema/010_types.sql #1
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

-- schema/010_types.sql #2
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

-- schema/010_types.sql #3
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

-- schema/020_queues.sql #1
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24001);
BEGIN
  dbms_aqadm.create_queue_table(
    queue_table        => 'SMSPROC_MT_QT',
    queue_payload_type => 'SMSPROC_MT_PAYLOAD',
    sort_list          => 'PRIORITY,ENQ_TIME',
    multiple_consumers => FALSE,
    comment            => 'smsproc MT messages waiting for a bind; correlation = route id');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- schema/020_queues.sql #2
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_MT_Q',
    queue_table    => 'SMSPROC_MT_QT',
    max_retries    => 5,
    retry_delay    => 30,
    retention_time => 604800,
    comment        => 'MT queue: READY and WAITING (delayed) messages per route');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- schema/020_queues.sql #3
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_MT_EQ',
    queue_table    => 'SMSPROC_MT_QT',
    queue_type     => dbms_aqadm.exception_queue,
    retention_time => 604800,
    comment        => 'MT exception queue: expired in AQ, or gave up after max_retries');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- schema/020_queues.sql #4
BEGIN
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_MT_Q');
  -- The adapter moves a message here itself after max_retries (its claims commit, so AQ's own
  -- retry count never reaches the limit); that needs enqueue enabled on the exception queue.
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_MT_EQ', enqueue => TRUE, dequeue => TRUE);
END;
/

-- schema/020_queues.sql #5
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24001);
BEGIN
  dbms_aqadm.create_queue_table(
    queue_table        => 'SMSPROC_DLR_QT',
    queue_payload_type => 'SMSPROC_DLR_PAYLOAD',
    sort_list          => 'PRIORITY,ENQ_TIME',
    multiple_consumers => FALSE,
    comment            => 'smsproc delivery-report events for clients; correlation = client id');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- schema/020_queues.sql #6
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_DLR_Q',
    queue_table    => 'SMSPROC_DLR_QT',
    max_retries    => 5,
    retry_delay    => 30,
    retention_time => 604800,
    comment        => 'DLR events waiting for their callback');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- schema/020_queues.sql #7
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_DLR_EQ',
    queue_table    => 'SMSPROC_DLR_QT',
    queue_type     => dbms_aqadm.exception_queue,
    retention_time => 604800,
    comment        => 'DLR events exception queue');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- schema/020_queues.sql #8
BEGIN
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_DLR_Q');
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_DLR_EQ', enqueue => TRUE, dequeue => TRUE);
END;
/

-- schema/020_queues.sql #9
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24001);
BEGIN
  dbms_aqadm.create_queue_table(
    queue_table        => 'SMSPROC_MO_QT',
    queue_payload_type => 'SMSPROC_MO_PAYLOAD',
    sort_list          => 'PRIORITY,ENQ_TIME',
    multiple_consumers => FALSE,
    comment            => 'smsproc inbound SMS for clients; correlation = client id');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- schema/020_queues.sql #10
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_MO_Q',
    queue_table    => 'SMSPROC_MO_QT',
    max_retries    => 5,
    retry_delay    => 30,
    retention_time => 604800,
    comment        => 'MO messages waiting for their callback');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- schema/020_queues.sql #11
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_MO_EQ',
    queue_table    => 'SMSPROC_MO_QT',
    queue_type     => dbms_aqadm.exception_queue,
    retention_time => 604800,
    comment        => 'MO exception queue');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/

-- schema/020_queues.sql #12
BEGIN
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_MO_Q');
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_MO_EQ', enqueue => TRUE, dequeue => TRUE);
END;
/

-- schema/030_ledger.sql #1
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

-- schema/030_ledger.sql #2
MERGE INTO smsproc_schema_version v
USING (SELECT 1 AS id, 1 AS version FROM dual) n ON (v.id = n.id)
WHEN MATCHED THEN UPDATE SET v.version = GREATEST(v.version, n.version)
WHEN NOT MATCHED THEN INSERT (id, version) VALUES (n.id, n.version)
/

-- schema/030_ledger.sql #3
COMMIT
/

-- schema/035_receipts_outbox_mo.sql #1
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
  ddl(q'[CREATE TABLE held_receipts (
    id          VARCHAR2(36) PRIMARY KEY,
    route_id    VARCHAR2(64) NOT NULL,
    bind_id     VARCHAR2(128) NOT NULL,
    candidates  VARCHAR2(2000) NOT NULL,
    status      VARCHAR2(16) NOT NULL,
    stat        VARCHAR2(16),
    error_code  VARCHAR2(32),
    done_at     TIMESTAMP WITH TIME ZONE,
    raw_text    VARCHAR2(4000),
    received_at TIMESTAMP WITH TIME ZONE NOT NULL,
    hold_until  TIMESTAMP WITH TIME ZONE NOT NULL
  )]');
  ddl('CREATE INDEX held_receipts_until ON held_receipts (hold_until)');

  ddl(q'[CREATE TABLE held_receipt_keys (
    route_id  VARCHAR2(64) NOT NULL,
    match_key VARCHAR2(128) NOT NULL,
    held_id   VARCHAR2(36) NOT NULL REFERENCES held_receipts (id) ON DELETE CASCADE,
    PRIMARY KEY (route_id, match_key, held_id)
  )]');
  ddl('CREATE INDEX held_receipt_keys_held ON held_receipt_keys (held_id)');

  -- state: due (waiting for next_attempt_at), leased (a sender holds it until lease_until, by the
  -- database clock), delivered, dead (gave up; replayable).
  ddl(q'[CREATE TABLE callback_outbox (
    seq             NUMBER(19) GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    id              VARCHAR2(36) NOT NULL UNIQUE,
    client_id       VARCHAR2(64) NOT NULL,
    kind            VARCHAR2(8) NOT NULL CHECK (kind IN ('dlr', 'mo')),
    url             VARCHAR2(2000) NOT NULL,
    kannel          NUMBER(1) NOT NULL,
    payload         CLOB NOT NULL,
    state           VARCHAR2(12) NOT NULL CHECK (state IN ('due', 'leased', 'dead', 'delivered')),
    attempts        NUMBER(10) DEFAULT 0 NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_owner     VARCHAR2(128),
    lease_until     TIMESTAMP WITH TIME ZONE,
    last_error      VARCHAR2(2000),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    done_at         TIMESTAMP WITH TIME ZONE
  )]');
  ddl('CREATE INDEX callback_outbox_due ON callback_outbox (state, client_id, seq)');
  ddl('CREATE INDEX callback_outbox_lease ON callback_outbox (state, lease_until)');
  ddl('CREATE INDEX callback_outbox_done ON callback_outbox (state, done_at)');

  ddl(q'[CREATE TABLE mo_parts (
    part_id     VARCHAR2(36) PRIMARY KEY,
    dedup_key   VARCHAR2(256) NOT NULL UNIQUE,
    route_id    VARCHAR2(64) NOT NULL,
    source      VARCHAR2(32) NOT NULL,
    short_code  VARCHAR2(32) NOT NULL,
    reference   NUMBER(5) NOT NULL,
    total       NUMBER(3) NOT NULL,
    part_seq    NUMBER(3) NOT NULL,
    text        VARCHAR2(4000),
    received_at TIMESTAMP WITH TIME ZONE NOT NULL
  )]');

  ddl(q'[CREATE TABLE mo_messages (
    seq         NUMBER(19) GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    id          VARCHAR2(36) NOT NULL UNIQUE,
    route_id    VARCHAR2(64) NOT NULL,
    source      VARCHAR2(32) NOT NULL,
    short_code  VARCHAR2(32) NOT NULL,
    text        CLOB,
    client_id   VARCHAR2(64),
    keyword     VARCHAR2(64),
    args        VARCHAR2(4000),
    partial     NUMBER(1) NOT NULL,
    missing     VARCHAR2(1000),
    dedup_key   VARCHAR2(256),
    dedup_until TIMESTAMP WITH TIME ZONE,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    event_id    VARCHAR2(36)
  )]');
  ddl('CREATE INDEX mo_messages_dedup ON mo_messages (dedup_key)');
  ddl('CREATE INDEX mo_messages_recorded ON mo_messages (recorded_at)');

  ddl(q'[CREATE TABLE inbound_problems (
    id       NUMBER(19) GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind     VARCHAR2(32) NOT NULL,
    route_id VARCHAR2(64),
    bind_id  VARCHAR2(128),
    raw_hex  CLOB,
    detail   VARCHAR2(4000) NOT NULL,
    at       TIMESTAMP WITH TIME ZONE NOT NULL
  )]');
  ddl('CREATE INDEX inbound_problems_kind ON inbound_problems (kind, id)');
  ddl('CREATE INDEX inbound_problems_at ON inbound_problems (at)');
END;
/

-- schema/040_provisioning.sql #1
DECLARE
  PROCEDURE ddl(statement VARCHAR2) IS
    already_exists EXCEPTION;
    PRAGMA EXCEPTION_INIT(already_exists, -955);
  BEGIN
    EXECUTE IMMEDIATE statement;
  EXCEPTION
    WHEN already_exists THEN NULL;
  END;
BEGIN
  -- One row; raised once by every applied provisioning change list.
  ddl(q'[CREATE TABLE provisioning_version (
    id      NUMBER(1) PRIMARY KEY CHECK (id = 1),
    version NUMBER(19) NOT NULL
  )]');

  ddl(q'[CREATE TABLE clients (
    id               VARCHAR2(64) PRIMARY KEY,
    name             VARCHAR2(256) NOT NULL,
    login            VARCHAR2(128) NOT NULL UNIQUE,
    password_hash    VARCHAR2(512),
    url_token        VARCHAR2(128) NOT NULL UNIQUE,
    virtual_port     NUMBER(10) NOT NULL UNIQUE,
    disabled         NUMBER(1) NOT NULL,
    demo             NUMBER(1) NOT NULL,
    allowed_ips      CLOB NOT NULL,
    senders          CLOB NOT NULL,
    reserved_tps     NUMBER(10) NOT NULL,
    max_tps          NUMBER(10),
    max_queued       NUMBER(10) NOT NULL,
    dlr_url          VARCHAR2(2000),
    mo_url           VARCHAR2(2000),
    callback_format  VARCHAR2(32) NOT NULL,
    callback_secret  VARCHAR2(512),
    short_codes      CLOB NOT NULL,
    keywords         CLOB NOT NULL,
    mo_reply_allowed NUMBER(1) NOT NULL,
    -- SMPP access (docs/smpp-server.md) as JSON; NULL for a client that connects over HTTP only.
    smpp             CLOB
  )]');

  ddl(q'[CREATE TABLE api_tokens (
    client_id  VARCHAR2(64) NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    id         VARCHAR2(64) NOT NULL,
    sha256     VARCHAR2(64) NOT NULL UNIQUE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    label      VARCHAR2(256),
    PRIMARY KEY (client_id, id)
  )]');

  -- Every virtual port ever given; never deleted, so a port is never reused.
  ddl(q'[CREATE TABLE virtual_ports (
    port      NUMBER(10) PRIMARY KEY,
    client_id VARCHAR2(64) NOT NULL
  )]');

  ddl(q'[CREATE TABLE routes (
    id                  VARCHAR2(64) PRIMARY KEY,
    host                VARCHAR2(256) NOT NULL,
    port                NUMBER(5) NOT NULL,
    tls                 NUMBER(1) NOT NULL,
    system_id           VARCHAR2(64) NOT NULL,
    password            VARCHAR2(256),
    system_type         VARCHAR2(64),
    bind_mode           VARCHAR2(16) NOT NULL,
    binds               NUMBER(5) NOT NULL,
    window_size         NUMBER(5) NOT NULL,
    tps                 NUMBER(10) NOT NULL,
    default_data_coding NUMBER(3) NOT NULL,
    gsm_packing         VARCHAR2(16) NOT NULL,
    concatenation       VARCHAR2(16) NOT NULL,
    receipt_id_format   VARCHAR2(16) NOT NULL,
    in_doubt_policy     VARCHAR2(16) NOT NULL,
    source_ton          NUMBER(3) NOT NULL,
    source_npi          NUMBER(3) NOT NULL,
    dest_ton            NUMBER(3) NOT NULL,
    dest_npi            NUMBER(3) NOT NULL,
    disabled            NUMBER(1) NOT NULL
  )]');

  ddl(q'[CREATE TABLE prefixes (
    prefix   VARCHAR2(32) PRIMARY KEY,
    route_id VARCHAR2(64) NOT NULL REFERENCES routes (id)
  )]');

  ddl(q'[CREATE TABLE number_overrides (
    msisdn   VARCHAR2(32) PRIMARY KEY,
    route_id VARCHAR2(64) NOT NULL REFERENCES routes (id)
  )]');
  ddl('CREATE INDEX number_overrides_route ON number_overrides (route_id)');
END;
/

-- schema/040_provisioning.sql #2
MERGE INTO provisioning_version v
USING (SELECT 1 AS id FROM dual) n ON (v.id = n.id)
WHEN NOT MATCHED THEN INSERT (id, version) VALUES (1, 0)
/

-- schema/040_provisioning.sql #3
COMMIT
/

-- schema/045_scenarios_payouts.sql #1
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
  -- Every version of every scenario; the current one is the highest version.
  ddl(q'[CREATE TABLE scenario_versions (
    scenario_id VARCHAR2(128) NOT NULL,
    version     NUMBER(10) NOT NULL,
    client_id   VARCHAR2(64) NOT NULL,
    source      CLOB NOT NULL,
    bindings    CLOB NOT NULL,
    disabled    NUMBER(1) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (scenario_id, version)
  )]');

  -- The bindings of each enabled scenario's current version: one scenario per short code and
  -- keyword. keyword NULL binds every MO to the short code; Oracle's unique key refuses two rows
  -- with the same short code and both keywords NULL, as it does for equal keywords.
  ddl(q'[CREATE TABLE scenario_bindings (
    short_code  VARCHAR2(32) NOT NULL,
    keyword     VARCHAR2(64),
    scenario_id VARCHAR2(128) NOT NULL,
    forward     NUMBER(1) NOT NULL,
    CONSTRAINT scenario_bindings_key UNIQUE (short_code, keyword)
  )]');
  ddl('CREATE INDEX scenario_bindings_scenario ON scenario_bindings (scenario_id)');

  -- Each subscriber's state in a scenario; revision guards concurrent steps (optimistic).
  ddl(q'[CREATE TABLE scenario_subscribers (
    scenario_id VARCHAR2(128) NOT NULL,
    subscriber  VARCHAR2(32) NOT NULL,
    state       CLOB NOT NULL,
    state_id    VARCHAR2(128),
    score       NUMBER(19) NOT NULL,
    revision    NUMBER(19) NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (scenario_id, subscriber)
  )]');
  ddl('CREATE INDEX scenario_subscribers_score ON scenario_subscribers (scenario_id, score, updated_at)');

  -- One row per MO a scenario answered: its primary key makes a redelivered MO count once, also
  -- when two nodes see it (the second insert waits for the first commit, then fails with ORA-00001).
  ddl(q'[CREATE TABLE scenario_steps (
    scenario_id VARCHAR2(128) NOT NULL,
    mo_id       VARCHAR2(64) NOT NULL,
    subscriber  VARCHAR2(32) NOT NULL,
    disposition VARCHAR2(32) NOT NULL,
    counted     NUMBER(1) NOT NULL,
    replies     CLOB NOT NULL,
    at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (scenario_id, mo_id)
  )]');

  ddl(q'[CREATE TABLE scenario_tallies (
    scenario_id VARCHAR2(128) NOT NULL,
    tally_key   VARCHAR2(256) NOT NULL,
    tally_count NUMBER(19) NOT NULL,
    PRIMARY KEY (scenario_id, tally_key)
  )]');

  -- Entries (a lottery's tickets); id is `<mo id>/<n>`, so a step's entries are unique too.
  ddl(q'[CREATE TABLE scenario_entries (
    id          VARCHAR2(100) PRIMARY KEY,
    scenario_id VARCHAR2(128) NOT NULL,
    subscriber  VARCHAR2(32) NOT NULL,
    label       VARCHAR2(1000),
    at          TIMESTAMP WITH TIME ZONE NOT NULL
  )]');
  ddl('CREATE INDEX scenario_entries_scenario ON scenario_entries (scenario_id, id)');

  -- Draws with what makes them auditable: the seed and the hash of the entry list drawn from.
  ddl(q'[CREATE TABLE scenario_draws (
    scenario_id  VARCHAR2(128) NOT NULL,
    draw_id      VARCHAR2(128) NOT NULL,
    seed         VARCHAR2(512) NOT NULL,
    entries_hash VARCHAR2(256) NOT NULL,
    entry_count  NUMBER(10) NOT NULL,
    winners      CLOB NOT NULL,
    drawn_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (scenario_id, draw_id)
  )]');

  ddl(q'[CREATE TABLE payout_budgets (
    client_id    VARCHAR2(64) PRIMARY KEY,
    currency     VARCHAR2(16) NOT NULL,
    budget_minor NUMBER(19) NOT NULL CHECK (budget_minor >= 0)
  )]');

  -- state: requested (to send), sent (the provider has it; to reconcile), confirmed, failed.
  -- Leases and due times are by the database clock.
  ddl(q'[CREATE TABLE payouts (
    seq             NUMBER(19) GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    id              VARCHAR2(256) NOT NULL UNIQUE,
    client_id       VARCHAR2(64) NOT NULL,
    subscriber      VARCHAR2(32) NOT NULL,
    amount_minor    NUMBER(19) NOT NULL CHECK (amount_minor > 0),
    currency        VARCHAR2(16) NOT NULL,
    reason          VARCHAR2(2000),
    scenario_id     VARCHAR2(128),
    mo_id           VARCHAR2(64),
    state           VARCHAR2(12) NOT NULL CHECK (state IN ('requested', 'sent', 'confirmed', 'failed')),
    attempts        NUMBER(10) DEFAULT 0 NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_owner     VARCHAR2(128),
    lease_until     TIMESTAMP WITH TIME ZONE,
    provider_ref    VARCHAR2(256),
    last_error      VARCHAR2(4000),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
  )]');
  ddl('CREATE INDEX payouts_due ON payouts (state, next_attempt_at)');
  ddl('CREATE INDEX payouts_client ON payouts (client_id, state)');
END;
/

-- schema/047_web_sessions.sql #1
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
  ddl(q'[CREATE TABLE web_sessions (
    id_sha256  VARCHAR2(64) PRIMARY KEY,
    kind       VARCHAR2(8) NOT NULL CHECK (kind IN ('stats', 'admin')),
    subject    VARCHAR2(128) NOT NULL,
    csrf_token VARCHAR2(64) NOT NULL,
    lang       VARCHAR2(8),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
  )]');
  ddl('CREATE INDEX web_sessions_expiry ON web_sessions (expires_at)');
  ddl('CREATE INDEX web_sessions_subject ON web_sessions (subject, kind)');
END;
/

-- schema/050_views.sql #1
CREATE OR REPLACE VIEW smsproc_mt_waiting AS
SELECT q.queue, q.corr_id AS route_id, q.msg_state, COUNT(*) AS messages,
       MIN(q.enq_time) AS oldest_enqueued, MIN(q.delay) AS next_ready
FROM aq$smsproc_mt_qt q
WHERE q.msg_state IN ('READY', 'WAITING', 'EXPIRED')
  AND (q.queue <> 'SMSPROC_MT_Q' OR EXISTS (
    SELECT 1 FROM mt_messages m WHERE m.id = q.user_data.message_id AND m.queue_state = 'QUEUED'))
GROUP BY q.queue, q.corr_id, q.msg_state
/

-- schema/050_views.sql #2
CREATE OR REPLACE VIEW smsproc_mt_depth AS
SELECT m.route_id, m.queue_state, COUNT(*) AS messages, MIN(m.accepted_at) AS oldest_accepted,
       ROUND((CAST(SYSTIMESTAMP AS DATE) - CAST(MIN(m.accepted_at) AS DATE)) * 86400) AS oldest_age_s
FROM mt_messages m
GROUP BY m.route_id, m.queue_state
/

-- schema/050_views.sql #3
CREATE OR REPLACE VIEW smsproc_mt_in_flight AS
SELECT m.id, m.route_id, m.client_id, m.owner, m.bind_id, m.epoch, m.lease_until, m.attempts,
       ROUND((CAST(m.lease_until AS DATE) - CAST(SYSTIMESTAMP AS DATE)) * 86400) AS lease_left_s
FROM mt_messages m
WHERE m.queue_state = 'IN_FLIGHT'
/

-- schema/050_views.sql #4
CREATE OR REPLACE VIEW smsproc_mt_in_doubt AS
SELECT m.id, m.route_id, m.client_id, m.owner, m.bind_id, m.epoch, m.lease_until, m.attempts, m.recipient
FROM mt_messages m
WHERE m.queue_state = 'IN_DOUBT'
/

-- schema/050_views.sql #5
CREATE OR REPLACE VIEW smsproc_mt_retrying AS
SELECT m.id, m.route_id, m.client_id, m.attempts, m.ready_at, m.reason
FROM mt_messages m
WHERE m.queue_state = 'QUEUED' AND m.attempts > 0
/

-- schema/050_views.sql #6
CREATE OR REPLACE VIEW smsproc_mt_exception AS
SELECT q.user_data.message_id AS id, q.corr_id AS route_id, q.user_data.client_id AS client_id,
       q.msg_state, q.enq_time, m.queue_state, m.attempts, m.reason
FROM aq$smsproc_mt_qt q
LEFT JOIN mt_messages m ON m.id = q.user_data.message_id
WHERE q.queue = 'SMSPROC_MT_EQ'
/

-- schema/050_views.sql #7
CREATE OR REPLACE VIEW smsproc_route_backlog AS
SELECT r.id AS route_id,
       (SELECT COUNT(*) FROM aq$smsproc_mt_qt q WHERE q.queue = 'SMSPROC_MT_Q' AND q.corr_id = r.id
          AND q.msg_state IN ('READY', 'WAITING') AND EXISTS (
            SELECT 1 FROM mt_messages m WHERE m.id = q.user_data.message_id AND m.queue_state = 'QUEUED')) AS waiting,
       (SELECT COUNT(*) FROM mt_messages m WHERE m.route_id = r.id AND m.queue_state = 'IN_FLIGHT') AS in_flight,
       (SELECT LISTAGG(DISTINCT m.bind_id || '@' || m.owner, ', ') WITHIN GROUP (ORDER BY m.bind_id || '@' || m.owner)
          FROM mt_messages m WHERE m.route_id = r.id AND m.queue_state = 'IN_FLIGHT') AS holders
FROM routes r
/

-- schema/050_views.sql #8
CREATE OR REPLACE VIEW smsproc_bind_epochs AS
SELECT bind_id, epoch FROM bind_epochs
/

-- schema/050_views.sql #9
CREATE OR REPLACE VIEW smsproc_client_usage AS
SELECT c.id AS client_id, c.demo, NVL(k.segments_used, 0) AS segments_used,
       (SELECT COUNT(*) FROM mt_messages m WHERE m.client_id = c.id
          AND m.queue_state IN ('QUEUED', 'IN_FLIGHT', 'IN_DOUBT')) AS queued
FROM clients c LEFT JOIN client_counters k ON k.client_id = c.id
/

-- schema/050_views.sql #10
CREATE OR REPLACE VIEW smsproc_callback_backlog AS
SELECT o.client_id, o.kind, o.state, COUNT(*) AS events, MIN(o.created_at) AS oldest_created,
       ROUND((CAST(SYSTIMESTAMP AS DATE) - CAST(MIN(o.created_at) AS DATE)) * 86400) AS oldest_age_s
FROM callback_outbox o
GROUP BY o.client_id, o.kind, o.state
/

-- schema/050_views.sql #11
CREATE OR REPLACE VIEW smsproc_held_receipts AS
SELECT h.id, h.route_id, h.bind_id, h.candidates, h.status, h.received_at, h.hold_until
FROM held_receipts h
/

-- schema/060_grants.sql #1
DECLARE
  PROCEDURE grant_all(tables VARCHAR2, privileges VARCHAR2, grantee VARCHAR2) IS
  BEGIN
    FOR t IN (SELECT REGEXP_SUBSTR(tables, '[^,]+', 1, LEVEL) AS name FROM dual
              CONNECT BY REGEXP_SUBSTR(tables, '[^,]+', 1, LEVEL) IS NOT NULL) LOOP
      EXECUTE IMMEDIATE 'GRANT ' || privileges || ' ON ' || t.name || ' TO ' || grantee;
    END LOOP;
  END;
BEGIN
  grant_all('smsproc_schema_version', 'SELECT', 'smsproc_app');
  grant_all('mt_messages,message_events,smsc_ids,receipt_keys,idempotency_keys,client_counters,bind_epochs,'
    || 'held_receipts,held_receipt_keys,callback_outbox,mo_parts,mo_messages,inbound_problems,'
    || 'provisioning_version,clients,api_tokens,virtual_ports,routes,prefixes,number_overrides,'
    || 'scenario_versions,scenario_bindings,scenario_subscribers,scenario_steps,scenario_tallies,scenario_entries,'
    || 'scenario_draws,payout_budgets,payouts,web_sessions',
    'SELECT, INSERT, UPDATE, DELETE', 'smsproc_app');
  grant_all('smsproc_mt_payload,smsproc_dlr_payload,smsproc_mo_payload', 'EXECUTE', 'smsproc_app');
  grant_all('smsproc_mt_waiting,smsproc_mt_depth,smsproc_mt_in_flight,smsproc_mt_in_doubt,smsproc_mt_retrying,'
    || 'smsproc_mt_exception,smsproc_route_backlog,smsproc_bind_epochs,smsproc_client_usage,'
    || 'smsproc_callback_backlog,smsproc_held_receipts,'
    || 'aq$smsproc_mt_qt,aq$smsproc_dlr_qt,aq$smsproc_mo_qt', 'SELECT', 'smsproc_monitor');
  grant_all('smsproc_mt_waiting,smsproc_mt_depth,smsproc_mt_in_flight,smsproc_mt_in_doubt,smsproc_mt_retrying,'
    || 'smsproc_mt_exception,smsproc_route_backlog,smsproc_bind_epochs,smsproc_client_usage,'
    || 'smsproc_callback_backlog,smsproc_held_receipts', 'SELECT', 'smsproc_app');
END;
/

-- schema/060_grants.sql #2
BEGIN
  FOR q IN (SELECT column_value AS name FROM TABLE(sys.odcivarchar2list(
              'SMSPROC_MT_Q', 'SMSPROC_MT_EQ', 'SMSPROC_DLR_Q', 'SMSPROC_DLR_EQ', 'SMSPROC_MO_Q', 'SMSPROC_MO_EQ'))) LOOP
    dbms_aqadm.grant_queue_privilege(privilege => 'ALL', queue_name => q.name, grantee => 'SMSPROC_APP', grant_option => FALSE);
  END LOOP;
END;
/

-- schema/070_operator_indexes.sql #1
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
  ddl('CREATE INDEX mt_messages_client_accepted ON mt_messages (client_id, accepted_at)');
  ddl('CREATE INDEX mt_messages_accepted ON mt_messages (accepted_at)');
  ddl('CREATE INDEX mt_messages_client_recipient ON mt_messages (client_id, recipient, accepted_at)');
END;
/

-- schema/075_segment_detail.sql #1
DECLARE
  column_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(column_exists, -1430);
BEGIN
  EXECUTE IMMEDIATE 'ALTER TABLE smsc_ids ADD (submitted_at TIMESTAMP WITH TIME ZONE)';
EXCEPTION
  WHEN column_exists THEN NULL;
END;
/

-- schema/075_segment_detail.sql #2
DECLARE
  column_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(column_exists, -1430);
BEGIN
  EXECUTE IMMEDIATE 'ALTER TABLE smsc_ids ADD (parts NUMBER(3))';
EXCEPTION
  WHEN column_exists THEN NULL;
END;
/

-- schema/076_mt_claim_per_client.sql #1
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

-- schema/077_outbox_claim_channel.sql #1
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
