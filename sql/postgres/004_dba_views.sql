-- 004_dba_views: what DBAs ask of Oracle's AQ$<queue table>, V$AQ and GV$PERSISTENT_QUEUES, as
-- views of this schema (docs/storage.md, "DBA views"), and smsproc_monitor, a read-only role that may
-- SELECT these views and nothing else. Additive: views, a role and grants.
-- Times are bigint milliseconds like the tables'; ages are seconds by the database clock (ms_now()).
-- The views name our tables through their OIDs (resolved now), so they read this schema whatever the
-- search_path of the session that queries them; pg_stat_* rows are limited to this schema the same way.

-- One row per (queue, state): depth and the oldest message. Queues: 'mt' (mt_queue: READY, WAITING,
-- IN_FLIGHT, IN_DOUBT), 'callback_dlr' and 'callback_mo' (callback_outbox: due, leased, dead,
-- delivered within retention), 'mo_parts' (parts of concatenated MO held for reassembly: HELD).
-- The oldest MT message is the one with the lowest seq (numbered in acceptance order), so the
-- count is one pass over mt_queue and the ledger is read once per group, not once per message.
CREATE VIEW dba_queue_depth AS
WITH mt AS (
  SELECT q.state, count(*) AS messages, min(q.seq) AS oldest_seq FROM mt_queue q GROUP BY q.state
)
SELECT 'mt'::text AS queue, mt.state, mt.messages, o.accepted_at AS oldest_at,
       round((ms_now() - o.accepted_at) / 1000.0, 1) AS oldest_age_s
FROM mt LEFT JOIN LATERAL (SELECT m.accepted_at FROM messages m WHERE m.seq = mt.oldest_seq LIMIT 1) o ON true
UNION ALL
SELECT 'callback_' || c.kind, c.state, count(*), min(c.created_at), round((ms_now() - min(c.created_at)) / 1000.0, 1)
FROM callback_outbox c GROUP BY c.kind, c.state
UNION ALL
SELECT 'mo_parts', 'HELD', count(*), min(p.received_at), round((ms_now() - min(p.received_at)) / 1000.0, 1)
FROM mo_parts p HAVING count(*) > 0;

-- One row per route (provisioned, or still holding queue rows): its MT backlog by state, the age of
-- its oldest READY message, the owners (nodes) holding its in-flight rows at the binds' current
-- epochs, in-flight rows left at an older epoch (fenced out: their acks will be refused), and each
-- bind's current fencing epoch from bind_epochs (bind ids are route/<route>/bind/<n>).
CREATE VIEW dba_route_backlog AS
WITH q AS (
  SELECT route_id,
         count(*) FILTER (WHERE state = 'READY') AS ready,
         count(*) FILTER (WHERE state = 'WAITING') AS waiting,
         count(*) FILTER (WHERE state = 'IN_FLIGHT') AS in_flight,
         count(*) FILTER (WHERE state = 'IN_DOUBT') AS in_doubt,
         min(seq) FILTER (WHERE state = 'READY') AS oldest_ready_seq
  FROM mt_queue GROUP BY route_id
), holders AS (
  SELECT q.route_id,
         string_agg(DISTINCT q.owner, ', ' ORDER BY q.owner) FILTER (WHERE b.epoch = q.epoch) AS owners,
         count(*) FILTER (WHERE b.epoch IS DISTINCT FROM q.epoch) AS fenced_in_flight
  FROM mt_queue q LEFT JOIN bind_epochs b ON b.bind_id = q.bind_id
  WHERE q.state = 'IN_FLIGHT' GROUP BY q.route_id
), binds AS (
  SELECT split_part(bind_id, '/', 2) AS route_id,
         string_agg(bind_id || '@' || epoch, ', ' ORDER BY bind_id) AS bind_epochs
  FROM bind_epochs WHERE split_part(bind_id, '/', 1) = 'route' GROUP BY 1
)
SELECT COALESCE(r.id, q.route_id) AS route_id, r.disabled,
       COALESCE(q.ready, 0) AS ready, COALESCE(q.waiting, 0) AS waiting,
       COALESCE(q.in_flight, 0) AS in_flight, COALESCE(q.in_doubt, 0) AS in_doubt,
       round((ms_now() - o.accepted_at) / 1000.0, 1) AS oldest_ready_age_s,
       h.owners, COALESCE(h.fenced_in_flight, 0) AS fenced_in_flight, b.bind_epochs
