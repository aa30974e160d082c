-- 001_initial: the first schema of the embedded store: provisioning (clients, API tokens, routes,
-- prefixes, number overrides, the provisioning version), virtual port allocation, the MT message
-- ledger with its history and SMSC ids, the MT queue (AQ-like) with its exception queue, idempotency
-- keys, per-client counters and bind fencing epochs.
-- Times are INTEGER milliseconds since the Unix epoch; booleans are 0/1; lists of short strings are
-- JSON text (read only when provisioning is loaded, never on the message path).

-- Provisioning ---------------------------------------------------------------------------------------

-- One row; raised once by every applyProvisioning call so nodes notice changes by polling it.
CREATE TABLE provisioning_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
) STRICT;
INSERT INTO provisioning_version (id, version) VALUES (1, 0);

CREATE TABLE clients (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  login            TEXT NOT NULL UNIQUE,
  password_hash    TEXT,
  url_token        TEXT NOT NULL UNIQUE,
  virtual_port     INTEGER NOT NULL UNIQUE,
  disabled         INTEGER NOT NULL,
  demo             INTEGER NOT NULL,
  allowed_ips      TEXT NOT NULL,   -- JSON array of addresses and CIDRs
  senders          TEXT NOT NULL,   -- JSON array
  reserved_tps     INTEGER NOT NULL,
  max_tps          INTEGER,
  max_queued       INTEGER NOT NULL,
  dlr_url          TEXT,
  mo_url           TEXT,
  callback_format  TEXT NOT NULL,
  callback_secret  TEXT NOT NULL,
  short_codes      TEXT NOT NULL,   -- JSON array
  keywords         TEXT NOT NULL,   -- JSON array of {shortCode, keyword}
  mo_reply_allowed INTEGER NOT NULL
) STRICT;

CREATE TABLE api_tokens (
  client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  id         TEXT NOT NULL,
  sha256     TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  label      TEXT NOT NULL,
  PRIMARY KEY (client_id, id)
) STRICT, WITHOUT ROWID;

-- Every virtual port ever given to a client; rows are never deleted, so a port is never reused and
-- the next one is MAX(port) + 1 (a sequence that survives deletes).
CREATE TABLE virtual_ports (
  port      INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL
) STRICT;

CREATE TABLE routes (
  id                  TEXT PRIMARY KEY,
  host                TEXT NOT NULL,
  port                INTEGER NOT NULL,
  tls                 INTEGER NOT NULL,
  system_id           TEXT NOT NULL,
  password            TEXT NOT NULL,
  system_type         TEXT NOT NULL,
  bind_mode           TEXT NOT NULL,
  binds               INTEGER NOT NULL,
  window_size         INTEGER NOT NULL,
  tps                 INTEGER NOT NULL,
  default_data_coding INTEGER NOT NULL,
  gsm_packing         TEXT NOT NULL,
  concatenation       TEXT NOT NULL,
  receipt_id_format   TEXT NOT NULL,
  in_doubt_policy     TEXT NOT NULL,
  source_ton          INTEGER NOT NULL,
  source_npi          INTEGER NOT NULL,
  dest_ton            INTEGER NOT NULL,
  dest_npi            INTEGER NOT NULL,
  disabled            INTEGER NOT NULL
) STRICT;

CREATE TABLE prefixes (
  prefix   TEXT PRIMARY KEY,
  route_id TEXT NOT NULL REFERENCES routes (id)
) STRICT, WITHOUT ROWID;

CREATE TABLE number_overrides (
  msisdn   TEXT PRIMARY KEY,
  route_id TEXT NOT NULL REFERENCES routes (id)
) STRICT, WITHOUT ROWID;
CREATE INDEX number_overrides_route ON number_overrides (route_id);

-- MT ledger ------------------------------------------------------------------------------------------

