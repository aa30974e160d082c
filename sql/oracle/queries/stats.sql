-- Statistics reads over the message ledger (docs/web.md), with the SQLite store's rules
-- (sql/sqlite/queries/stats.sql): figures, chart buckets, reports, message search and queue depths.
-- Used by daemon/storage/oracle/stats.ts. Windows are on accepted_at, [:since, :until). Each read
-- has a variant for one client (:client_id, index mt_messages_client_accepted) and one for every
-- client (index mt_messages_accepted). A difference of two timestamps is an INTERVAL DAY TO
-- SECOND; its milliseconds are summed from its fields (EXTRACT), there being no direct conversion.

-- name: summaryOfClient
-- Binds: client_id, since, until. Result: one row per current status: STATUS, MESSAGES, SEGMENTS,
-- SUBMITTED (messages with submitted_at), LATENCY_SUM, LATENCY_MAX and LATENCY_N over delivered ones (ms).
SELECT status, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS submitted,
  SUM(latency_ms) AS latency_sum, MAX(latency_ms) AS latency_max, COUNT(latency_ms) AS latency_n
FROM (
  SELECT status, segments, submitted_at,
    EXTRACT(DAY FROM latency) * 86400000 + EXTRACT(HOUR FROM latency) * 3600000 + EXTRACT(MINUTE FROM latency) * 60000
      + EXTRACT(SECOND FROM latency) * 1000 AS latency_ms
  FROM (
    SELECT status, segments, submitted_at,
      CASE WHEN status = 'delivered' AND done_at IS NOT NULL THEN done_at - accepted_at END AS latency
    FROM mt_messages WHERE client_id = :client_id AND accepted_at >= :since AND accepted_at < :until
  )
)
GROUP BY status

-- name: summaryOfAll
-- Binds: since, until. Result: as summaryOfClient, over every client.
SELECT status, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS submitted,
  SUM(latency_ms) AS latency_sum, MAX(latency_ms) AS latency_max, COUNT(latency_ms) AS latency_n
FROM (
  SELECT status, segments, submitted_at,
    EXTRACT(DAY FROM latency) * 86400000 + EXTRACT(HOUR FROM latency) * 3600000 + EXTRACT(MINUTE FROM latency) * 60000
      + EXTRACT(SECOND FROM latency) * 1000 AS latency_ms
  FROM (
    SELECT status, segments, submitted_at,
      CASE WHEN status = 'delivered' AND done_at IS NOT NULL THEN done_at - accepted_at END AS latency
    FROM mt_messages WHERE accepted_at >= :since AND accepted_at < :until
  )
)
GROUP BY status

-- name: seriesOfClient
-- Binds: client_id, since, until, bucket_ms. Result: BUCKET (index from :since), MESSAGES, SEGMENTS,
-- DELIVERED, FAILED (undeliverable, rejected, failed, expired, cancelled); empty buckets absent.
SELECT bucket, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
  SUM(CASE WHEN status IN ('undeliverable', 'rejected', 'failed', 'expired', 'cancelled') THEN 1 ELSE 0 END) AS failed
FROM (
  SELECT status, segments,
    FLOOR((EXTRACT(DAY FROM since_start) * 86400000 + EXTRACT(HOUR FROM since_start) * 3600000 + EXTRACT(MINUTE FROM since_start) * 60000
      + EXTRACT(SECOND FROM since_start) * 1000) / :bucket_ms) AS bucket
  FROM (SELECT status, segments, accepted_at - :since AS since_start FROM mt_messages WHERE client_id = :client_id AND accepted_at >= :since AND accepted_at < :until)
)
GROUP BY bucket ORDER BY bucket

-- name: seriesOfAll
-- Binds: since, until, bucket_ms. Result: as seriesOfClient, over every client.
SELECT bucket, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
  SUM(CASE WHEN status IN ('undeliverable', 'rejected', 'failed', 'expired', 'cancelled') THEN 1 ELSE 0 END) AS failed
