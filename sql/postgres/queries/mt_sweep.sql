-- The MT queue's maintenance sweep, set-based over the partial indexes of mt_queue. Used by
-- daemon/storage/postgres/mt-sweep.ts. Each step is one statement: it takes the rows it changes
-- FOR UPDATE SKIP LOCKED, so sweeps on several nodes at once split the work instead of waiting or
-- doing it twice, and a row a claim or an ack holds is left for the next sweep. Times are ms.

-- name: expire
-- READY or WAITING past expires_at → EXPIRED: the row leaves the queue, the ledger and history record it.
-- Parameters: now. Result: seq, notify (the client asked for receipts or gave a Kannel dlr-url).
WITH gone AS (
  DELETE FROM mt_queue WHERE seq IN (
    SELECT seq FROM mt_queue WHERE state IN ('READY', 'WAITING') AND expires_at <= $1 FOR UPDATE SKIP LOCKED
  ) RETURNING seq, day, attempts
), ledger AS (
  UPDATE messages m SET status = 'expired', done_at = $1, queue_state = 'EXPIRED', queue_done_at = $1, attempts = gone.attempts
  FROM gone WHERE m.day = gone.day AND m.seq = gone.seq
  RETURNING m.seq, m.day, (m.dlr_requested OR m.kannel_dlr_url IS NOT NULL) AS notify
), events AS (
  INSERT INTO message_events (day, message_seq, at, status, detail)
  SELECT day, seq, $1, 'expired', 'validity period ended' FROM ledger
)
SELECT seq, notify FROM ledger ORDER BY seq;

-- name: promote
-- WAITING whose not_before came → READY; a scheduled message's ledger status becomes accepted.
-- Parameters: now. Result: promoted (count).
WITH up AS (
  UPDATE mt_queue SET state = 'READY' WHERE seq IN (
    SELECT seq FROM mt_queue WHERE state = 'WAITING' AND not_before <= $1 FOR UPDATE SKIP LOCKED
  ) RETURNING seq, day
), ledger AS (
  UPDATE messages m SET status = 'accepted' FROM up WHERE m.day = up.day AND m.seq = up.seq AND m.status = 'scheduled'
  RETURNING m.seq, m.day
), events AS (
  INSERT INTO message_events (day, message_seq, at, status, detail)
  SELECT day, seq, $1, 'accepted', 'scheduled time reached' FROM ledger
)
SELECT COUNT(*) AS promoted FROM up;

-- name: lapse
-- IN_FLIGHT past its lease → IN_DOUBT (its owner may have sent it). Parameters: now.
-- Result: seq, kannel_buffered (a Kannel dlr-mask asks for bit 4).
WITH lapsed AS (
  UPDATE mt_queue SET state = 'IN_DOUBT' WHERE seq IN (
    SELECT seq FROM mt_queue WHERE state = 'IN_FLIGHT' AND lease_until <= $1 FOR UPDATE SKIP LOCKED
  ) RETURNING seq, day, owner, bind_id
), ledger AS (
  UPDATE messages m SET status = 'in_doubt' FROM lapsed WHERE m.day = lapsed.day AND m.seq = lapsed.seq
  RETURNING m.seq, m.day, (m.kannel_dlr_url IS NOT NULL AND (COALESCE(m.kannel_dlr_mask, 0) & 4) <> 0) AS kannel_buffered
), events AS (
  INSERT INTO message_events (day, message_seq, at, status, detail)
  SELECT day, seq, $1, 'in_doubt', 'lease of ' || owner || ' on ' || bind_id || ' expired' FROM lapsed
)
SELECT seq, kannel_buffered FROM ledger ORDER BY seq;

-- name: purgeFinalRows
-- Row-by-row retention, used only when the retention is shorter than a day (day partitions cannot
-- serve it): final messages past the cutoff and their children. Parameters: cutoff. Result: purged.
WITH gone AS (
  DELETE FROM messages WHERE queue_state IS NOT NULL AND queue_done_at <= $1 RETURNING day, seq
), events AS (
  DELETE FROM message_events e USING gone WHERE e.day = gone.day AND e.message_seq = gone.seq
), segments AS (
  DELETE FROM smsc_ids s USING gone WHERE s.day = gone.day AND s.message_seq = gone.seq
), keys AS (
  DELETE FROM receipt_keys k USING gone WHERE k.day = gone.day AND k.message_seq = gone.seq
)
SELECT COUNT(*) AS purged FROM gone;

-- name: purgeKeys
-- Idempotency keys past their retention. Parameters: now. Changes: keys deleted.
DELETE FROM idempotency_keys WHERE expires_at <= $1;

-- name: queueStatsStale
-- Whether mt_queue changed much since its last ANALYZE: a burst of enqueues with stale statistics
-- would have claims sort the whole backlog instead of reading the ready index in order.
-- Result: stale (true when more than max(1000, 10%) of its rows changed).
SELECT COALESCE(n_mod_since_analyze > GREATEST(1000, n_live_tup / 10), false) AS stale
FROM pg_stat_user_tables WHERE relid = 'mt_queue'::regclass;

-- name: claimAnalyze
-- One node analyzes at a time: the others skip. Result: mine (true when this transaction holds the lock).
SELECT pg_try_advisory_xact_lock(hashtextextended('smsproc.analyze.' || current_schema(), 0)) AS mine;
