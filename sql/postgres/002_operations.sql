-- 002_operations: what the Store port gained after 001 (additive, major version 1).
-- Clients' SMPP access (docs/smpp-server.md): system_id, password hash, maximum binds and whether binds
-- are allowed, as one JSON object; NULL for a client that connects over HTTP only.
ALTER TABLE clients ADD COLUMN smpp jsonb;