FROM (
  SELECT status, segments,
    FLOOR((EXTRACT(DAY FROM since_start) * 86400000 + EXTRACT(HOUR FROM since_start) * 3600000 + EXTRACT(MINUTE FROM since_start) * 60000
      + EXTRACT(SECOND FROM since_start) * 1000) / :bucket_ms) AS bucket
  FROM (SELECT status, segments, accepted_at - :since AS since_start FROM mt_messages WHERE accepted_at >= :since AND accepted_at < :until)
)
GROUP BY bucket ORDER BY bucket

-- name: reportOfClient
-- Binds: client_id, since, until, kind ('day', 'sender', 'route', 'status', 'client').
-- Result: GROUP_KEY (the UTC day as YYYY-MM-DD, or the sender, route id, status, client id), MESSAGES,
-- SEGMENTS, DELIVERED, FAILED (undeliverable, rejected, failed, cancelled), EXPIRED, PENDING (not final).
SELECT group_key, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
  SUM(CASE WHEN status IN ('undeliverable', 'rejected', 'failed', 'cancelled') THEN 1 ELSE 0 END) AS failed,
  SUM(CASE WHEN status = 'expired' THEN 1 ELSE 0 END) AS expired,
  SUM(CASE WHEN status IN ('accepted', 'scheduled', 'submitted', 'in_doubt') THEN 1 ELSE 0 END) AS pending
FROM (
  SELECT status, segments,
    CASE :kind WHEN 'sender' THEN sender WHEN 'route' THEN route_id WHEN 'status' THEN status WHEN 'client' THEN client_id
      ELSE TO_CHAR(SYS_EXTRACT_UTC(accepted_at), 'YYYY-MM-DD') END AS group_key
  FROM mt_messages WHERE client_id = :client_id AND accepted_at >= :since AND accepted_at < :until
)
GROUP BY group_key

-- name: reportOfAll
-- Binds: since, until, kind. Result: as reportOfClient, over every client.
SELECT group_key, COUNT(*) AS messages, SUM(segments) AS segments,
  SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
  SUM(CASE WHEN status IN ('undeliverable', 'rejected', 'failed', 'cancelled') THEN 1 ELSE 0 END) AS failed,
  SUM(CASE WHEN status = 'expired' THEN 1 ELSE 0 END) AS expired,
  SUM(CASE WHEN status IN ('accepted', 'scheduled', 'submitted', 'in_doubt') THEN 1 ELSE 0 END) AS pending
FROM (
  SELECT status, segments,
    CASE :kind WHEN 'sender' THEN sender WHEN 'route' THEN route_id WHEN 'status' THEN status WHEN 'client' THEN client_id
      ELSE TO_CHAR(SYS_EXTRACT_UTC(accepted_at), 'YYYY-MM-DD') END AS group_key
  FROM mt_messages WHERE accepted_at >= :since AND accepted_at < :until
)
GROUP BY group_key

-- name: search
-- A client's messages in a window matching the optional filters (null: no filter), newest first.
-- Binds: client_id, since, until, recipient, id, client_ref, sender, status, max_rows.
-- Result: the ledger columns of the message list.
SELECT * FROM (
  SELECT id, client_ref, route_id, sender, recipient, segments, status, accepted_at, submitted_at, done_at, error_code
  FROM mt_messages
  WHERE client_id = :client_id AND accepted_at >= :since AND accepted_at < :until
    AND (:recipient IS NULL OR recipient = :recipient)
    AND (:id IS NULL OR id = :id)
    AND (:client_ref IS NULL OR client_ref = :client_ref)
    AND (:sender IS NULL OR sender = :sender)
    AND (:status IS NULL OR status = :status)
  ORDER BY accepted_at DESC, id DESC
) WHERE ROWNUM <= :max_rows

-- name: callbackDepth
-- Callback events not delivered, per client and state (index callback_outbox_due leads with state,
-- so the delivered events kept for retention are not read). Result: CLIENT_ID, STATE, EVENTS, OLDEST_CREATED_AT.
SELECT client_id, state, COUNT(*) AS events, MIN(created_at) AS oldest_created_at
FROM callback_outbox WHERE state IN ('due', 'leased', 'dead')
GROUP BY client_id, state
