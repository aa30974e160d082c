-- 001_initial: the PostgreSQL schema (major version 1): provisioning, the MT ledger (partitioned by
-- acceptance day), the hot MT queue table, idempotency keys, counters, bind epochs, receipt
-- correlation, the callback outbox, MO and the inbound problem log.
-- Times are bigint milliseconds since the Unix epoch, as in the SQLite store, so that both adapters
-- share their semantics; ms_now() is the database clock every lease and deadline is measured by.
-- Needs PostgreSQL 13 or later (declarative partitioning with a default partition, ON CONFLICT).

CREATE FUNCTION ms_now() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;

-- Provisioning ---------------------------------------------------------------------------------------

CREATE TABLE provisioning_version (
  id      integer PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);
INSERT INTO provisioning_version (id, version) VALUES (1, 0);

CREATE TABLE clients (
  id               text PRIMARY KEY,
  name             text NOT NULL,
  login            text NOT NULL UNIQUE,
  password_hash    text,
  url_token        text NOT NULL UNIQUE,
  virtual_port     integer NOT NULL UNIQUE,
  disabled         boolean NOT NULL,
  demo             boolean NOT NULL,
  allowed_ips      jsonb NOT NULL,
  senders          jsonb NOT NULL,
  reserved_tps     integer NOT NULL,
  max_tps          integer,
  max_queued       integer NOT NULL,
  dlr_url          text,
  mo_url           text,
  callback_format  text NOT NULL,
  callback_secret  text NOT NULL,
  short_codes      jsonb NOT NULL,
  keywords         jsonb NOT NULL,
  mo_reply_allowed boolean NOT NULL
);

CREATE TABLE api_tokens (
  client_id  text NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  id         text NOT NULL,
  sha256     text NOT NULL UNIQUE,
  created_at bigint NOT NULL,
  label      text NOT NULL,
  PRIMARY KEY (client_id, id)
);

-- Every virtual port ever given; never deleted, so a port is never reused.
CREATE TABLE virtual_ports (
  port      integer PRIMARY KEY,
  client_id text NOT NULL
);

CREATE TABLE routes (
  id                  text PRIMARY KEY,
  host                text NOT NULL,
  port                integer NOT NULL,
  tls                 boolean NOT NULL,
  system_id           text NOT NULL,
  password            text NOT NULL,
  system_type         text NOT NULL,
  bind_mode           text NOT NULL,
  binds               integer NOT NULL,
  window_size         integer NOT NULL,
  tps                 integer NOT NULL,
  default_data_coding integer NOT NULL,
  gsm_packing         text NOT NULL,
  concatenation       text NOT NULL,
  receipt_id_format   text NOT NULL,
  in_doubt_policy     text NOT NULL,
  source_ton          integer NOT NULL,
  source_npi          integer NOT NULL,
  dest_ton            integer NOT NULL,
  dest_npi            integer NOT NULL,
  disabled            boolean NOT NULL
);

CREATE TABLE prefixes (
  prefix   text PRIMARY KEY,
  route_id text NOT NULL REFERENCES routes (id)
);

CREATE TABLE number_overrides (
  msisdn   text PRIMARY KEY,
  route_id text NOT NULL REFERENCES routes (id)
);
CREATE INDEX number_overrides_route ON number_overrides (route_id);

-- MT ledger (partitioned by acceptance day) ------------------------------------------------------------

-- day = floor(accepted_at / 86400000), UTC. The ledger and its children are partitioned by it, with
-- one partition per day (made ahead by the sweep) and a default partition as a safety net; retention
-- drops a day's four partitions whole once every message of the day is final and past retention.
-- queue_state/queue_done_at hold the final queue state (PROCESSED, EXPIRED, EXCEPTION) once the
-- message left mt_queue; NULL while it is queued.
CREATE SEQUENCE messages_seq;
CREATE TABLE messages (
  day             integer NOT NULL,
  seq             bigint NOT NULL DEFAULT nextval('messages_seq'),
  id              text NOT NULL,
  client_id       text NOT NULL,
  client_ref      text,
  route_id        text NOT NULL,
  sender          text NOT NULL,
  recipient       text NOT NULL,
  text            text NOT NULL,
  encoding        text NOT NULL,
  segments        integer NOT NULL,
  priority        integer NOT NULL,
  not_before      bigint,
  expires_at      bigint NOT NULL,
  dlr_requested   boolean NOT NULL,
  kannel_dlr_mask integer,
  kannel_dlr_url  text,
  source          text NOT NULL,
  status          text NOT NULL,
  accepted_at     bigint NOT NULL,
  submitted_at    bigint,
  done_at         bigint,
  error_code      integer,
  reason          text,
  attempts        integer,
  queue_state     text CHECK (queue_state IN ('PROCESSED', 'EXPIRED', 'EXCEPTION')),
  queue_done_at   bigint,
  PRIMARY KEY (day, seq),
  UNIQUE (id, day)
) PARTITION BY RANGE (day);
CREATE INDEX messages_seq_only ON messages (seq);
CREATE INDEX messages_client_ref ON messages (client_id, client_ref) WHERE client_ref IS NOT NULL;
CREATE INDEX messages_queue_done ON messages (queue_done_at) WHERE queue_state IS NOT NULL;

