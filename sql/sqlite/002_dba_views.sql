-- 002_dba_views: read-only views for operators and DBAs (sqlite3 shell, smsprocctl): queue depth by
-- route and state, messages left IN_DOUBT, the exception queue, and clients' usage. No parameters;
-- each view returns one row per group named in its comment.

-- One row per (route, state) with the number of queue rows and the oldest acceptance time.
CREATE VIEW dba_mt_queue_depth AS
SELECT q.route_id, q.state, COUNT(*) AS messages, MIN(m.accepted_at) AS oldest_accepted_at
FROM mt_queue q JOIN messages m ON m.seq = q.seq
GROUP BY q.route_id, q.state;

-- One row per message whose lease expired while it was in flight: who held it, when, how often tried.
CREATE VIEW dba_mt_in_doubt AS
SELECT m.id, q.route_id, m.client_id, q.owner, q.bind_id, q.epoch, q.lease_until, q.attempts, m.recipient
FROM mt_queue q JOIN messages m ON m.seq = q.seq
WHERE q.state = 'IN_DOUBT';

-- One row per message in the exception queue (gave up after max_retries).
CREATE VIEW dba_mt_exception AS
SELECT m.id, e.route_id, e.client_id, e.attempts, e.reason, e.moved_at, m.recipient
FROM mt_exception e JOIN messages m ON m.seq = e.seq;

-- One row per client with segments used (all time) and messages not yet final.
CREATE VIEW dba_client_usage AS
SELECT c.id AS client_id, c.demo, COALESCE(k.segments_used, 0) AS segments_used,
  (SELECT COUNT(*) FROM mt_queue q WHERE q.client_id = c.id AND q.state IN ('READY', 'WAITING', 'IN_FLIGHT', 'IN_DOUBT')) AS queued
FROM clients c LEFT JOIN client_counters k ON k.client_id = c.id;
