-- 007_stats_indexes: indexes for the statistics reads (daemon/storage/sqlite/stats.ts): a client's
-- messages by acceptance time (figures, charts, reports, search within a date range) and every
-- client's by acceptance time (the operator's view). Two more index writes per accepted message.
CREATE INDEX messages_client_accepted ON messages (client_id, accepted_at);
CREATE INDEX messages_accepted ON messages (accepted_at);
