-- Scenarios: versioned definitions and bindings, subscriber state, steps, tallies, entries, draws.
-- Used by daemon/storage/sqlite/scenarios.ts. Parameters are positional (?); times are milliseconds.
-- Kept to SQL that PostgreSQL also runs (ON CONFLICT, no SQLite-only functions).

-- name: currentVersions
-- Result: the highest version of every scenario.
SELECT v.scenario_id, v.version, v.client_id, v.source, v.bindings, v.disabled, v.created_at
FROM scenario_versions v
WHERE v.version = (SELECT MAX(w.version) FROM scenario_versions w WHERE w.scenario_id = v.scenario_id)
ORDER BY v.scenario_id;

-- name: versionsOf
-- Parameters: scenario id. Result: its versions, oldest first.
SELECT scenario_id, version, client_id, source, bindings, disabled, created_at
FROM scenario_versions WHERE scenario_id = ? ORDER BY version;

-- name: currentOf
-- Parameters: scenario id. Result: its highest version, if any.
SELECT scenario_id, version, client_id, source, bindings, disabled, created_at
FROM scenario_versions WHERE scenario_id = ? ORDER BY version DESC LIMIT 1;

-- name: insertVersion
-- Parameters: scenario id, version, client id, source JSON, bindings JSON, disabled, created_at.
INSERT INTO scenario_versions (scenario_id, version, client_id, source, bindings, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: dropBindings
-- Parameters: scenario id.
DELETE FROM scenario_bindings WHERE scenario_id = ?;

-- name: bindingOwner
-- Parameters: short code, keyword ('' for none). Result: the scenario holding it.
SELECT scenario_id FROM scenario_bindings WHERE short_code = ? AND keyword = ?;

-- name: insertBinding
-- Parameters: short code, keyword, scenario id, forward.
INSERT INTO scenario_bindings (short_code, keyword, scenario_id, forward) VALUES (?, ?, ?, ?);

-- name: clientCodes
-- Parameters: client id. Result: its exclusive short codes and keyword registrations (JSON), if it exists.
SELECT short_codes, keywords FROM clients WHERE id = ?;

-- name: subscriber
-- Parameters: scenario id, subscriber. Result: state JSON and revision.
SELECT state, revision FROM scenario_subscribers WHERE scenario_id = ? AND subscriber = ?;

-- name: stepOf
-- Parameters: scenario id, MO id. Result: the replies of the step recorded for that MO.
SELECT replies FROM scenario_steps WHERE scenario_id = ? AND mo_id = ?;

-- name: insertStep
-- Parameters: scenario id, MO id, subscriber, disposition, counted, replies JSON, at.
INSERT INTO scenario_steps (scenario_id, mo_id, subscriber, disposition, counted, replies, at) VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: insertSubscriber
-- A first step of a subscriber. Parameters: scenario id, subscriber, state JSON, state id, score, updated_at.
-- Changes: 0 when another step created it first (a conflict).
INSERT INTO scenario_subscribers (scenario_id, subscriber, state, state_id, score, revision, updated_at)
VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (scenario_id, subscriber) DO NOTHING;

-- name: updateSubscriber
-- Parameters: state JSON, state id, score, updated_at, scenario id, subscriber, expected revision.
-- Changes: 0 when the revision moved (a conflict).
UPDATE scenario_subscribers SET state = ?, state_id = ?, score = ?, revision = revision + 1, updated_at = ?
WHERE scenario_id = ? AND subscriber = ? AND revision = ?;

-- name: revisionOf
-- Parameters: scenario id, subscriber. Result: revision, if the subscriber exists.
SELECT revision FROM scenario_subscribers WHERE scenario_id = ? AND subscriber = ?;

-- name: addTally
-- Parameters: scenario id, key, amount.
INSERT INTO scenario_tallies (scenario_id, tally_key, count) VALUES (?, ?, ?)
ON CONFLICT (scenario_id, tally_key) DO UPDATE SET count = scenario_tallies.count + excluded.count;

-- name: insertEntry
-- Parameters: entry id, scenario id, subscriber, label, at.
INSERT INTO scenario_entries (id, scenario_id, subscriber, label, at) VALUES (?, ?, ?, ?, ?);

-- name: tallies
-- Parameters: scenario id. Result: key, count.
SELECT tally_key, count FROM scenario_tallies WHERE scenario_id = ? ORDER BY tally_key;

-- name: leaderboard
-- Parameters: scenario id, limit. Result: the best scores, earliest first among equals.
SELECT subscriber, score FROM scenario_subscribers WHERE scenario_id = ? AND score <> 0
ORDER BY score DESC, updated_at, subscriber LIMIT ?;

-- name: entryCount
-- Parameters: scenario id. Result: n.
SELECT COUNT(*) AS n FROM scenario_entries WHERE scenario_id = ?;

-- name: stateCounts
-- Parameters: scenario id. Result: state id, subscribers in it.
SELECT state_id, COUNT(*) AS n FROM scenario_subscribers WHERE scenario_id = ? GROUP BY state_id ORDER BY state_id;

-- name: stepCounts
-- Parameters: scenario id. Result: disposition, steps.
SELECT disposition, COUNT(*) AS n FROM scenario_steps WHERE scenario_id = ? GROUP BY disposition ORDER BY disposition;

-- name: entries
-- Parameters: scenario id. Result: every entry in id order.
SELECT id, subscriber, label, at FROM scenario_entries WHERE scenario_id = ? ORDER BY id;

-- name: draws
-- Parameters: scenario id. Result: its draws, oldest first.
SELECT scenario_id, draw_id, seed, entries_hash, entry_count, winners, drawn_at FROM scenario_draws WHERE scenario_id = ? ORDER BY drawn_at, draw_id;

-- name: insertDraw
-- Parameters: scenario id, draw id, seed, entries hash, entry count, winners JSON, drawn_at.
INSERT INTO scenario_draws (scenario_id, draw_id, seed, entries_hash, entry_count, winners, drawn_at) VALUES (?, ?, ?, ?, ?, ?, ?);