FROM routes r
FULL JOIN q ON q.route_id = r.id
LEFT JOIN holders h ON h.route_id = COALESCE(r.id, q.route_id)
LEFT JOIN binds b ON b.route_id = COALESCE(r.id, q.route_id)
LEFT JOIN LATERAL (SELECT m.accepted_at FROM messages m WHERE m.seq = q.oldest_ready_seq LIMIT 1) o ON true;

-- One row per consumer, that is per bind that ever claimed (bind_epochs): its route, current epoch,
-- the owner holding its leases, what it holds in flight and the soonest lease deadline, what it left
-- in doubt, and its lag: the READY backlog of its route and how long the oldest of it has waited.
CREATE VIEW dba_consumer_lag AS
WITH held AS (
  SELECT q.bind_id,
         count(*) FILTER (WHERE q.state = 'IN_FLIGHT' AND q.epoch = b.epoch) AS in_flight,
         string_agg(DISTINCT q.owner, ', ' ORDER BY q.owner) FILTER (WHERE q.state = 'IN_FLIGHT' AND q.epoch = b.epoch) AS owner,
         min(q.lease_until) FILTER (WHERE q.state = 'IN_FLIGHT' AND q.epoch = b.epoch) AS next_lease_until,
         count(*) FILTER (WHERE q.state = 'IN_DOUBT') AS in_doubt
  FROM mt_queue q JOIN bind_epochs b ON b.bind_id = q.bind_id
  WHERE q.state IN ('IN_FLIGHT', 'IN_DOUBT') GROUP BY q.bind_id
), ready AS (
  SELECT route_id, count(*) AS ready, min(seq) AS oldest_seq FROM mt_queue WHERE state = 'READY' GROUP BY route_id
)
SELECT b.bind_id, split_part(b.bind_id, '/', 2) AS route_id, b.epoch, h.owner,
       COALESCE(h.in_flight, 0) AS in_flight,
       round((h.next_lease_until - ms_now()) / 1000.0, 1) AS lease_left_s,
       COALESCE(h.in_doubt, 0) AS in_doubt,
       COALESCE(r.ready, 0) AS route_ready,
       COALESCE(round((ms_now() - o.accepted_at) / 1000.0, 1), 0) AS lag_s
FROM bind_epochs b
LEFT JOIN held h ON h.bind_id = b.bind_id
LEFT JOIN ready r ON r.route_id = split_part(b.bind_id, '/', 2)
LEFT JOIN LATERAL (SELECT m.accepted_at FROM messages m WHERE m.seq = r.oldest_seq LIMIT 1) o ON true;

-- One row per minute of the last 15 (the current one partial), newest first: MT messages enqueued
-- (accepted_at, through the BRIN index messages_accepted of 002 and the day partitions), submitted, expired and moved
-- to the exception queue (queue_done_at, through the partial index messages_queue_done), callbacks
-- delivered (callback_outbox_delivered) and MO recorded (mo_messages_recorded).
CREATE VIEW dba_queue_rates AS
-- The window's start is a scalar subquery in each part (not a joined CTE), computed once per query,
-- so that day partitions are pruned and the indexes used.
WITH minutes AS (
  SELECT generate_series((ms_now() / 60000 - 14) * 60000, ms_now() / 60000 * 60000, 60000) AS minute_ms
), enqueued AS (
  SELECT m.accepted_at / 60000 * 60000 AS minute_ms, count(*) AS n
  FROM messages m
  WHERE m.day >= (SELECT (ms_now() / 60000 - 14) * 60000 / 86400000) AND m.accepted_at >= (SELECT (ms_now() / 60000 - 14) * 60000)
  GROUP BY 1
), finished AS (
  SELECT m.queue_done_at / 60000 * 60000 AS minute_ms,
         count(*) FILTER (WHERE m.queue_state = 'PROCESSED' AND m.submitted_at IS NOT NULL) AS submitted,
         count(*) FILTER (WHERE m.queue_state = 'EXPIRED') AS expired,
         count(*) FILTER (WHERE m.queue_state = 'EXCEPTION') AS exception
  FROM messages m
  WHERE m.queue_state IS NOT NULL AND m.queue_done_at >= (SELECT (ms_now() / 60000 - 14) * 60000)
  GROUP BY 1
), delivered AS (
  SELECT c.done_at / 60000 * 60000 AS minute_ms, count(*) AS n
  FROM callback_outbox c WHERE c.state = 'delivered' AND c.done_at >= (SELECT (ms_now() / 60000 - 14) * 60000) GROUP BY 1
), mo AS (
  SELECT r.recorded_at / 60000 * 60000 AS minute_ms, count(*) AS n
  FROM mo_messages r WHERE r.recorded_at >= (SELECT (ms_now() / 60000 - 14) * 60000) GROUP BY 1
)
SELECT to_timestamp(x.minute_ms / 1000.0) AS minute,
       COALESCE(e.n, 0) AS mt_enqueued, COALESCE(f.submitted, 0) AS mt_submitted,
       COALESCE(f.expired, 0) AS mt_expired, COALESCE(f.exception, 0) AS mt_exception,
       COALESCE(d.n, 0) AS callbacks_delivered, COALESCE(r.n, 0) AS mo_recorded
