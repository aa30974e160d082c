-- 008_scenarios: interactive services on short codes (docs/scenarios.md): versioned scenario
-- definitions and their bindings, per-subscriber state, the steps taken (one per scenario and MO: the
-- exactly-once key), tallies, entries and draws. Times are INTEGER milliseconds; booleans are 0/1.

-- Every version of every scenario; the current one is the highest version.
CREATE TABLE scenario_versions (
  scenario_id TEXT NOT NULL,
  version     INTEGER NOT NULL,
  client_id   TEXT NOT NULL,
  source      TEXT NOT NULL,   -- JSON: the definition as written
  bindings    TEXT NOT NULL,   -- JSON array of { shortCode, keyword, forward }
  disabled    INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (scenario_id, version)
) STRICT;

-- The bindings of each enabled scenario's current version: one scenario per short code and keyword.
CREATE TABLE scenario_bindings (
  short_code  TEXT NOT NULL,
  keyword     TEXT NOT NULL,   -- '' binds every MO to the short code
  scenario_id TEXT NOT NULL,
  forward     INTEGER NOT NULL,
  PRIMARY KEY (short_code, keyword)
) STRICT;
CREATE INDEX scenario_bindings_scenario ON scenario_bindings (scenario_id);

-- Each subscriber's state in a scenario; revision guards concurrent steps (optimistic).
CREATE TABLE scenario_subscribers (
  scenario_id TEXT NOT NULL,
  subscriber  TEXT NOT NULL,
  state       TEXT NOT NULL,   -- JSON SubscriberState
  state_id    TEXT NOT NULL,
  score       INTEGER NOT NULL,
  revision    INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (scenario_id, subscriber)
) STRICT;
CREATE INDEX scenario_subscribers_score ON scenario_subscribers (scenario_id, score, updated_at);

-- One row per MO a scenario answered: its primary key makes a redelivered MO count once.
CREATE TABLE scenario_steps (
  scenario_id TEXT NOT NULL,
  mo_id       TEXT NOT NULL,
  subscriber  TEXT NOT NULL,
  disposition TEXT NOT NULL,
  counted     INTEGER NOT NULL,
  replies     TEXT NOT NULL,   -- JSON array of the reply texts sent
  at          INTEGER NOT NULL,
  PRIMARY KEY (scenario_id, mo_id)
) STRICT;

CREATE TABLE scenario_tallies (
  scenario_id TEXT NOT NULL,
  tally_key   TEXT NOT NULL,
  count       INTEGER NOT NULL,
  PRIMARY KEY (scenario_id, tally_key)
) STRICT;

-- Entries (a lottery's tickets); id is `<mo id>/<n>`, so a step's entries are unique too.
CREATE TABLE scenario_entries (
  id          TEXT PRIMARY KEY,
  scenario_id TEXT NOT NULL,
  subscriber  TEXT NOT NULL,
  label       TEXT NOT NULL,
  at          INTEGER NOT NULL
) STRICT;
CREATE INDEX scenario_entries_scenario ON scenario_entries (scenario_id, id);

-- Draws with what makes them auditable: the seed and the hash of the entry list drawn from.
CREATE TABLE scenario_draws (
  scenario_id  TEXT NOT NULL,
  draw_id      TEXT NOT NULL,
  seed         TEXT NOT NULL,
  entries_hash TEXT NOT NULL,
  entry_count  INTEGER NOT NULL,
  winners      TEXT NOT NULL,  -- JSON array of { id, subscriber }
  drawn_at     INTEGER NOT NULL,
  PRIMARY KEY (scenario_id, draw_id)
) STRICT;
