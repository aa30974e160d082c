-- 013_outbox_claim_channel: due callback events per client and channel (SMPP or not), so that a claim
-- scoped to some channels (a node takes SMPP events only of clients bound to it) reads a few rows of
-- the channels it takes, not the rows of events it must leave (docs/smpp-server.md). Replaces
-- callback_outbox_due_client, whose client_id prefix it keeps for the loose scan of due clients.
DROP INDEX callback_outbox_due_client;
CREATE INDEX callback_outbox_due_channel ON callback_outbox (client_id, url = 'smpp:', seq) WHERE state = 'due';
