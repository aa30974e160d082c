-- Statistics reads over the message ledger (docs/web.md): figures, chart buckets, reports, message
-- search and queue depths. Used by daemon/storage/postgres/stats.ts. Times are bigint ms since the
-- epoch; windows are on accepted_at, [since, until). The ledger is partitioned by day, and the
-- planner cannot derive the days from accepted_at, so every windowed read also bounds `day` (the
-- window's first and last day, computed by the caller): only those days' partitions are read, also
-- under a generic plan of the prepared statement (pruning at executor start). Each read has a variant
-- for one client (messages_client_accepted) and one for every client (the BRIN index on accepted_at).
-- SUMs are cast to bigint: node-postgres would return numeric as text.

-- name: summaryOfClient
-- Parameters: client, since, until, first day, last day. Result: one row per current status: status,
-- messages, segments, submitted (messages with submitted_at), latency_sum, latency_max and latency_n
-- over delivered ones.
SELECT status, COUNT(*) AS messages, SUM(segments)::bigint AS segments,
  COUNT(*) FILTER (WHERE submitted_at IS NOT NULL) AS submitted,
  (SUM(done_at - accepted_at) FILTER (WHERE status = 'delivered' AND done_at IS NOT NULL))::bigint AS latency_sum,
  MAX(done_at - accepted_at) FILTER (WHERE status = 'delivered' AND done_at IS NOT NULL) AS latency_max,
  COUNT(*) FILTER (WHERE status = 'delivered' AND done_at IS NOT NULL) AS latency_n
FROM messages
WHERE client_id = $1 AND accepted_at >= $2::bigint AND accepted_at < $3::bigint AND day BETWEEN $4::int AND $5::int
GROUP BY status;

-- name: summaryOfAll
-- Parameters: since, until, first day, last day. Result: as summaryOfClient, over every client.
SELECT status, COUNT(*) AS messages, SUM(segments)::bigint AS segments,
  COUNT(*) FILTER (WHERE submitted_at IS NOT NULL) AS submitted,
  (SUM(done_at - accepted_at) FILTER (WHERE status = 'delivered' AND done_at IS NOT NULL))::bigint AS latency_sum,
  MAX(done_at - accepted_at) FILTER (WHERE status = 'delivered' AND done_at IS NOT NULL) AS latency_max,
  COUNT(*) FILTER (WHERE status = 'delivered' AND done_at IS NOT NULL) AS latency_n
FROM messages
WHERE accepted_at >= $1::bigint AND accepted_at < $2::bigint AND day BETWEEN $3::int AND $4::int
GROUP BY status;

-- name: seriesOfClient
-- Parameters: client, since, until, first day, last day, bucket (ms). Result: bucket (index from
-- since), messages, segments, delivered, failed (undeliverable, rejected, failed, expired, cancelled);
-- empty buckets absent.
SELECT (accepted_at - $2::bigint) / $6::bigint AS bucket, COUNT(*) AS messages, SUM(segments)::bigint AS segments,
  COUNT(*) FILTER (WHERE status = 'delivered') AS delivered,
  COUNT(*) FILTER (WHERE status IN ('undeliverable', 'rejected', 'failed', 'expired', 'cancelled')) AS failed
FROM messages
WHERE client_id = $1 AND accepted_at >= $2::bigint AND accepted_at < $3::bigint AND day BETWEEN $4::int AND $5::int
GROUP BY 1 ORDER BY 1;

-- name: seriesOfAll
-- Parameters: since, until, first day, last day, bucket. Result: as seriesOfClient, over every client.
SELECT (accepted_at - $1::bigint) / $5::bigint AS bucket, COUNT(*) AS messages, SUM(segments)::bigint AS segments,
  COUNT(*) FILTER (WHERE status = 'delivered') AS delivered,
  COUNT(*) FILTER (WHERE status IN ('undeliverable', 'rejected', 'failed', 'expired', 'cancelled')) AS failed
FROM messages
WHERE accepted_at >= $1::bigint AND accepted_at < $2::bigint AND day BETWEEN $3::int AND $4::int
GROUP BY 1 ORDER BY 1;

-- name: reportOfClient
-- Parameters: client, since, until, first day, last day, kind ('day', 'sender', 'route', 'status',
-- 'client'). Result: key (the day as whole days since the epoch, or the sender, route id, status,
-- client id), messages, segments, delivered, failed (undeliverable, rejected, failed, cancelled),
-- expired, pending (not final).
SELECT CASE $6::text WHEN 'sender' THEN sender WHEN 'route' THEN route_id WHEN 'status' THEN status
    WHEN 'client' THEN client_id ELSE day::text END AS key,
  COUNT(*) AS messages, SUM(segments)::bigint AS segments,
  COUNT(*) FILTER (WHERE status = 'delivered') AS delivered,
  COUNT(*) FILTER (WHERE status IN ('undeliverable', 'rejected', 'failed', 'cancelled')) AS failed,
  COUNT(*) FILTER (WHERE status = 'expired') AS expired,
  COUNT(*) FILTER (WHERE status IN ('accepted', 'scheduled', 'submitted', 'in_doubt')) AS pending
FROM messages
WHERE client_id = $1 AND accepted_at >= $2::bigint AND accepted_at < $3::bigint AND day BETWEEN $4::int AND $5::int
GROUP BY 1;

-- name: reportOfAll
-- Parameters: since, until, first day, last day, kind. Result: as reportOfClient, over every client.
SELECT CASE $5::text WHEN 'sender' THEN sender WHEN 'route' THEN route_id WHEN 'status' THEN status
    WHEN 'client' THEN client_id ELSE day::text END AS key,
  COUNT(*) AS messages, SUM(segments)::bigint AS segments,
  COUNT(*) FILTER (WHERE status = 'delivered') AS delivered,
  COUNT(*) FILTER (WHERE status IN ('undeliverable', 'rejected', 'failed', 'cancelled')) AS failed,
  COUNT(*) FILTER (WHERE status = 'expired') AS expired,
  COUNT(*) FILTER (WHERE status IN ('accepted', 'scheduled', 'submitted', 'in_doubt')) AS pending
FROM messages
WHERE accepted_at >= $1::bigint AND accepted_at < $2::bigint AND day BETWEEN $3::int AND $4::int
GROUP BY 1;

-- name: search
-- A client's messages in a window matching the optional filters (null: no filter), newest first.
-- Parameters: client, since, until, first day, last day, recipient, id, client ref, sender, status, limit.
-- Result: ledger columns of the message list.
SELECT id, client_ref, route_id, sender, recipient, segments, status, accepted_at, submitted_at, done_at, error_code
FROM messages
WHERE client_id = $1 AND accepted_at >= $2::bigint AND accepted_at < $3::bigint AND day BETWEEN $4::int AND $5::int
  AND ($6::text IS NULL OR recipient = $6)
  AND ($7::text IS NULL OR id = $7)
  AND ($8::text IS NULL OR client_ref = $8)
  AND ($9::text IS NULL OR sender = $9)
  AND ($10::text IS NULL OR status = $10)
ORDER BY accepted_at DESC, seq DESC LIMIT $11;

-- name: callbackDepth
-- Callback events not delivered, per client and state. Two parts whose conditions are those of the
-- outbox's partial indexes, so that the delivered events kept for retention are never read.
-- Result: client_id, state, events, oldest_created_at.
SELECT client_id, state, COUNT(*) AS events, MIN(created_at) AS oldest_created_at
FROM callback_outbox WHERE state IN ('due', 'leased')
GROUP BY client_id, state
UNION ALL
SELECT client_id, state, COUNT(*) AS events, MIN(created_at) AS oldest_created_at
FROM callback_outbox WHERE state = 'dead'
GROUP BY client_id, state
ORDER BY 1, 2;
