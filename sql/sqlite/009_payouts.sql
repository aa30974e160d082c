-- 009_payouts: payouts to subscribers' mobile accounts (docs/payouts.md): the ledger with its states
-- and worker leases, and a budget per client. Amounts are INTEGER minor units; times milliseconds.

CREATE TABLE payout_budgets (
  client_id    TEXT PRIMARY KEY,
  currency     TEXT NOT NULL,
  budget_minor INTEGER NOT NULL CHECK (budget_minor >= 0)
) STRICT;

-- state: requested (to send), sent (the provider has it; to reconcile), confirmed, failed.
CREATE TABLE payouts (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,   -- the idempotency key, also the provider's
  client_id       TEXT NOT NULL,
  subscriber      TEXT NOT NULL,
  amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
  currency        TEXT NOT NULL,
  reason          TEXT NOT NULL,
  scenario_id     TEXT,
  mo_id           TEXT,
  state           TEXT NOT NULL CHECK (state IN ('requested', 'sent', 'confirmed', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_owner     TEXT,
  lease_until     INTEGER,
  provider_ref    TEXT,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX payouts_due ON payouts (next_attempt_at) WHERE state IN ('requested', 'sent');
CREATE INDEX payouts_client ON payouts (client_id, state);