CREATE SEQUENCE message_events_n;
CREATE TABLE message_events (
  day         integer NOT NULL,
  message_seq bigint NOT NULL,
  n           bigint NOT NULL DEFAULT nextval('message_events_n'),
  at          bigint NOT NULL,
  status      text NOT NULL,
  detail      text
) PARTITION BY RANGE (day);
CREATE INDEX message_events_message ON message_events (message_seq, n);

-- One row per submitted segment with its SMSC id and the status its receipts reported.
CREATE TABLE smsc_ids (
  day           integer NOT NULL,
  message_seq   bigint NOT NULL,
  segment_index integer NOT NULL,
  route_id      text NOT NULL,
  smsc_id       text NOT NULL,
  status        text NOT NULL DEFAULT 'submitted',
  stat          text,
  error_code    text,
  done_at       bigint,
  PRIMARY KEY (day, message_seq, segment_index)
) PARTITION BY RANGE (day);
CREATE INDEX smsc_ids_message ON smsc_ids (message_seq, segment_index);

-- Every form under which a receipt may name a segment's SMSC id, per route.
CREATE TABLE receipt_keys (
  day           integer NOT NULL,
  route_id      text NOT NULL,
  match_key     text NOT NULL,
  message_seq   bigint NOT NULL,
  segment_index integer NOT NULL,
  PRIMARY KEY (day, route_id, match_key, message_seq, segment_index)
) PARTITION BY RANGE (day);
CREATE INDEX receipt_keys_lookup ON receipt_keys (route_id, match_key, message_seq DESC);

CREATE TABLE messages_default PARTITION OF messages DEFAULT;
CREATE TABLE message_events_default PARTITION OF message_events DEFAULT;
CREATE TABLE smsc_ids_default PARTITION OF smsc_ids DEFAULT;
CREATE TABLE receipt_keys_default PARTITION OF receipt_keys DEFAULT;

-- MT queue: the hot table (Oracle AQ semantics) ---------------------------------------------------------

-- Only messages not yet final: READY, WAITING, IN_FLIGHT, IN_DOUBT. A message leaves it when final
-- (its final state goes to the ledger), so the table stays as small as the backlog. Partial indexes
-- hold only the rows each operation looks for; autovacuum runs early on it to keep dead tuples few.
CREATE TABLE mt_queue (
  seq         bigint PRIMARY KEY,
  day         integer NOT NULL,
  route_id    text NOT NULL,
  client_id   text NOT NULL,
  state       text NOT NULL CHECK (state IN ('READY', 'WAITING', 'IN_FLIGHT', 'IN_DOUBT')),
  priority    integer NOT NULL,
  not_before  bigint,
  expires_at  bigint NOT NULL,
  attempts    integer NOT NULL DEFAULT 0,
  owner       text,
  bind_id     text,
  epoch       bigint,
  lease_until bigint
) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_cost_delay = 0);
CREATE INDEX mt_queue_ready ON mt_queue (route_id, priority, seq) WHERE state = 'READY';
CREATE INDEX mt_queue_waiting ON mt_queue (not_before) WHERE state = 'WAITING';
CREATE INDEX mt_queue_expiry ON mt_queue (expires_at) WHERE state IN ('READY', 'WAITING');
CREATE INDEX mt_queue_lease ON mt_queue (lease_until) WHERE state = 'IN_FLIGHT';
CREATE INDEX mt_queue_in_doubt ON mt_queue (route_id) WHERE state = 'IN_DOUBT';
CREATE INDEX mt_queue_client ON mt_queue (client_id);
CREATE INDEX mt_queue_day ON mt_queue (day);

-- Idempotency, counters, fencing -------------------------------------------------------------------------

