-- The installed schema, checked at start by daemon/storage/oracle/store.ts.

-- name: version
-- Result: VERSION (ORA-00942 when the schema is not installed).
SELECT version FROM smsproc_schema_version WHERE id = 1

-- name: scenarioTables
-- Parses only when the tables of 045_scenarios_payouts.sql exist and the session may read them
-- (ORA-00942 otherwise); returns no rows.
SELECT 1 AS present FROM scenario_versions, scenario_bindings, scenario_subscribers, scenario_steps, scenario_tallies,
  scenario_entries, scenario_draws, payout_budgets, payouts
WHERE 1 = 0

-- name: webSessionTable
-- Parses only when the table of 047_web_sessions.sql exists and the session may read it (ORA-00942
-- otherwise); returns no rows.
SELECT 1 AS present FROM web_sessions WHERE 1 = 0
