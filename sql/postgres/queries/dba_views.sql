-- Reads of the DBA views (sql/postgres/004_dba_views.sql) for `smsprocctl queues --health`. Used by
-- daemon/storage/postgres/dba-views.ts. Each returns the view's rows in the view's order.

-- name: depth
-- Result: queue, state, messages, oldest_at (ms), oldest_age_s; by queue and state.
SELECT queue, state, messages, oldest_at, oldest_age_s FROM dba_queue_depth ORDER BY queue, state;

-- name: routes
-- Result: one row per route: backlog by state, oldest_ready_age_s, owners, fenced_in_flight, bind_epochs.
SELECT route_id, ready, waiting, in_flight, in_doubt, oldest_ready_age_s, owners, fenced_in_flight, bind_epochs
FROM dba_route_backlog ORDER BY route_id;

-- name: consumers
-- Result: one row per bind: route_id, epoch, owner, in_flight, lease_left_s, in_doubt, route_ready, lag_s.
SELECT bind_id, route_id, epoch, owner, in_flight, lease_left_s, in_doubt, route_ready, lag_s FROM dba_consumer_lag ORDER BY bind_id;

-- name: rates
-- Result: one row per minute of the last 15, newest first.
SELECT minute, mt_enqueued, mt_submitted, mt_expired, mt_exception, callbacks_delivered, mo_recorded FROM dba_queue_rates;

-- name: tables
-- Result: one row per table of the schema, most dead tuples first.
SELECT table_name, partition_of, n_live_tup, n_dead_tup, dead_ratio, last_vacuum, last_autovacuum FROM dba_table_health;

-- name: transactions
-- Result: the open transactions of the database, oldest first.
SELECT pid, usename, application_name, state, xact_age_s, xmin_age FROM dba_oldest_transactions;
