-- 003_receipts_outbox_mo: receipt correlation (each segment's receipt status, the keys a receipt may
-- name a segment by, receipts held until their submit_sm_resp is recorded), the callback outbox,
-- inbound SMS (MO rows with their dedup keys, parts held for reassembly) and the inbound problem log.
-- Times are INTEGER milliseconds since the Unix epoch; booleans are 0/1.

-- Receipts --------------------------------------------------------------------------------------------

-- smsc_ids becomes the segment table: one row per submit_sm, with the status its receipts reported.
ALTER TABLE smsc_ids ADD COLUMN status TEXT NOT NULL DEFAULT 'submitted';
ALTER TABLE smsc_ids ADD COLUMN stat TEXT;
ALTER TABLE smsc_ids ADD COLUMN error_code TEXT;
ALTER TABLE smsc_ids ADD COLUMN done_at INTEGER;
-- Receipts are matched through receipt_keys from now on; this index would only cost writes.
DROP INDEX smsc_ids_receipt;

-- Every form under which a receipt may name a segment's SMSC id (hex and decimal, say), per route.
CREATE TABLE receipt_keys (
  route_id      TEXT NOT NULL,
  match_key     TEXT NOT NULL,
  message_seq   INTEGER NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
  segment_index INTEGER NOT NULL,
  PRIMARY KEY (route_id, match_key, message_seq, segment_index)
) STRICT, WITHOUT ROWID;
-- For the cascade when retention purges a message.
CREATE INDEX receipt_keys_message ON receipt_keys (message_seq);
INSERT INTO receipt_keys (route_id, match_key, message_seq, segment_index)
SELECT route_id, smsc_id, message_seq, segment_index FROM smsc_ids;

-- Receipts that arrived before the submit_sm_resp naming their SMSC id was recorded.
CREATE TABLE held_receipts (
  id          INTEGER PRIMARY KEY,
  route_id    TEXT NOT NULL,
  bind_id     TEXT NOT NULL,
  candidates  TEXT NOT NULL,   -- JSON array of match keys, read only when applied or given up
  status      TEXT NOT NULL,
  stat        TEXT,
  error_code  TEXT,
  done_at     INTEGER,
  raw         TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  hold_until  INTEGER NOT NULL
) STRICT;
CREATE INDEX held_receipts_until ON held_receipts (hold_until);

-- The keys ackMt probes for held receipts; deleted with their receipt by (route, key, id).
CREATE TABLE held_receipt_keys (
  route_id  TEXT NOT NULL,
  match_key TEXT NOT NULL,
  held_id   INTEGER NOT NULL,
  PRIMARY KEY (route_id, match_key, held_id)
) STRICT, WITHOUT ROWID;

-- Callback outbox ---------------------------------------------------------------------------------------

-- One row per event for a client's system. state: due (waiting for next_attempt_at), leased (a sender
-- has it until lease_until), dead (gave up; an operator may replay), delivered (kept until retention).
CREATE TABLE callback_outbox (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  client_id       TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('dlr', 'mo')),
  url             TEXT NOT NULL,
  kannel          INTEGER NOT NULL,
  payload         TEXT NOT NULL,   -- JSON object, parsed only when the event is claimed
  state           TEXT NOT NULL CHECK (state IN ('due', 'leased', 'dead', 'delivered')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_owner     TEXT,
  lease_until     INTEGER,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  done_at         INTEGER
) STRICT;
CREATE INDEX callback_outbox_due ON callback_outbox (next_attempt_at) WHERE state = 'due';
CREATE INDEX callback_outbox_leased ON callback_outbox (lease_until) WHERE state = 'leased';
CREATE INDEX callback_outbox_backlog ON callback_outbox (client_id) WHERE state IN ('due', 'leased');
CREATE INDEX callback_outbox_dead ON callback_outbox (client_id, done_at) WHERE state = 'dead';
CREATE INDEX callback_outbox_delivered ON callback_outbox (done_at) WHERE state = 'delivered';

-- Inbound SMS (MO) --------------------------------------------------------------------------------------

-- Parts of concatenated MO held before their deliver_sm_resp, until recordMo consumes them.
CREATE TABLE mo_parts (
  part_id     TEXT PRIMARY KEY,
  dedup_key   TEXT NOT NULL UNIQUE,
  route_id    TEXT NOT NULL,
  source      TEXT NOT NULL,
  short_code  TEXT NOT NULL,
  reference   INTEGER NOT NULL,
  total       INTEGER NOT NULL,
  part_seq    INTEGER NOT NULL,
  text        TEXT NOT NULL,
  received_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Recorded MO, routed (client_id) or not (NULL); a dedup key counts until dedup_until.
CREATE TABLE mo_messages (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  route_id     TEXT NOT NULL,
  source       TEXT NOT NULL,
  short_code   TEXT NOT NULL,
  text         TEXT NOT NULL,
  client_id    TEXT,
  keyword      TEXT NOT NULL,
  args         TEXT NOT NULL,
  partial      INTEGER NOT NULL,
  missing      TEXT NOT NULL,   -- missing part numbers, comma-separated
  dedup_key    TEXT,
  dedup_until  INTEGER,
  received_at  INTEGER NOT NULL,
  recorded_at  INTEGER NOT NULL,
  event_id     TEXT
) STRICT;
CREATE INDEX mo_messages_dedup ON mo_messages (dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX mo_messages_recorded ON mo_messages (recorded_at);

-- Inbound problems --------------------------------------------------------------------------------------

-- Inbound PDUs we could not use, for a support engineer; purged after retention.
CREATE TABLE inbound_problems (
  id       INTEGER PRIMARY KEY,
  kind     TEXT NOT NULL,
  route_id TEXT,
  bind_id  TEXT,
  raw_hex  TEXT NOT NULL,
  detail   TEXT NOT NULL,
  at       INTEGER NOT NULL
) STRICT;
CREATE INDEX inbound_problems_kind ON inbound_problems (kind, id);
CREATE INDEX inbound_problems_at ON inbound_problems (at);
