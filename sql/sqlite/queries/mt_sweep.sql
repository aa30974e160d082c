-- The MT queue's maintenance sweep, set-based over the partial indexes. Used by
-- daemon/storage/sqlite/mt-sweep.ts. Named parameters: @now (ms), @cutoff (now - retention, ms).
-- Within each step the ledger and history are written first, then the queue rows whose state
-- selected them.

-- name: expiringNotified
-- Messages about to expire whose client may be told (receipts asked for, or a Kannel dlr-url).
-- Result: seq.
SELECT q.seq FROM mt_queue q JOIN messages m ON m.seq = q.seq
WHERE q.state IN ('READY', 'WAITING') AND q.expires_at <= @now AND (m.dlr_requested = 1 OR m.kannel_dlr_url IS NOT NULL);

-- name: expireEvents
INSERT INTO message_events (message_seq, at, status, detail)
SELECT seq, @now, 'expired', 'validity period ended' FROM mt_queue
WHERE state IN ('READY', 'WAITING') AND expires_at <= @now;

-- name: expireLedger
UPDATE messages SET status = 'expired', done_at = @now
WHERE seq IN (SELECT seq FROM mt_queue WHERE state IN ('READY', 'WAITING') AND expires_at <= @now);

-- name: expire
-- READY or WAITING past expires_at → EXPIRED. Changes: the count of expired messages.
UPDATE mt_queue SET state = 'EXPIRED', done_at = @now
WHERE seq IN (SELECT seq FROM mt_queue WHERE state IN ('READY', 'WAITING') AND expires_at <= @now);

-- name: promoteEvents
INSERT INTO message_events (message_seq, at, status, detail)
SELECT seq, @now, 'accepted', 'scheduled time reached' FROM messages
WHERE seq IN (SELECT seq FROM mt_queue WHERE state = 'WAITING' AND not_before <= @now) AND status = 'scheduled';

-- name: promoteLedger
UPDATE messages SET status = 'accepted'
WHERE seq IN (SELECT seq FROM mt_queue WHERE state = 'WAITING' AND not_before <= @now) AND status = 'scheduled';

-- name: promote
-- WAITING whose not_before came → READY. Changes: the count of promoted messages.
UPDATE mt_queue SET state = 'READY'
WHERE seq IN (SELECT seq FROM mt_queue WHERE state = 'WAITING' AND not_before <= @now);

-- name: lapsingKannel
-- Messages about to be left IN_DOUBT whose Kannel dlr-mask asks for bit 4 (buffered). Result: seq.
SELECT q.seq FROM mt_queue q JOIN messages m ON m.seq = q.seq
WHERE q.state = 'IN_FLIGHT' AND q.lease_until <= @now AND m.kannel_dlr_url IS NOT NULL AND (m.kannel_dlr_mask & 4) <> 0;

-- name: lapseEvents
INSERT INTO message_events (message_seq, at, status, detail)
SELECT seq, @now, 'in_doubt', 'lease of ' || owner || ' on ' || bind_id || ' expired' FROM mt_queue
WHERE state = 'IN_FLIGHT' AND lease_until <= @now;

-- name: lapseLedger
UPDATE messages SET status = 'in_doubt'
WHERE seq IN (SELECT seq FROM mt_queue WHERE state = 'IN_FLIGHT' AND lease_until <= @now);

-- name: lapse
-- IN_FLIGHT past its lease → IN_DOUBT. Changes: the count of messages left in doubt.
UPDATE mt_queue SET state = 'IN_DOUBT'
WHERE seq IN (SELECT seq FROM mt_queue WHERE state = 'IN_FLIGHT' AND lease_until <= @now);

-- name: purgeFinal
-- Deletes PROCESSED and EXPIRED messages older than retention (children cascade). Changes: messages deleted.
DELETE FROM messages
WHERE seq IN (SELECT seq FROM mt_queue WHERE state IN ('PROCESSED', 'EXPIRED') AND done_at <= @cutoff);

-- name: purgeExceptions
-- Deletes exception-queue messages older than retention. Changes: messages deleted.
DELETE FROM messages WHERE seq IN (SELECT seq FROM mt_exception WHERE moved_at <= @cutoff);

-- name: purgeKeys
-- Deletes idempotency keys past their retention. Changes: keys deleted.
DELETE FROM idempotency_keys WHERE expires_at <= @now;
