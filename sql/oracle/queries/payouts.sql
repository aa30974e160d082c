-- Payouts: the ledger, its leases (by the database clock) and the budgets.
-- Used by daemon/storage/oracle/payouts.ts; the statements of sql/sqlite/queries/payouts.sql.
-- Binds are named (:name).

-- name: find
-- Binds: id. Result: the payout.
SELECT seq, id, client_id, subscriber, amount_minor, currency, reason, scenario_id, mo_id, state, attempts, provider_ref,
  last_error, created_at, updated_at
FROM payouts WHERE id = :id

-- name: lockPayout
-- Binds: id. Result: STATE, CLIENT_ID, CURRENCY, AMOUNT_MINOR, the row locked until commit.
SELECT state, client_id, currency, amount_minor FROM payouts WHERE id = :id FOR UPDATE

-- name: budgetOf
-- Binds: client_id. Result: CURRENCY, BUDGET_MINOR.
SELECT currency, budget_minor FROM payout_budgets WHERE client_id = :client_id

-- name: lockBudget
-- The budget row locked until commit, so that two requests of a client on two nodes are checked
-- against it one after the other. Binds: client_id. Result: CURRENCY, BUDGET_MINOR.
SELECT currency, budget_minor FROM payout_budgets WHERE client_id = :client_id FOR UPDATE

-- name: committed
-- Binds: client_id, currency. Result: TOTAL of requested, sent and confirmed payouts.
SELECT NVL(SUM(amount_minor), 0) AS total FROM payouts
WHERE client_id = :client_id AND currency = :currency AND state IN ('requested', 'sent', 'confirmed')

-- name: insert
-- Due at once. ORA-00001 when another session recorded the id meanwhile. Binds: id, client_id,
-- subscriber, amount_minor, currency, reason, scenario_id, mo_id, state, last_error.
INSERT INTO payouts (id, client_id, subscriber, amount_minor, currency, reason, scenario_id, mo_id, state, last_error,
  next_attempt_at, created_at, updated_at)
VALUES (:id, :client_id, :subscriber, :amount_minor, :currency, :reason, :scenario_id, :mo_id, :state, :last_error,
  SYSTIMESTAMP, SYSTIMESTAMP, SYSTIMESTAMP)

-- name: setBudget
-- Binds: client_id, currency, budget_minor. ORA-00001 when another session inserted the client's
-- first budget meanwhile: run again, it replaces that one.
MERGE INTO payout_budgets b
USING (SELECT :client_id AS client_id FROM dual) n ON (b.client_id = n.client_id)
WHEN MATCHED THEN UPDATE SET currency = :currency, budget_minor = :budget_minor
WHEN NOT MATCHED THEN INSERT (client_id, currency, budget_minor) VALUES (n.client_id, :currency, :budget_minor)

-- name: due
-- Up to max_rows payouts due for work and not under a live lease, oldest first, locked with SKIP
-- LOCKED so that workers on several nodes take disjoint ones (the row limit sits in the subquery,
-- as Oracle refuses it at a locking query's own level). Binds: max_rows. Result: SEQ and the payout.
SELECT seq, id, client_id, subscriber, amount_minor, currency, reason, scenario_id, mo_id, state, attempts, provider_ref,
  last_error, created_at, updated_at
FROM payouts
WHERE seq IN (
    SELECT seq FROM (
      SELECT seq FROM payouts
      WHERE state IN ('requested', 'sent') AND next_attempt_at <= SYSTIMESTAMP
        AND (lease_until IS NULL OR lease_until < SYSTIMESTAMP)
      ORDER BY next_attempt_at, seq
    ) WHERE ROWNUM <= :max_rows)
  AND state IN ('requested', 'sent') AND (lease_until IS NULL OR lease_until < SYSTIMESTAMP)
ORDER BY next_attempt_at, seq
FOR UPDATE SKIP LOCKED

-- name: lease
-- Binds: owner, lease_ms, seq.
UPDATE payouts SET lease_owner = :owner, lease_until = SYSTIMESTAMP + NUMTODSINTERVAL(:lease_ms / 1000, 'SECOND')
WHERE seq = :seq

-- name: complete
-- One attempt's outcome. Binds: state, attempt_increment, delay_ms (next attempt from now),
-- provider_ref (null keeps the one stored), last_error, id, owner.
-- Rows affected: 0 when the lease is not the owner's.
UPDATE payouts SET state = :state, attempts = attempts + :attempt_increment,
  next_attempt_at = SYSTIMESTAMP + NUMTODSINTERVAL(:delay_ms / 1000, 'SECOND'),
  provider_ref = NVL(:provider_ref, provider_ref), last_error = :last_error, lease_owner = NULL, lease_until = NULL,
  updated_at = SYSTIMESTAMP
WHERE id = :id AND lease_owner = :owner

-- name: list
-- Binds: client_id, state (null: any), max_rows. Result: payouts, newest first.
SELECT * FROM (
  SELECT seq, id, client_id, subscriber, amount_minor, currency, reason, scenario_id, mo_id, state, attempts, provider_ref,
    last_error, created_at, updated_at
  FROM payouts
  WHERE (:client_id IS NULL OR client_id = :client_id) AND (:state IS NULL OR state = :state)
  ORDER BY seq DESC
) WHERE ROWNUM <= :max_rows

-- name: requeue
-- Makes a failed payout requested again, due at once, attempts reset. Binds: id.
UPDATE payouts SET state = 'requested', attempts = 0, next_attempt_at = SYSTIMESTAMP, last_error = NULL,
  lease_owner = NULL, lease_until = NULL, updated_at = SYSTIMESTAMP
WHERE id = :id AND state = 'failed'
