-- Statistics reads over the message ledger (docs/web.md): figures, chart buckets, reports, message
-- search and queue depths. Used by daemon/storage/sqlite/stats.ts. Times are INTEGER ms since the
-- epoch; windows are on accepted_at, [@since, @until). Each read has a variant for one client
-- (@client) and one for every client, so that each uses its own index. Kept to plain SQL (CASE,
-- COUNT, SUM, CAST) so that other adapters can take it over. Numbers bound from JavaScript may be
-- REAL, hence the CAST of bucket numbers.

-- name: summaryOfClient
-- Parameters: @client, @since, @until. Result: one row per current status: status, messages,
-- segments, submitted (messages with submitted_at), latency_sum and latency_max over delivered ones.
SELECT status, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS submitted,
  SUM(CASE WHEN status = 'delivered' AND done_at IS NOT NULL THEN done_at - accepted_at END) AS latency_sum,
  MAX(CASE WHEN status = 'delivered' AND done_at IS NOT NULL THEN done_at - accepted_at END) AS latency_max,
  SUM(CASE WHEN status = 'delivered' AND done_at IS NOT NULL THEN 1 ELSE 0 END) AS latency_n
FROM messages WHERE client_id = @client AND accepted_at >= @since AND accepted_at < @until
GROUP BY status;

-- name: summaryOfAll
-- Parameters: @since, @until. Result: as summaryOfClient, over every client.
SELECT status, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS submitted,
  SUM(CASE WHEN status = 'delivered' AND done_at IS NOT NULL THEN done_at - accepted_at END) AS latency_sum,
  MAX(CASE WHEN status = 'delivered' AND done_at IS NOT NULL THEN done_at - accepted_at END) AS latency_max,
  SUM(CASE WHEN status = 'delivered' AND done_at IS NOT NULL THEN 1 ELSE 0 END) AS latency_n
FROM messages WHERE accepted_at >= @since AND accepted_at < @until
GROUP BY status;

-- name: seriesOfClient
-- Parameters: @client, @since, @until, @bucket (ms). Result: bucket (index from @since), messages,
-- segments, delivered, failed (undeliverable, rejected, failed, expired, cancelled); empty buckets absent.
SELECT CAST((accepted_at - @since) / @bucket AS INTEGER) AS bucket, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
  SUM(CASE WHEN status IN ('undeliverable', 'rejected', 'failed', 'expired', 'cancelled') THEN 1 ELSE 0 END) AS failed
FROM messages WHERE client_id = @client AND accepted_at >= @since AND accepted_at < @until
GROUP BY CAST((accepted_at - @since) / @bucket AS INTEGER) ORDER BY bucket;

-- name: seriesOfAll
-- Parameters: @since, @until, @bucket. Result: as seriesOfClient, over every client.
SELECT CAST((accepted_at - @since) / @bucket AS INTEGER) AS bucket, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
  SUM(CASE WHEN status IN ('undeliverable', 'rejected', 'failed', 'expired', 'cancelled') THEN 1 ELSE 0 END) AS failed
FROM messages WHERE accepted_at >= @since AND accepted_at < @until
GROUP BY CAST((accepted_at - @since) / @bucket AS INTEGER) ORDER BY bucket;

-- name: reportOfClient
-- Parameters: @client, @since, @until, @kind ('day', 'sender', 'route', 'status', 'client').
-- Result: key (the day as whole days since the epoch, or the sender, route id, status, client id),
-- messages, segments, delivered, failed (undeliverable, rejected, failed, cancelled), expired,
-- pending (not final).
SELECT CASE @kind WHEN 'sender' THEN sender WHEN 'route' THEN route_id WHEN 'status' THEN status
    WHEN 'client' THEN client_id ELSE CAST(accepted_at / 86400000 AS TEXT) END AS key,
  COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
  SUM(CASE WHEN status IN ('undeliverable', 'rejected', 'failed', 'cancelled') THEN 1 ELSE 0 END) AS failed,
  SUM(CASE WHEN status = 'expired' THEN 1 ELSE 0 END) AS expired,
  SUM(CASE WHEN status IN ('accepted', 'scheduled', 'submitted', 'in_doubt') THEN 1 ELSE 0 END) AS pending
FROM messages WHERE client_id = @client AND accepted_at >= @since AND accepted_at < @until
GROUP BY 1;

-- name: reportOfAll
-- Parameters: @since, @until, @kind. Result: as reportOfClient, over every client.
SELECT CASE @kind WHEN 'sender' THEN sender WHEN 'route' THEN route_id WHEN 'status' THEN status
    WHEN 'client' THEN client_id ELSE CAST(accepted_at / 86400000 AS TEXT) END AS key,
  COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
  SUM(CASE WHEN status IN ('undeliverable', 'rejected', 'failed', 'cancelled') THEN 1 ELSE 0 END) AS failed,
  SUM(CASE WHEN status = 'expired' THEN 1 ELSE 0 END) AS expired,
  SUM(CASE WHEN status IN ('accepted', 'scheduled', 'submitted', 'in_doubt') THEN 1 ELSE 0 END) AS pending
FROM messages WHERE accepted_at >= @since AND accepted_at < @until
GROUP BY 1;

-- name: search
-- A client's messages in a window matching the optional filters (null: no filter), newest first.
-- Parameters: @client, @since, @until, @recipient, @id, @clientRef, @sender, @status, @limit.
-- Result: ledger columns of the message list.
SELECT id, client_ref, route_id, sender, recipient, segments, status, accepted_at, submitted_at, done_at, error_code
FROM messages
WHERE client_id = @client AND accepted_at >= @since AND accepted_at < @until
  AND (@recipient IS NULL OR recipient = @recipient)
  AND (@id IS NULL OR id = @id)
  AND (@clientRef IS NULL OR client_ref = @clientRef)
  AND (@sender IS NULL OR sender = @sender)
  AND (@status IS NULL OR status = @status)
ORDER BY accepted_at DESC, seq DESC LIMIT @limit;

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
