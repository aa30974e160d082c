-- Scenarios: versioned definitions and bindings, subscriber state, steps, tallies, entries, draws.
-- Used by daemon/storage/oracle/scenarios.ts; the statements of sql/sqlite/queries/scenarios.sql.
-- Binds are named (:name).

-- name: currentVersions
-- Result: the highest version of every scenario.
SELECT v.scenario_id, v.version, v.client_id, v.source, v.bindings, v.disabled, v.created_at
FROM scenario_versions v
WHERE v.version = (SELECT MAX(w.version) FROM scenario_versions w WHERE w.scenario_id = v.scenario_id)

-- name: versionsOf
-- Binds: scenario_id. Result: its versions, oldest first.
SELECT scenario_id, version, client_id, source, bindings, disabled, created_at
FROM scenario_versions WHERE scenario_id = :scenario_id ORDER BY version

-- name: currentOf
-- Binds: scenario_id. Result: its highest version, if any.
SELECT * FROM (
  SELECT scenario_id, version, client_id, source, bindings, disabled, created_at
  FROM scenario_versions WHERE scenario_id = :scenario_id ORDER BY version DESC
) WHERE ROWNUM = 1

-- name: insertVersion
-- Binds: scenario_id, version, client_id, source, bindings, disabled.
INSERT INTO scenario_versions (scenario_id, version, client_id, source, bindings, disabled, created_at)
VALUES (:scenario_id, :version, :client_id, :source, :bindings, :disabled, SYSTIMESTAMP)

-- name: dropBindings
-- Binds: scenario_id.
DELETE FROM scenario_bindings WHERE scenario_id = :scenario_id

-- name: bindingOwner
-- Binds: short_code, keyword (null for the whole short code; DECODE matches NULL with NULL).
-- Result: SCENARIO_ID of the scenario holding it.
SELECT scenario_id FROM scenario_bindings WHERE short_code = :short_code AND DECODE(keyword, :keyword, 1, 0) = 1

-- name: insertBinding
-- Binds: short_code, keyword (null for the whole short code), scenario_id, forward.
INSERT INTO scenario_bindings (short_code, keyword, scenario_id, forward) VALUES (:short_code, :keyword, :scenario_id, :forward)

-- name: clientCodes
-- Binds: client_id. Result: SHORT_CODES and KEYWORDS (JSON) of the client, if it exists.
SELECT short_codes, keywords FROM clients WHERE id = :client_id

-- name: subscriber
-- Binds: scenario_id, subscriber. Result: STATE (JSON) and REVISION.
SELECT state, revision FROM scenario_subscribers WHERE scenario_id = :scenario_id AND subscriber = :subscriber

-- name: stepOf
-- Binds: scenario_id, mo_id. Result: REPLIES (JSON) of the step recorded for that MO.
SELECT replies FROM scenario_steps WHERE scenario_id = :scenario_id AND mo_id = :mo_id

-- name: insertStep
-- The exactly-once key: ORA-00001 when the MO was applied before. Binds: scenario_id, mo_id,
-- subscriber, disposition, counted, replies, at.
INSERT INTO scenario_steps (scenario_id, mo_id, subscriber, disposition, counted, replies, at)
VALUES (:scenario_id, :mo_id, :subscriber, :disposition, :counted, :replies, :at)

-- name: dropStep
-- Takes back this transaction's step when the subscriber's revision moved (a conflict changes
-- nothing, and leaves the MO id free for the step computed again). Binds: scenario_id, mo_id.
DELETE FROM scenario_steps WHERE scenario_id = :scenario_id AND mo_id = :mo_id

-- name: insertSubscriber
-- A subscriber's first step. Binds: scenario_id, subscriber, state, state_id, score, updated_at.
-- ORA-00001 when the subscriber exists or another session inserted it meanwhile (a conflict).
INSERT INTO scenario_subscribers (scenario_id, subscriber, state, state_id, score, revision, updated_at)
VALUES (:scenario_id, :subscriber, :state, :state_id, :score, 1, :updated_at)

-- name: updateSubscriber
-- Binds: state, state_id, score, updated_at, scenario_id, subscriber, expected_revision.
-- Rows affected: 0 when the revision moved (a conflict).
UPDATE scenario_subscribers SET state = :state, state_id = :state_id, score = :score, revision = revision + 1,
  updated_at = :updated_at
WHERE scenario_id = :scenario_id AND subscriber = :subscriber AND revision = :expected_revision

-- name: addTally
-- Binds: scenario_id, tally_key, amount. ORA-00001 when another session inserted the key
-- meanwhile: run again, it adds to that row.
MERGE INTO scenario_tallies t
USING (SELECT :scenario_id AS scenario_id, :tally_key AS tally_key, :amount AS amount FROM dual) n
ON (t.scenario_id = n.scenario_id AND t.tally_key = n.tally_key)
WHEN MATCHED THEN UPDATE SET t.tally_count = t.tally_count + n.amount
WHEN NOT MATCHED THEN INSERT (scenario_id, tally_key, tally_count) VALUES (n.scenario_id, n.tally_key, n.amount)

-- name: insertEntry
-- Binds: id, scenario_id, subscriber, label, at.
INSERT INTO scenario_entries (id, scenario_id, subscriber, label, at) VALUES (:id, :scenario_id, :subscriber, :label, :at)

-- name: tallies
-- Binds: scenario_id. Result: TALLY_KEY, TALLY_COUNT.
SELECT tally_key, tally_count FROM scenario_tallies WHERE scenario_id = :scenario_id

-- name: leaderboard
-- Binds: scenario_id, max_rows. Result: SUBSCRIBER, SCORE: the best scores, earliest first among equals.
SELECT * FROM (
  SELECT subscriber, score FROM scenario_subscribers WHERE scenario_id = :scenario_id AND score <> 0
  ORDER BY score DESC, updated_at, subscriber
) WHERE ROWNUM <= :max_rows

-- name: entryCount
-- Binds: scenario_id. Result: N.
SELECT COUNT(*) AS n FROM scenario_entries WHERE scenario_id = :scenario_id

-- name: stateCounts
-- Binds: scenario_id. Result: STATE_ID, N (subscribers in it).
SELECT state_id, COUNT(*) AS n FROM scenario_subscribers WHERE scenario_id = :scenario_id GROUP BY state_id

-- name: stepCounts
-- Binds: scenario_id. Result: DISPOSITION, N (steps).
SELECT disposition, COUNT(*) AS n FROM scenario_steps WHERE scenario_id = :scenario_id GROUP BY disposition

-- name: entries
-- Binds: scenario_id. Result: ID, SUBSCRIBER, LABEL, AT of every entry (the adapter orders them by id).
SELECT id, subscriber, label, at FROM scenario_entries WHERE scenario_id = :scenario_id

-- name: draws
-- Binds: scenario_id. Result: its draws, oldest first.
SELECT scenario_id, draw_id, seed, entries_hash, entry_count, winners, drawn_at FROM scenario_draws
WHERE scenario_id = :scenario_id ORDER BY drawn_at, draw_id

-- name: insertDraw
-- ORA-00001 when the draw id was used before. Binds: scenario_id, draw_id, seed, entries_hash,
-- entry_count, winners, drawn_at.
INSERT INTO scenario_draws (scenario_id, draw_id, seed, entries_hash, entry_count, winners, drawn_at)
VALUES (:scenario_id, :draw_id, :seed, :entries_hash, :entry_count, :winners, :drawn_at)