CREATE TABLE idempotency_keys (
  client_id    text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  message_ids  jsonb NOT NULL,
  expires_at   bigint NOT NULL,
  PRIMARY KEY (client_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Segments accepted per client, spread over 16 shards so that concurrent enqueues of one client do
-- not queue behind one row lock; the total is the sum. Demo clients lock their client row instead.
CREATE TABLE client_counters (
  client_id     text NOT NULL,
  shard         smallint NOT NULL,
  segments_used bigint NOT NULL,
  PRIMARY KEY (client_id, shard)
);

CREATE TABLE bind_epochs (
  bind_id text PRIMARY KEY,
  epoch   bigint NOT NULL
);

-- Receipts held until their submit_sm_resp ------------------------------------------------------------

CREATE TABLE held_receipts (
  id          bigserial PRIMARY KEY,
  route_id    text NOT NULL,
  bind_id     text NOT NULL,
  candidates  jsonb NOT NULL,
  status      text NOT NULL,
  stat        text,
  error_code  text,
  done_at     bigint,
  raw         text NOT NULL,
  received_at bigint NOT NULL,
  hold_until  bigint NOT NULL
);
CREATE INDEX held_receipts_until ON held_receipts (hold_until);

CREATE TABLE held_receipt_keys (
  route_id  text NOT NULL,
  match_key text NOT NULL,
  held_id   bigint NOT NULL REFERENCES held_receipts (id) ON DELETE CASCADE,
  PRIMARY KEY (route_id, match_key, held_id)
);
CREATE INDEX held_receipt_keys_held ON held_receipt_keys (held_id);

-- Callback outbox ---------------------------------------------------------------------------------------

CREATE TABLE callback_outbox (
  seq             bigserial PRIMARY KEY,
  id              text NOT NULL UNIQUE,
  client_id       text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('dlr', 'mo')),
  url             text NOT NULL,
  kannel          boolean NOT NULL,
  payload         jsonb NOT NULL,
  state           text NOT NULL CHECK (state IN ('due', 'leased', 'dead', 'delivered')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  lease_owner     text,
  lease_until     bigint,
  last_error      text,
  created_at      bigint NOT NULL,
  done_at         bigint
) WITH (autovacuum_vacuum_scale_factor = 0.02);
CREATE INDEX callback_outbox_due ON callback_outbox (next_attempt_at) WHERE state = 'due';
CREATE INDEX callback_outbox_due_client ON callback_outbox (client_id, seq) WHERE state = 'due';
CREATE INDEX callback_outbox_leased ON callback_outbox (lease_until) WHERE state = 'leased';
CREATE INDEX callback_outbox_backlog ON callback_outbox (client_id) WHERE state IN ('due', 'leased');
CREATE INDEX callback_outbox_dead ON callback_outbox (client_id, done_at) WHERE state = 'dead';
CREATE INDEX callback_outbox_delivered ON callback_outbox (done_at) WHERE state = 'delivered';

-- Inbound SMS (MO) --------------------------------------------------------------------------------------

CREATE TABLE mo_parts (
  part_id     text PRIMARY KEY,
  dedup_key   text NOT NULL UNIQUE,
  route_id    text NOT NULL,
  source      text NOT NULL,
  short_code  text NOT NULL,
  reference   integer NOT NULL,
  total       integer NOT NULL,
  part_seq    integer NOT NULL,
  text        text NOT NULL,
  received_at bigint NOT NULL
);

CREATE TABLE mo_messages (
  seq          bigserial PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  route_id     text NOT NULL,
  source       text NOT NULL,
  short_code   text NOT NULL,
  text         text NOT NULL,
  client_id    text,
  keyword      text NOT NULL,
  args         text NOT NULL,
  partial      boolean NOT NULL,
  missing      text NOT NULL,
  dedup_key    text,
  dedup_until  bigint,
  received_at  bigint NOT NULL,
  recorded_at  bigint NOT NULL,
  event_id     text
);
CREATE INDEX mo_messages_dedup ON mo_messages (dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX mo_messages_recorded ON mo_messages (recorded_at);

-- Inbound problems --------------------------------------------------------------------------------------

CREATE TABLE inbound_problems (
  id       bigserial PRIMARY KEY,
  kind     text NOT NULL,
  route_id text,
  bind_id  text,
  raw_hex  text NOT NULL,
  detail   text NOT NULL,
  at       bigint NOT NULL
);
CREATE INDEX inbound_problems_kind ON inbound_problems (kind, id);
CREATE INDEX inbound_problems_at ON inbound_problems (at);
