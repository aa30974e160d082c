-- Provisioning: clients, API tokens, virtual ports, routes, prefixes, number overrides and the
-- provisioning version. Used by daemon/storage/sqlite/provisioning.ts. Parameters are positional (?).

-- name: selectVersion
-- The current provisioning version. Result: version.
SELECT version FROM provisioning_version WHERE id = 1;

-- name: bumpVersion
-- Raises the version by one (once per applied list). Result: the new version.
UPDATE provisioning_version SET version = version + 1 WHERE id = 1 RETURNING version;

-- name: clientPortById
-- Whether a client exists, and its port. Parameters: client id. Result: virtual_port.
SELECT virtual_port FROM clients WHERE id = ?;

-- name: portOwner
-- Who was ever given a virtual port. Parameters: port. Result: client_id.
SELECT client_id FROM virtual_ports WHERE port = ?;

-- name: nextPort
-- The next virtual port: one above every port ever given, starting at 1000. Result: port.
SELECT COALESCE(MAX(port), 999) + 1 AS port FROM virtual_ports;

-- name: recordPort
-- Remembers that a port was given to a client (kept forever). Parameters: port, client id.
INSERT OR IGNORE INTO virtual_ports (port, client_id) VALUES (?, ?);

-- name: upsertClient
-- Creates or replaces a client's record; its API tokens are untouched.
-- Parameters: the 21 columns in table order (lists and the SMPP access as JSON, booleans as 0/1).
INSERT INTO clients (id, name, login, password_hash, url_token, virtual_port, disabled, demo, allowed_ips, senders,
  reserved_tps, max_tps, max_queued, dlr_url, mo_url, callback_format, callback_secret, short_codes, keywords, mo_reply_allowed,
  smpp)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, login = excluded.login, password_hash = excluded.password_hash,
  url_token = excluded.url_token, virtual_port = excluded.virtual_port, disabled = excluded.disabled, demo = excluded.demo,
  allowed_ips = excluded.allowed_ips, senders = excluded.senders, reserved_tps = excluded.reserved_tps,
  max_tps = excluded.max_tps, max_queued = excluded.max_queued, dlr_url = excluded.dlr_url, mo_url = excluded.mo_url,
  callback_format = excluded.callback_format, callback_secret = excluded.callback_secret,
  short_codes = excluded.short_codes, keywords = excluded.keywords, mo_reply_allowed = excluded.mo_reply_allowed,
  smpp = excluded.smpp;

-- name: deleteClient
-- Deletes a client and (cascade) its API tokens. Parameters: client id. Changes: 0 when missing.
DELETE FROM clients WHERE id = ?;

-- name: insertToken
-- Adds an API token (its hash only). Parameters: client id, token id, sha256, created_at ms, label.
INSERT INTO api_tokens (client_id, id, sha256, created_at, label) VALUES (?, ?, ?, ?, ?);

-- name: deleteToken
-- Removes an API token. Parameters: client id, token id. Changes: 0 when missing.
DELETE FROM api_tokens WHERE client_id = ? AND id = ?;

-- name: upsertRoute
-- Creates or replaces a route. Parameters: the 21 columns in table order (booleans as 0/1).
INSERT INTO routes (id, host, port, tls, system_id, password, system_type, bind_mode, binds, window_size, tps,
  default_data_coding, gsm_packing, concatenation, receipt_id_format, in_doubt_policy, source_ton, source_npi,
  dest_ton, dest_npi, disabled)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, tls = excluded.tls,
  system_id = excluded.system_id, password = excluded.password, system_type = excluded.system_type,
  bind_mode = excluded.bind_mode, binds = excluded.binds, window_size = excluded.window_size, tps = excluded.tps,
  default_data_coding = excluded.default_data_coding, gsm_packing = excluded.gsm_packing,
  concatenation = excluded.concatenation, receipt_id_format = excluded.receipt_id_format,
  in_doubt_policy = excluded.in_doubt_policy, source_ton = excluded.source_ton, source_npi = excluded.source_npi,
  dest_ton = excluded.dest_ton, dest_npi = excluded.dest_npi, disabled = excluded.disabled;

-- name: routeExists
-- Parameters: route id. Result: id, when the route exists.
SELECT id FROM routes WHERE id = ?;

-- name: deleteRoute
-- Parameters: route id.
DELETE FROM routes WHERE id = ?;

-- name: routeInUse
-- The first prefix or number override still naming a route. Parameters: route id, route id.
-- Result: what (e.g. "prefix 7916").
SELECT 'prefix ' || prefix AS what FROM prefixes WHERE route_id = ?
UNION ALL SELECT 'number override ' || msisdn FROM number_overrides WHERE route_id = ? LIMIT 1;

-- name: upsertPrefix
-- Parameters: prefix, route id.
INSERT OR REPLACE INTO prefixes (prefix, route_id) VALUES (?, ?);

-- name: deletePrefix
-- Parameters: prefix. Changes: 0 when missing.
DELETE FROM prefixes WHERE prefix = ?;

-- name: deleteOverrides
-- Empties the number-portability table before a replacement.
DELETE FROM number_overrides;

-- name: insertOverride
-- Parameters: msisdn, route id.
INSERT OR REPLACE INTO number_overrides (msisdn, route_id) VALUES (?, ?);

-- name: selectClients
-- Every client. Result: all client columns, ordered by id.
SELECT * FROM clients ORDER BY id;

-- name: selectTokens
-- Every API token. Result: all token columns, by client then creation.
SELECT * FROM api_tokens ORDER BY client_id, created_at, id;

-- name: selectRoutes
-- Every route. Result: all route columns, ordered by id.
SELECT * FROM routes ORDER BY id;

-- name: selectPrefixes
-- Every prefix. Result: prefix, route_id, ordered by prefix.
SELECT prefix, route_id FROM prefixes ORDER BY prefix;

-- name: selectOverrides
-- The overrides of a request's numbers in one statement (a batch of 100 numbers was 100 statements).
-- Parameters: the numbers as a JSON array. Result: msisdn, route_id for those that have one.
SELECT msisdn, route_id FROM number_overrides WHERE msisdn IN (SELECT value FROM json_each(?));

-- name: countOverrides
-- Result: n, the number of overrides.
SELECT COUNT(*) AS n FROM number_overrides;
