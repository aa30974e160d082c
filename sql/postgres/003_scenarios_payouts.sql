-- 003_scenarios_payouts: interactive services on short codes (docs/scenarios.md) and payouts to
-- subscribers' mobile accounts (docs/payouts.md); the same tables as the SQLite store's 008_scenarios
-- and 009_payouts. Times are bigint milliseconds (ms_now() is the clock); amounts bigint minor units.
-- JSON columns are json, not jsonb: a definition reads back with its keys in the order written, so
-- that `smsprocctl apply` and export see exactly what was put.
-- Additive: new tables only.

-- Scenarios ------------------------------------------------------------------------------------------

-- Every version of every scenario; the current one is the highest version.
CREATE TABLE scenario_versions (
  scenario_id text NOT NULL,
  version     integer NOT NULL,
  client_id   text NOT NULL,
  source      json NOT NULL,    -- the definition as written
  bindings    json NOT NULL,    -- array of { shortCode, keyword, forward }
  disabled    boolean NOT NULL,
  created_at  bigint NOT NULL,
  PRIMARY KEY (scenario_id, version)
);

-- The bindings of each enabled scenario's current version: one scenario per short code and keyword.
CREATE TABLE scenario_bindings (
  short_code  text NOT NULL,
  keyword     text NOT NULL,    -- '' binds every MO to the short code
  scenario_id text NOT NULL,
  forward     boolean NOT NULL,
  PRIMARY KEY (short_code, keyword)
);
CREATE INDEX scenario_bindings_scenario ON scenario_bindings (scenario_id);

-- Each subscriber's state in a scenario; revision guards concurrent steps (optimistic). state is
-- text: the engine reads back exactly the JSON string it wrote.
CREATE TABLE scenario_subscribers (
  scenario_id text NOT NULL,
  subscriber  text NOT NULL,
  state       text NOT NULL,
  state_id    text NOT NULL,
  score       bigint NOT NULL,
  revision    integer NOT NULL,
  updated_at  bigint NOT NULL,
  PRIMARY KEY (scenario_id, subscriber)
);
CREATE INDEX scenario_subscribers_score ON scenario_subscribers (scenario_id, score DESC, updated_at);

-- One row per MO a scenario answered: its primary key makes a redelivered MO count once, also when
-- two nodes see it at the same time (the second insert waits for the first and fails with 23505).
CREATE TABLE scenario_steps (
  scenario_id text NOT NULL,
  mo_id       text NOT NULL,
  subscriber  text NOT NULL,
  disposition text NOT NULL,
  counted     boolean NOT NULL,
  replies     json NOT NULL,    -- array of the reply texts sent
  at          bigint NOT NULL,
  PRIMARY KEY (scenario_id, mo_id)
);

CREATE TABLE scenario_tallies (
  scenario_id text NOT NULL,
  tally_key   text NOT NULL,
  count       bigint NOT NULL,
  PRIMARY KEY (scenario_id, tally_key)
);

-- Entries (a lottery's tickets); id is `<mo id>/<n>`, so a step's entries are unique too.
CREATE TABLE scenario_entries (
  id          text PRIMARY KEY,
  scenario_id text NOT NULL,
  subscriber  text NOT NULL,
  label       text NOT NULL,
  at          bigint NOT NULL
);
CREATE INDEX scenario_entries_scenario ON scenario_entries (scenario_id, id);

-- Draws with what makes them auditable: the seed and the hash of the entry list drawn from.
CREATE TABLE scenario_draws (
  scenario_id  text NOT NULL,
  draw_id      text NOT NULL,
  seed         text NOT NULL,
  entries_hash text NOT NULL,
  entry_count  integer NOT NULL,
  winners      json NOT NULL,   -- array of { id, subscriber }
  drawn_at     bigint NOT NULL,
  PRIMARY KEY (scenario_id, draw_id)
);

-- Payouts --------------------------------------------------------------------------------------------

-- A request locks its client's row here, so that the budget check and the insert are one step.
CREATE TABLE payout_budgets (
  client_id    text PRIMARY KEY,
  currency     text NOT NULL,
  budget_minor bigint NOT NULL CHECK (budget_minor >= 0)
);

-- state: requested (to send), sent (the provider has it; to reconcile), confirmed, failed.
CREATE TABLE payouts (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              text NOT NULL UNIQUE,   -- the idempotency key, also the provider's
  client_id       text NOT NULL,
  subscriber      text NOT NULL,
  amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
  currency        text NOT NULL,
  reason          text NOT NULL,
  scenario_id     text,
  mo_id           text,
  state           text NOT NULL CHECK (state IN ('requested', 'sent', 'confirmed', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  lease_owner     text,
  lease_until     bigint,
  provider_ref    text,
  last_error      text,
  created_at      bigint NOT NULL,
  updated_at      bigint NOT NULL
);
CREATE INDEX payouts_due ON payouts (next_attempt_at, seq) WHERE state IN ('requested', 'sent');
CREATE INDEX payouts_client ON payouts (client_id, state);