FROM minutes x
LEFT JOIN enqueued e ON e.minute_ms = x.minute_ms
LEFT JOIN finished f ON f.minute_ms = x.minute_ms
LEFT JOIN delivered d ON d.minute_ms = x.minute_ms
LEFT JOIN mo r ON r.minute_ms = x.minute_ms
ORDER BY x.minute_ms DESC;

-- One row per table (and ledger partition) of this schema, most dead tuples first: live and dead
-- tuples, and when it was last vacuumed and analyzed, by hand or by autovacuum.
CREATE VIEW dba_table_health AS
SELECT s.relname AS table_name, parent.relname AS partition_of, s.n_live_tup, s.n_dead_tup,
       round(s.n_dead_tup::numeric / GREATEST(s.n_live_tup + s.n_dead_tup, 1), 3) AS dead_ratio,
       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
       s.vacuum_count, s.autovacuum_count, s.n_mod_since_analyze
FROM pg_stat_user_tables s
LEFT JOIN pg_inherits i ON i.inhrelid = s.relid
LEFT JOIN pg_class parent ON parent.oid = i.inhparent
WHERE s.relid IN (SELECT c.oid FROM pg_class c WHERE c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'mt_queue'::regclass))
ORDER BY s.n_dead_tup DESC, s.relname;

-- One row per open transaction in this database other than the asking session's, oldest first:
-- how long it has been open, how many transactions old its snapshot is (what holds back vacuum of
-- dead tuples), and what it runs. Sessions of other users show only when the asking role may see
-- them (superuser, the same user, or pg_read_all_stats: docs/storage.md, "Monitoring role").
CREATE VIEW dba_oldest_transactions AS
SELECT a.pid, a.usename, a.application_name, a.state,
       round(extract(epoch FROM clock_timestamp() - a.xact_start)::numeric, 1) AS xact_age_s,
       age(a.backend_xmin) AS xmin_age, left(a.query, 200) AS query
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.xact_start IS NOT NULL AND a.pid <> pg_backend_pid()
ORDER BY a.xact_start;

-- The monitoring role: NOLOGIN, so a DBA grants it to a login (GRANT smsproc_monitor TO alice).
-- Roles are per cluster, so several schemas (and nodes migrating at once) share it: created once,
-- a concurrent creation is not an error, and a migrating user without CREATEROLE skips it with a
-- notice (a DBA then creates the role and runs the grants below; docs/storage.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'smsproc_monitor') THEN
    BEGIN
      CREATE ROLE smsproc_monitor NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'smsproc_monitor not created: % lacks CREATEROLE; a DBA creates it and grants SELECT on the dba_ views', current_user;
    END;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'smsproc_monitor') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO smsproc_monitor', current_schema());
    GRANT SELECT ON dba_queue_depth, dba_route_backlog, dba_consumer_lag, dba_queue_rates, dba_table_health,
      dba_oldest_transactions TO smsproc_monitor;
  END IF;
END
$$;