-- One row per accepted message. seq (the rowid) orders messages by acceptance and keys every child
-- table, so children store an integer rather than the 36-character id.
CREATE TABLE messages (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  client_id       TEXT NOT NULL,
  client_ref      TEXT,
  route_id        TEXT NOT NULL,
  sender          TEXT NOT NULL,
  recipient       TEXT NOT NULL,
  text            TEXT NOT NULL,
  encoding        TEXT NOT NULL,
  segments        INTEGER NOT NULL,
  priority        INTEGER NOT NULL,
  not_before      INTEGER,
  expires_at      INTEGER NOT NULL,
  dlr_requested   INTEGER NOT NULL,
  kannel_dlr_mask INTEGER,
  kannel_dlr_url  TEXT,
  source          TEXT NOT NULL,
  status          TEXT NOT NULL,
  accepted_at     INTEGER NOT NULL,
  submitted_at    INTEGER,
  done_at         INTEGER,
  error_code      INTEGER,
  reason          TEXT
) STRICT;
CREATE INDEX messages_client_ref ON messages (client_id, client_ref) WHERE client_ref IS NOT NULL;

-- Status changes after acceptance (the acceptance itself is the ledger row's accepted_at).
CREATE TABLE message_events (
  message_seq INTEGER NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
  at          INTEGER NOT NULL,
  status      TEXT NOT NULL,
  detail      TEXT
) STRICT;
CREATE INDEX message_events_message ON message_events (message_seq);

-- SMSC message ids per message segment, recorded from submit_sm_resp even on a stale epoch, so that
-- receipts (matched by route and SMSC id) find their message.
CREATE TABLE smsc_ids (
  message_seq   INTEGER NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
  segment_index INTEGER NOT NULL,
  route_id      TEXT NOT NULL,
  smsc_id       TEXT NOT NULL,
  PRIMARY KEY (message_seq, segment_index)
) STRICT, WITHOUT ROWID;
CREATE INDEX smsc_ids_receipt ON smsc_ids (route_id, smsc_id);

-- MT queue (Oracle AQ semantics) -----------------------------------------------------------------------

-- One row per message while it is queued and, once PROCESSED or EXPIRED, until retention ends.
-- route_id is the AQ correlation; partial indexes hold only the rows each operation looks for.
CREATE TABLE mt_queue (
  seq         INTEGER PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE,
  route_id    TEXT NOT NULL,
  client_id   TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('READY', 'WAITING', 'IN_FLIGHT', 'IN_DOUBT', 'PROCESSED', 'EXPIRED')),
  priority    INTEGER NOT NULL,
  not_before  INTEGER,
  expires_at  INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  owner       TEXT,
  bind_id     TEXT,
  epoch       INTEGER,
  lease_until INTEGER,
  done_at     INTEGER
) STRICT;
CREATE INDEX mt_queue_ready ON mt_queue (route_id, priority, seq) WHERE state = 'READY';
CREATE INDEX mt_queue_waiting ON mt_queue (not_before) WHERE state = 'WAITING';
CREATE INDEX mt_queue_expiry ON mt_queue (expires_at) WHERE state IN ('READY', 'WAITING');
CREATE INDEX mt_queue_lease ON mt_queue (lease_until) WHERE state = 'IN_FLIGHT';
CREATE INDEX mt_queue_in_doubt ON mt_queue (route_id) WHERE state = 'IN_DOUBT';
CREATE INDEX mt_queue_pending ON mt_queue (client_id) WHERE state IN ('READY', 'WAITING', 'IN_FLIGHT', 'IN_DOUBT');
CREATE INDEX mt_queue_final ON mt_queue (done_at) WHERE state IN ('PROCESSED', 'EXPIRED');

-- The exception queue: messages moved out of mt_queue after max_retries, kept until retention ends.
CREATE TABLE mt_exception (
  seq       INTEGER PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE,
  route_id  TEXT NOT NULL,
  client_id TEXT NOT NULL,
  attempts  INTEGER NOT NULL,
  reason    TEXT NOT NULL,
  moved_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX mt_exception_moved ON mt_exception (moved_at);

-- Idempotency, counters, fencing -------------------------------------------------------------------------

CREATE TABLE idempotency_keys (
  client_id    TEXT NOT NULL,
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  message_ids  TEXT NOT NULL,   -- JSON array, read only on a replay
  expires_at   INTEGER NOT NULL,
  PRIMARY KEY (client_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Segments accepted per client, all time; the demo allowance is checked against it in the enqueue
-- transaction, so it is exact.
CREATE TABLE client_counters (
  client_id     TEXT PRIMARY KEY,
  segments_used INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The current fencing epoch of each bind; only ever raised.
CREATE TABLE bind_epochs (
  bind_id TEXT PRIMARY KEY,
  epoch   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
