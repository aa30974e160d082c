-- 002_operations: what the Store port gained after 001 (additive, major version 1).
-- The index builds on `messages` hold a SHARE lock on the ledger (enqueues wait) while they run; on a
-- large ledger a DBA may build them beforehand without blocking (docs/storage.md, "Migrations"), and
-- IF NOT EXISTS then skips them here.
-- Clients' SMPP access (docs/smpp-server.md): system_id, password hash, maximum binds and whether binds
-- are allowed, as one JSON object; NULL for a client that connects over HTTP only.
ALTER TABLE clients ADD COLUMN smpp jsonb;

-- Per-client access to a route's READY messages, so that a fair claim (claimFair) reads a few rows per
-- client (a loose index scan over the route's clients, then each one's first rows) instead of the
-- route's oldest rows, which one flooding client could fill entirely.
CREATE INDEX IF NOT EXISTS mt_queue_ready_client ON mt_queue (route_id, client_id, priority, seq) WHERE state = 'READY';

-- Per segment (submit_sm), when its SMSC id was recorded (its submit_sm_resp), and how many submit_sm
-- the message's submission took (a message_payload route sends a long message as one), so that a
-- message is final only when every one of them is; null on rows recorded before.
ALTER TABLE smsc_ids ADD COLUMN submitted_at bigint;
ALTER TABLE smsc_ids ADD COLUMN parts integer;

-- Support looks messages up by a client's recipient number (smsprocctl messages find --client … --to …),
-- and lists a client's newest messages; without these indexes each reads the client's whole ledger.
-- The statistics reads use the second too (a client's messages within a date range).
CREATE INDEX IF NOT EXISTS messages_client_recipient ON messages (client_id, recipient);
CREATE INDEX IF NOT EXISTS messages_client_accepted ON messages (client_id, accepted_at);

-- The statistics reads over every client (the operator's view) by acceptance time within the days
-- their window prunes to: BRIN, since accepted_at grows with the insertion order, so that the index
-- costs next to nothing per accepted message (a btree here would be a third index write per message).
CREATE INDEX IF NOT EXISTS messages_accepted ON messages USING brin (accepted_at);
-- The exception queue per route (queueDepths): a few rows among the days of final messages.
CREATE INDEX IF NOT EXISTS messages_exception ON messages (route_id, accepted_at) WHERE queue_state = 'EXCEPTION';
