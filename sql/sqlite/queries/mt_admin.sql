-- Operator reads and changes of single messages (smsprocctl messages …) and the queue depth that
-- metrics report. Used by daemon/storage/sqlite/mt-admin.ts. Parameters are positional (?).

-- name: queueDepth
-- MT queue rows still to be worked per route and state (READY, WAITING, IN_FLIGHT, IN_DOUBT: the
-- finished PROCESSED and EXPIRED rows kept for retention are history, and reading them every few
-- seconds would cost a scan of days of traffic), and exception-queue rows per route as EXCEPTION.
-- Result: route_id, state, messages, oldest_accepted_at.
SELECT q.route_id, q.state, COUNT(*) AS messages, MIN(m.accepted_at) AS oldest_accepted_at
FROM mt_queue q JOIN messages m ON m.seq = q.seq
WHERE q.state IN ('READY', 'WAITING', 'IN_FLIGHT', 'IN_DOUBT')
GROUP BY q.route_id, q.state
UNION ALL
-- (a scalar subquery rather than a join: the planner would otherwise scan every message to find the few excepted)
SELECT e.route_id, 'EXCEPTION' AS state, COUNT(*) AS messages,
  MIN((SELECT m.accepted_at FROM messages m WHERE m.seq = e.seq)) AS oldest_accepted_at
FROM mt_exception e
GROUP BY e.route_id
ORDER BY 1, 2;

-- name: keysById
-- Parameters: message id. Result: id, client_id.
SELECT id, client_id FROM messages WHERE id = ?;

-- name: keysByClient
-- A client's most recent messages. Parameters: client id, limit. Result: id, client_id, newest first.
SELECT id, client_id FROM messages WHERE client_id = ? ORDER BY seq DESC LIMIT ?;

-- name: keysByRecipient
-- A client's most recent messages to one number. Parameters: client id, recipient, limit. Result: id, client_id, newest first.
SELECT id, client_id FROM messages WHERE client_id = ? AND recipient = ? ORDER BY seq DESC LIMIT ?;

-- name: keysByRef
-- A client's messages with one client reference. Parameters: client id, client ref, limit. Result: id, client_id, newest first.
SELECT id, client_id FROM messages WHERE client_id = ? AND client_ref = ? ORDER BY seq DESC LIMIT ?;

-- name: target
-- What an operator's change needs to know of a message. Parameters: message id.
-- Result: seq, route_id, client_id, status, expires_at, queue_state (null without a queue row), in_exception (0/1).
SELECT m.seq, m.route_id, m.client_id, m.status, m.expires_at, q.state AS queue_state, e.seq IS NOT NULL AS in_exception
FROM messages m LEFT JOIN mt_queue q ON q.seq = m.seq LEFT JOIN mt_exception e ON e.seq = m.seq
WHERE m.id = ?;

-- name: cancelQueueRow
-- Parameters: done_at, seq.
UPDATE mt_queue SET state = 'PROCESSED', done_at = ?, owner = NULL, bind_id = NULL, epoch = NULL, lease_until = NULL
WHERE seq = ? AND state IN ('READY', 'WAITING');

-- name: markCancelled
-- Parameters: reason, done_at, seq.
UPDATE messages SET status = 'cancelled', reason = ?, done_at = ? WHERE seq = ?;

-- name: readyAgain
-- An existing queue row made READY with a fresh retry budget. Parameters: seq.
UPDATE mt_queue SET state = 'READY', not_before = NULL, attempts = 0, owner = NULL, bind_id = NULL, epoch = NULL,
  lease_until = NULL, done_at = NULL
WHERE seq = ?;

-- name: queueRowFromException
-- A message of the exception queue back in the queue, READY. Parameters: seq.
INSERT INTO mt_queue (seq, route_id, client_id, state, priority, not_before, expires_at, attempts)
SELECT seq, route_id, client_id, 'READY', priority, NULL, expires_at, 0 FROM messages WHERE seq = ?;

-- name: dropException
-- Parameters: seq.
DELETE FROM mt_exception WHERE seq = ?;

-- name: markAccepted
-- The ledger row open again. Parameters: seq.
UPDATE messages SET status = 'accepted', submitted_at = NULL, done_at = NULL, error_code = NULL, reason = NULL WHERE seq = ?;

-- name: addEvent
-- Appends to a message's history. Parameters: seq, at, status, detail.
INSERT INTO message_events (message_seq, at, status, detail) VALUES (?, ?, ?, ?);
