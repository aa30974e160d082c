-- 005_client_smpp: SMPP access for clients (docs/smpp-server.md): system_id, password hash, maximum
-- binds and whether binds are allowed, as one JSON object; NULL for a client that connects over HTTP only.
ALTER TABLE clients ADD COLUMN smpp TEXT;
