-- Provisioning: clients, API tokens, virtual ports, routes, prefixes, number overrides and the
-- provisioning version. Used by daemon/storage/oracle/provisioning.ts. Binds are named (:name).

-- name: selectVersion
-- Result: VERSION.
SELECT version FROM provisioning_version WHERE id = 1

-- name: lockVersion
-- Serialises provisioning changes across nodes until commit. Result: VERSION.
SELECT version FROM provisioning_version WHERE id = 1 FOR UPDATE

-- name: bumpVersion
-- Raises the version by one (once per applied list).
UPDATE provisioning_version SET version = version + 1 WHERE id = 1

-- name: clientPortById
-- Binds: id. Result: VIRTUAL_PORT, when the client exists.
SELECT virtual_port FROM clients WHERE id = :id

-- name: portOwner
-- Binds: port. Result: CLIENT_ID, when the port was ever given.
SELECT client_id FROM virtual_ports WHERE port = :port

-- name: nextPort
-- One above every port ever given, starting at 1000. Result: PORT.
SELECT NVL(MAX(port), 999) + 1 AS port FROM virtual_ports

-- name: recordPort
-- Remembers that a port was given to a client (kept forever). Binds: port, client_id.
MERGE INTO virtual_ports v USING (SELECT :port AS port FROM dual) n ON (v.port = n.port)
WHEN NOT MATCHED THEN INSERT (port, client_id) VALUES (n.port, :client_id)

-- name: upsertClient
-- Creates or replaces a client's record; its API tokens are untouched. Binds: the 21 client columns.
MERGE INTO clients c USING (SELECT :id AS id FROM dual) n ON (c.id = n.id)
WHEN MATCHED THEN UPDATE SET name = :name, login = :login, password_hash = :password_hash, url_token = :url_token,
  virtual_port = :virtual_port, disabled = :disabled, demo = :demo, allowed_ips = :allowed_ips, senders = :senders,
  reserved_tps = :reserved_tps, max_tps = :max_tps, max_queued = :max_queued, dlr_url = :dlr_url, mo_url = :mo_url,
  callback_format = :callback_format, callback_secret = :callback_secret, short_codes = :short_codes,
  keywords = :keywords, mo_reply_allowed = :mo_reply_allowed, smpp = :smpp
WHEN NOT MATCHED THEN INSERT (id, name, login, password_hash, url_token, virtual_port, disabled, demo, allowed_ips,
  senders, reserved_tps, max_tps, max_queued, dlr_url, mo_url, callback_format, callback_secret, short_codes,
  keywords, mo_reply_allowed, smpp)
VALUES (n.id, :name, :login, :password_hash, :url_token, :virtual_port, :disabled, :demo, :allowed_ips,
  :senders, :reserved_tps, :max_tps, :max_queued, :dlr_url, :mo_url, :callback_format, :callback_secret, :short_codes,
  :keywords, :mo_reply_allowed, :smpp)

-- name: ensureCounter
-- Creates a client's segment counter at 0 if missing, so that enqueues only ever update it (two
-- first enqueues of a new client on two nodes would otherwise both insert). Binds: client_id.
MERGE INTO client_counters c USING (SELECT :client_id AS client_id FROM dual) n ON (c.client_id = n.client_id)
WHEN NOT MATCHED THEN INSERT (client_id, segments_used) VALUES (n.client_id, 0)

-- name: deleteClient
-- Deletes a client and (cascade) its API tokens. Binds: id. Rows affected: 0 when missing.
DELETE FROM clients WHERE id = :id

-- name: insertToken
-- Binds: client_id, id, sha256, created_at, label.
INSERT INTO api_tokens (client_id, id, sha256, created_at, label) VALUES (:client_id, :id, :sha256, :created_at, :label)

-- name: deleteToken
-- Binds: client_id, id. Rows affected: 0 when missing.
DELETE FROM api_tokens WHERE client_id = :client_id AND id = :id

-- name: upsertRoute
-- Creates or replaces a route. Binds: the 21 route columns.
MERGE INTO routes r USING (SELECT :id AS id FROM dual) n ON (r.id = n.id)
WHEN MATCHED THEN UPDATE SET host = :host, port = :port, tls = :tls, system_id = :system_id, password = :password,
  system_type = :system_type, bind_mode = :bind_mode, binds = :binds, window_size = :window_size, tps = :tps,
  default_data_coding = :default_data_coding, gsm_packing = :gsm_packing, concatenation = :concatenation,
  receipt_id_format = :receipt_id_format, in_doubt_policy = :in_doubt_policy, source_ton = :source_ton,
  source_npi = :source_npi, dest_ton = :dest_ton, dest_npi = :dest_npi, disabled = :disabled
WHEN NOT MATCHED THEN INSERT (id, host, port, tls, system_id, password, system_type, bind_mode, binds, window_size,
  tps, default_data_coding, gsm_packing, concatenation, receipt_id_format, in_doubt_policy, source_ton, source_npi,
  dest_ton, dest_npi, disabled)
VALUES (n.id, :host, :port, :tls, :system_id, :password, :system_type, :bind_mode, :binds, :window_size,
  :tps, :default_data_coding, :gsm_packing, :concatenation, :receipt_id_format, :in_doubt_policy, :source_ton, :source_npi,
  :dest_ton, :dest_npi, :disabled)

-- name: routeExists
-- Binds: id. Result: ID, when the route exists.
SELECT id FROM routes WHERE id = :id

-- name: deleteRoute
-- Binds: id.
DELETE FROM routes WHERE id = :id

-- name: routeInUse
-- The first prefix or number override still naming a route. Binds: route_id. Result: WHAT.
SELECT what FROM (
  SELECT 'prefix ' || prefix AS what FROM prefixes WHERE route_id = :route_id
  UNION ALL SELECT 'number override ' || msisdn FROM number_overrides WHERE route_id = :route_id
) WHERE ROWNUM = 1

-- name: upsertPrefix
-- Binds: prefix, route_id.
MERGE INTO prefixes p USING (SELECT :prefix AS prefix FROM dual) n ON (p.prefix = n.prefix)
WHEN MATCHED THEN UPDATE SET route_id = :route_id
WHEN NOT MATCHED THEN INSERT (prefix, route_id) VALUES (n.prefix, :route_id)

-- name: deletePrefix
-- Binds: prefix. Rows affected: 0 when missing.
DELETE FROM prefixes WHERE prefix = :prefix

-- name: deleteOverrides
-- Empties the number-portability table before a replacement.
DELETE FROM number_overrides

-- name: insertOverride
-- Binds: msisdn, route_id.
INSERT INTO number_overrides (msisdn, route_id) VALUES (:msisdn, :route_id)

-- name: selectClients
-- Every client, ordered by id.
SELECT * FROM clients ORDER BY id

-- name: selectTokens
-- Every API token, by client then creation.
SELECT * FROM api_tokens ORDER BY client_id, created_at, id

-- name: selectRoutes
-- Every route, ordered by id.
SELECT * FROM routes ORDER BY id

-- name: selectPrefixes
-- Result: PREFIX, ROUTE_ID ordered by prefix.
SELECT prefix, route_id FROM prefixes ORDER BY prefix

-- name: selectOverride
-- Binds: msisdn. Result: MSISDN, ROUTE_ID when the number has an override.
SELECT msisdn, route_id FROM number_overrides WHERE msisdn = :msisdn

-- name: countOverrides
-- Result: N.
SELECT COUNT(*) AS n FROM number_overrides

-- name: readOnly
-- Starts a read-only transaction: every later query of it reads one snapshot (loadProvisioning).
SET TRANSACTION READ ONLY
