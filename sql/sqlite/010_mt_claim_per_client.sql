-- 010_mt_claim_per_client: per-client access to a route's READY messages, so that a fair claim reads a
-- few rows per client (a loose index scan over the route's clients, then each one's first rows) instead
-- of the route's oldest rows, which one flooding client could fill entirely.
CREATE INDEX mt_queue_ready_client ON mt_queue (route_id, client_id, priority, seq) WHERE state = 'READY';
