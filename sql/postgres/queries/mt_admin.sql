-- Operator reads and changes of single messages (smsprocctl messages …) and the queue depth that
-- metrics report. Used by daemon/storage/postgres/mt-admin.ts. Parameters are positional ($n); times
-- are ms. A final message has no mt_queue row: its final queue state is the ledger's queue_state.

-- name: queueDepth
-- Messages still to be worked per route and state (mt_queue holds only those: READY, WAITING,
-- IN_FLIGHT, IN_DOUBT), and the exception queue per route as EXCEPTION (its partial index), so that
-- the days of final messages kept for retention are never read. The oldest of a group is its first
-- accepted message (smallest seq; the same as the least accepted_at but for enqueues committing
-- within the same few ms), read from the ledger by one index probe per group rather than a join of
-- the whole backlog.
-- Result: route_id, state, messages, oldest_accepted_at.
SELECT g.route_id, g.state, g.messages, m.accepted_at AS oldest_accepted_at
FROM (SELECT route_id, state, COUNT(*) AS messages, MIN(seq) AS first_seq FROM mt_queue GROUP BY route_id, state) g
JOIN mt_queue f ON f.seq = g.first_seq
JOIN messages m ON m.day = f.day AND m.seq = f.seq
UNION ALL
SELECT route_id, 'EXCEPTION' AS state, COUNT(*) AS messages, MIN(accepted_at) AS oldest_accepted_at
FROM messages WHERE queue_state = 'EXCEPTION'
GROUP BY route_id
ORDER BY 1, 2;

-- name: keysById
-- Parameters: message id. Result: id, client_id.
SELECT id, client_id FROM messages WHERE id = $1;

-- name: keysByClient
-- A client's most recent messages (messages_client_accepted). Parameters: client id, limit.
-- Result: id, client_id, newest first.
SELECT id, client_id FROM messages WHERE client_id = $1 ORDER BY accepted_at DESC, seq DESC LIMIT $2;

-- name: keysByRecipient
-- A client's most recent messages to one number (messages_client_recipient). Parameters: client id,
-- recipient, limit. Result: id, client_id, newest first.
SELECT id, client_id FROM messages WHERE client_id = $1 AND recipient = $2 ORDER BY seq DESC LIMIT $3;

-- name: keysByRef
-- A client's messages with one client reference. Parameters: client id, client ref, limit. Result: id, client_id, newest first.
SELECT id, client_id FROM messages WHERE client_id = $1 AND client_ref = $2 ORDER BY seq DESC LIMIT $3;

-- name: locate
-- Where a message lives in the ledger. Parameters: message id. Result: day, seq.
SELECT day, seq FROM messages WHERE id = $1;

-- name: lockMessage
-- The ledger row an operator's change needs, locked until commit. Parameters: day, seq.
-- Result: route_id, client_id, status, expires_at, final_state (PROCESSED, EXPIRED, EXCEPTION; null while queued).
SELECT route_id, client_id, status, expires_at, queue_state AS final_state FROM messages WHERE day = $1 AND seq = $2 FOR UPDATE;

-- name: lockQueueRow
-- The message's live queue row, locked until commit (a claim then skips it). Parameters: seq.
-- Result: state, attempts.
SELECT state, attempts FROM mt_queue WHERE seq = $1 FOR UPDATE;

-- name: cancel
-- A READY or WAITING message ends cancelled: its queue row leaves, the ledger records the final state
-- (PROCESSED) and the history the reason. Parameters: day, seq, reason, now.
WITH gone AS (
  DELETE FROM mt_queue WHERE seq = $2 AND state IN ('READY', 'WAITING') RETURNING seq, attempts
), history AS (
  INSERT INTO message_events (day, message_seq, at, status, detail) SELECT $1, seq, $4, 'cancelled', $3 FROM gone
)
UPDATE messages m SET status = 'cancelled', reason = $3, done_at = $4, queue_state = 'PROCESSED', queue_done_at = $4,
  attempts = gone.attempts
FROM gone WHERE m.day = $1 AND m.seq = gone.seq;

-- name: readyAgain
-- A live queue row (IN_DOUBT) made READY with a fresh retry budget. Parameters: seq.
UPDATE mt_queue SET state = 'READY', not_before = NULL, attempts = 0, owner = NULL, bind_id = NULL, epoch = NULL,
  lease_until = NULL
WHERE seq = $1;

-- name: queueRowAgain
-- A final message (PROCESSED or in the exception queue) back in the queue, READY. Parameters: day, seq.
INSERT INTO mt_queue (seq, day, route_id, client_id, state, priority, not_before, expires_at, attempts)
SELECT seq, day, route_id, client_id, 'READY', priority, NULL, expires_at, 0 FROM messages WHERE day = $1 AND seq = $2;

-- name: markAccepted
-- The ledger row open again (queued: no final state), with the operator's history row.
-- Parameters: day, seq, now, detail.
WITH history AS (
  INSERT INTO message_events (day, message_seq, at, status, detail) VALUES ($1, $2, $3, 'accepted', $4)
)
UPDATE messages SET status = 'accepted', submitted_at = NULL, done_at = NULL, error_code = NULL, reason = NULL,
  queue_state = NULL, queue_done_at = NULL, attempts = NULL
WHERE day = $1 AND seq = $2;
