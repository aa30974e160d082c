-- 006_outbox_claim_channel: due callback events per client and channel (SMPP or not), so that a claim
-- scoped to some channels (a node takes SMPP events only of clients bound to it) reads a few rows of
-- the channels it takes, not the rows of events it must leave (docs/smpp-server.md). Replaces
-- callback_outbox_due_client, whose client_id prefix it keeps for the loose scan of due clients; a
-- node of older code still claims through the new index (by client, then a sort of that client's rows).
-- The channel is an integer, not a boolean: the planner rewrites `(url = 'smpp:') = false` to
-- `url <> 'smpp:'`, which a boolean index column no longer matches.
CREATE INDEX IF NOT EXISTS callback_outbox_due_channel ON callback_outbox (client_id, ((url = 'smpp:')::integer), seq) WHERE state = 'due';
DROP INDEX IF EXISTS callback_outbox_due_client;
