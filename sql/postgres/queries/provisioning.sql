-- Provisioning: clients, API tokens, virtual ports, routes, prefixes, number overrides and the
-- provisioning version. Used by daemon/storage/postgres/provisioning.ts.

-- name: selectVersion
-- The current provisioning version. Result: version.
SELECT version FROM provisioning_version WHERE id = 1;

-- name: lockVersion
-- Serializes provisioning changes (virtual port allocation reads MAX + 1) until commit.
SELECT version FROM provisioning_version WHERE id = 1 FOR UPDATE;

-- name: bumpVersion
-- Raises the version by one (once per applied list). Result: the new version.
UPDATE provisioning_version SET version = version + 1 WHERE id = 1 RETURNING version;

-- name: clientPortById
-- Parameters: client id. Result: virtual_port, when the client exists.
SELECT virtual_port FROM clients WHERE id = $1;

-- name: portOwner
-- Parameters: port. Result: client_id.
SELECT client_id FROM virtual_ports WHERE port = $1;

-- name: nextPort
-- One above every port ever given, starting at 1000. Result: port.
SELECT COALESCE(MAX(port), 999) + 1 AS port FROM virtual_ports;

-- name: recordPort
-- Parameters: port, client id.
INSERT INTO virtual_ports (port, client_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: upsertClient
-- Creates or replaces a client's record; its API tokens are untouched. Parameters: the 21 columns in table order.
INSERT INTO clients (id, name, login, password_hash, url_token, virtual_port, disabled, demo, allowed_ips, senders,
  reserved_tps, max_tps, max_queued, dlr_url, mo_url, callback_format, callback_secret, short_codes, keywords, mo_reply_allowed,
  smpp)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15, $16, $17, $18::jsonb, $19::jsonb, $20,
  $21::jsonb)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, login = excluded.login, password_hash = excluded.password_hash,
  url_token = excluded.url_token, virtual_port = excluded.virtual_port, disabled = excluded.disabled, demo = excluded.demo,
  allowed_ips = excluded.allowed_ips, senders = excluded.senders, reserved_tps = excluded.reserved_tps,
  max_tps = excluded.max_tps, max_queued = excluded.max_queued, dlr_url = excluded.dlr_url, mo_url = excluded.mo_url,
  callback_format = excluded.callback_format, callback_secret = excluded.callback_secret,
  short_codes = excluded.short_codes, keywords = excluded.keywords, mo_reply_allowed = excluded.mo_reply_allowed,
  smpp = excluded.smpp;

-- name: deleteClient
-- Parameters: client id. Changes: 0 when missing.
DELETE FROM clients WHERE id = $1;

-- name: insertToken
-- Parameters: client id, token id, sha256, created_at ms, label.
INSERT INTO api_tokens (client_id, id, sha256, created_at, label) VALUES ($1, $2, $3, $4, $5);

-- name: deleteToken
-- Parameters: client id, token id. Changes: 0 when missing.
DELETE FROM api_tokens WHERE client_id = $1 AND id = $2;

-- name: upsertRoute
-- Parameters: the 21 columns in table order.
INSERT INTO routes (id, host, port, tls, system_id, password, system_type, bind_mode, binds, window_size, tps,
  default_data_coding, gsm_packing, concatenation, receipt_id_format, in_doubt_policy, source_ton, source_npi,
  dest_ton, dest_npi, disabled)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, tls = excluded.tls,
  system_id = excluded.system_id, password = excluded.password, system_type = excluded.system_type,
  bind_mode = excluded.bind_mode, binds = excluded.binds, window_size = excluded.window_size, tps = excluded.tps,
  default_data_coding = excluded.default_data_coding, gsm_packing = excluded.gsm_packing,
  concatenation = excluded.concatenation, receipt_id_format = excluded.receipt_id_format,
  in_doubt_policy = excluded.in_doubt_policy, source_ton = excluded.source_ton, source_npi = excluded.source_npi,
  dest_ton = excluded.dest_ton, dest_npi = excluded.dest_npi, disabled = excluded.disabled;

-- name: routeExists
-- Parameters: route id. Result: id, when the route exists.
SELECT id FROM routes WHERE id = $1;

-- name: deleteRoute
-- Parameters: route id.
DELETE FROM routes WHERE id = $1;

-- name: routeInUse
-- The first prefix or number override still naming a route. Parameters: route id. Result: what.
SELECT 'prefix ' || prefix AS what FROM prefixes WHERE route_id = $1
UNION ALL SELECT 'number override ' || msisdn FROM number_overrides WHERE route_id = $1 LIMIT 1;

-- name: upsertPrefix
-- Parameters: prefix, route id.
INSERT INTO prefixes (prefix, route_id) VALUES ($1, $2) ON CONFLICT (prefix) DO UPDATE SET route_id = excluded.route_id;

-- name: deletePrefix
-- Parameters: prefix. Changes: 0 when missing.
DELETE FROM prefixes WHERE prefix = $1;

-- name: deleteOverrides
DELETE FROM number_overrides;

-- name: insertOverrides
-- Parameters: msisdns, route ids (text[]), pairwise; a later duplicate number wins.
INSERT INTO number_overrides (msisdn, route_id) SELECT * FROM unnest($1::text[], $2::text[])
ON CONFLICT (msisdn) DO UPDATE SET route_id = excluded.route_id;

-- name: selectClients
SELECT * FROM clients ORDER BY id;

-- name: selectTokens
SELECT * FROM api_tokens ORDER BY client_id, created_at, id;

-- name: selectRoutes
SELECT * FROM routes ORDER BY id;

-- name: selectPrefixes
SELECT prefix, route_id FROM prefixes ORDER BY prefix;

-- name: selectOverrides
-- Parameters: numbers (text[]). Result: msisdn, route_id for those that have one.
SELECT msisdn, route_id FROM number_overrides WHERE msisdn = ANY($1::text[]);

-- name: countOverrides
SELECT COUNT(*) AS n FROM number_overrides;
