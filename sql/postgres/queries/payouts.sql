-- Payouts: the ledger, its leases and the budgets. Used by daemon/storage/postgres/payouts.ts.
-- Times are ms by the database clock (the caller's transaction `now`, from ms_now()).

-- name: find
-- Parameters: id. Result: the payout.
SELECT * FROM payouts WHERE id = $1;

-- name: lockBudget
-- Locks the client's budget row for the rest of the transaction, so that concurrent requests check
-- the budget one at a time. Parameters: client id. Result: currency and budget.
SELECT currency, budget_minor FROM payout_budgets WHERE client_id = $1 FOR UPDATE;

-- name: budgetOf
-- Parameters: client id. Result: currency and budget.
SELECT currency, budget_minor FROM payout_budgets WHERE client_id = $1;

-- name: committed
-- Parameters: client id, currency. Result: the sum of requested, sent and confirmed payouts.
SELECT COALESCE(SUM(amount_minor), 0)::bigint AS total FROM payouts
WHERE client_id = $1 AND currency = $2 AND state IN ('requested', 'sent', 'confirmed');

-- name: insert
-- Parameters: id, client, subscriber, amount, currency, reason, scenario id, MO id, state, last error, now.
-- Changes: 0 when the id exists (a concurrent request with the same id).
INSERT INTO payouts (id, client_id, subscriber, amount_minor, currency, reason, scenario_id, mo_id, state, last_error,
  next_attempt_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11)
ON CONFLICT (id) DO NOTHING;

-- name: setBudget
-- Parameters: client id, currency, budget.
INSERT INTO payout_budgets (client_id, currency, budget_minor) VALUES ($1, $2, $3)
ON CONFLICT (client_id) DO UPDATE SET currency = excluded.currency, budget_minor = excluded.budget_minor;

-- name: claim
-- Leases payouts due for work and not under a live lease, oldest first; rows another worker is
-- leasing right now are skipped. Parameters: owner, lease_until, now, limit. Result: the payouts.
UPDATE payouts SET lease_owner = $1, lease_until = $2
WHERE seq IN (
  SELECT seq FROM payouts WHERE state IN ('requested', 'sent') AND next_attempt_at <= $3
    AND (lease_until IS NULL OR lease_until < $3)
  ORDER BY next_attempt_at, seq LIMIT $4 FOR UPDATE SKIP LOCKED
)
RETURNING *;

-- name: complete
-- Parameters: state, attempts increment, next_attempt_at, provider ref (null keeps), last error, now, id, owner.
-- Changes: 0 when the lease is not the owner's.
UPDATE payouts SET state = $1, attempts = attempts + $2, next_attempt_at = $3, provider_ref = COALESCE($4, provider_ref),
  last_error = $5, lease_owner = NULL, lease_until = NULL, updated_at = $6
WHERE id = $7 AND lease_owner = $8;

-- name: list
-- Parameters: client id or null, state or null, limit. Result: payouts, newest first.
SELECT * FROM payouts WHERE ($1::text IS NULL OR client_id = $1) AND ($2::text IS NULL OR state = $2) ORDER BY seq DESC LIMIT $3;

-- name: requeue
-- Parameters: now, id. Makes a failed payout requested again.
UPDATE payouts SET state = 'requested', attempts = 0, next_attempt_at = $1, last_error = NULL, lease_owner = NULL,
  lease_until = NULL, updated_at = $1 WHERE id = $2 AND state = 'failed';
