-- Payouts: the ledger, its leases and the budgets. Used by daemon/storage/sqlite/payouts.ts.
-- Parameters are positional (?); times are milliseconds. Portable to PostgreSQL.

-- name: find
-- Parameters: id. Result: the payout.
SELECT * FROM payouts WHERE id = ?;

-- name: budgetOf
-- Parameters: client id. Result: currency and budget.
SELECT currency, budget_minor FROM payout_budgets WHERE client_id = ?;

-- name: committed
-- Parameters: client id, currency. Result: the sum of requested, sent and confirmed payouts.
SELECT COALESCE(SUM(amount_minor), 0) AS total FROM payouts
WHERE client_id = ? AND currency = ? AND state IN ('requested', 'sent', 'confirmed');

-- name: insert
-- Parameters: id, client, subscriber, amount, currency, reason, scenario id, MO id, state, last error, now (x3).
INSERT INTO payouts (id, client_id, subscriber, amount_minor, currency, reason, scenario_id, mo_id, state, last_error,
  next_attempt_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: setBudget
-- Parameters: client id, currency, budget.
INSERT INTO payout_budgets (client_id, currency, budget_minor) VALUES (?, ?, ?)
ON CONFLICT (client_id) DO UPDATE SET currency = excluded.currency, budget_minor = excluded.budget_minor;

-- name: due
-- Parameters: now, now, limit. Result: ids of payouts due for work and not under a live lease, oldest first.
SELECT id FROM payouts WHERE state IN ('requested', 'sent') AND next_attempt_at <= ?
  AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, seq LIMIT ?;

-- name: lease
-- Parameters: owner, lease_until, id.
UPDATE payouts SET lease_owner = ?, lease_until = ? WHERE id = ?;

-- name: complete
-- Parameters: state, attempts increment, next_attempt_at, provider ref (null keeps), last error, now, id, owner.
-- Changes: 0 when the lease is not the owner's.
UPDATE payouts SET state = ?, attempts = attempts + ?, next_attempt_at = ?, provider_ref = COALESCE(?, provider_ref),
  last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
WHERE id = ? AND lease_owner = ?;

-- name: list
-- Parameters: client id or null, state or null, limit. Result: payouts, newest first.
SELECT * FROM payouts WHERE (? IS NULL OR client_id = ?) AND (? IS NULL OR state = ?) ORDER BY seq DESC LIMIT ?;

-- name: requeue
-- Parameters: now, now, id. Makes a failed payout requested again.
UPDATE payouts SET state = 'requested', attempts = 0, next_attempt_at = ?, last_error = NULL, lease_owner = NULL,
  lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'failed';
