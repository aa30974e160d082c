-- 004_outbox_claim_per_client: per-client access to due callback events, so that a claim reads a few rows per client instead
-- of ranking every due event (with one client's backlog of thousands, the window over all due events
-- made each claim cost O(backlog) and capped callbacks at about a hundred per second).
CREATE INDEX callback_outbox_due_client ON callback_outbox (client_id, seq) WHERE state = 'due';
