-- 040_provisioning: clients, API tokens, virtual ports, routes, prefixes, number-portability
-- overrides and the provisioning version nodes poll, run as the schema owner. The columns mirror
-- the SQLite store's (sql/sqlite/001_initial.sql); strings that may be empty are nullable, since
-- Oracle stores '' as NULL (the adapter reads NULL back as ''). Re-running skips objects that exist.

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
MERGE INTO provisioning_version v
USING (SELECT 1 AS id FROM dual) n ON (v.id = n.id)
WHEN NOT MATCHED THEN INSERT (id, version) VALUES (1, 0)
/
COMMIT
/
