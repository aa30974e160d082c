-- Scenarios: versioned definitions and bindings, subscriber state, steps, tallies, entries, draws.
-- Used by daemon/storage/postgres/scenarios.ts. Times are ms; JSON columns are json (kept as written,
-- key order included), the subscriber state text.

-- name: currentVersions
-- Result: the highest version of every scenario.
SELECT DISTINCT ON (scenario_id) scenario_id, version, client_id, source, bindings, disabled, created_at
FROM scenario_versions ORDER BY scenario_id, version DESC;

-- name: versionsOf
-- Parameters: scenario id. Result: its versions, oldest first.
SELECT scenario_id, version, client_id, source, bindings, disabled, created_at
FROM scenario_versions WHERE scenario_id = $1 ORDER BY version;

-- name: currentOf
-- Parameters: scenario id. Result: its highest version, if any.
SELECT scenario_id, version, client_id, source, bindings, disabled, created_at
FROM scenario_versions WHERE scenario_id = $1 ORDER BY version DESC LIMIT 1;

-- name: insertVersion
-- Parameters: scenario id, version, client id, source (json), bindings (json), disabled.
INSERT INTO scenario_versions (scenario_id, version, client_id, source, bindings, disabled, created_at)
VALUES ($1, $2, $3, $4::json, $5::json, $6, ms_now());

-- name: dropBindings
-- Parameters: scenario id.
DELETE FROM scenario_bindings WHERE scenario_id = $1;

-- name: bindingOwner
-- Parameters: short code, keyword ('' for none). Result: the scenario holding it.
SELECT scenario_id FROM scenario_bindings WHERE short_code = $1 AND keyword = $2;

-- name: insertBinding
-- Parameters: short code, keyword, scenario id, forward.
INSERT INTO scenario_bindings (short_code, keyword, scenario_id, forward) VALUES ($1, $2, $3, $4);

-- name: clientCodes
-- Parameters: client id. Result: its exclusive short codes and keyword registrations, if it exists.
SELECT short_codes, keywords FROM clients WHERE id = $1;

-- name: subscriber
-- Parameters: scenario id, subscriber. Result: state JSON and revision.
SELECT state, revision FROM scenario_subscribers WHERE scenario_id = $1 AND subscriber = $2;

-- name: stepOf
-- Parameters: scenario id, MO id. Result: the replies of the step recorded for that MO.
SELECT replies FROM scenario_steps WHERE scenario_id = $1 AND mo_id = $2;

-- name: insertStep
-- Parameters: scenario id, MO id, subscriber, disposition, counted, replies (json), at.
-- Fails with 23505 on scenario_steps_pkey when the MO was applied before (or is being, on another node).
INSERT INTO scenario_steps (scenario_id, mo_id, subscriber, disposition, counted, replies, at)
VALUES ($1, $2, $3, $4, $5, $6::json, $7);

-- name: insertSubscriber
-- A first step of a subscriber. Parameters: scenario id, subscriber, state JSON, state id, score, updated_at.
-- Changes: 0 when another step created it first (a conflict).
INSERT INTO scenario_subscribers (scenario_id, subscriber, state, state_id, score, revision, updated_at)
VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (scenario_id, subscriber) DO NOTHING;

-- name: updateSubscriber
-- Parameters: state JSON, state id, score, updated_at, scenario id, subscriber, expected revision.
-- Changes: 0 when the revision moved (a conflict).
UPDATE scenario_subscribers SET state = $1, state_id = $2, score = $3, revision = revision + 1, updated_at = $4
WHERE scenario_id = $5 AND subscriber = $6 AND revision = $7;

-- name: addTally
-- Parameters: scenario id, key, amount.
INSERT INTO scenario_tallies (scenario_id, tally_key, count) VALUES ($1, $2, $3)
ON CONFLICT (scenario_id, tally_key) DO UPDATE SET count = scenario_tallies.count + excluded.count;

-- name: insertEntry
-- Parameters: entry id, scenario id, subscriber, label, at.
INSERT INTO scenario_entries (id, scenario_id, subscriber, label, at) VALUES ($1, $2, $3, $4, $5);

-- name: tallies
-- Parameters: scenario id. Result: key, count.
SELECT tally_key, count FROM scenario_tallies WHERE scenario_id = $1 ORDER BY tally_key;

-- name: leaderboard
-- Parameters: scenario id, limit. Result: the best scores, earliest first among equals.
SELECT subscriber, score FROM scenario_subscribers WHERE scenario_id = $1 AND score <> 0
ORDER BY score DESC, updated_at, subscriber LIMIT $2;

-- name: entryCount
-- Parameters: scenario id. Result: n.
SELECT COUNT(*) AS n FROM scenario_entries WHERE scenario_id = $1;

-- name: stateCounts
-- Parameters: scenario id. Result: state id, subscribers in it.
SELECT state_id, COUNT(*) AS n FROM scenario_subscribers WHERE scenario_id = $1 GROUP BY state_id ORDER BY state_id;

-- name: stepCounts
-- Parameters: scenario id. Result: disposition, steps.
SELECT disposition, COUNT(*) AS n FROM scenario_steps WHERE scenario_id = $1 GROUP BY disposition ORDER BY disposition;

-- name: entries
-- Parameters: scenario id. Result: every entry in id order.
SELECT id, subscriber, label, at FROM scenario_entries WHERE scenario_id = $1 ORDER BY id;

-- name: draws
-- Parameters: scenario id. Result: its draws, oldest first.
SELECT scenario_id, draw_id, seed, entries_hash, entry_count, winners, drawn_at FROM scenario_draws
WHERE scenario_id = $1 ORDER BY drawn_at, draw_id;

-- name: insertDraw
-- Parameters: scenario id, draw id, seed, entries hash, entry count, winners (json), drawn_at.
-- Fails with 23505 when the draw id was used before.
INSERT INTO scenario_draws (scenario_id, draw_id, seed, entries_hash, entry_count, winners, drawn_at)
VALUES ($1, $2, $3, $4, $5, $6::json, $7);
