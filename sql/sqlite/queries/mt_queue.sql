-- The MT queue after acceptance: bind epochs, claims under a lease, ack, nack, lease renewal and
-- IN_DOUBT resolution. Used by daemon/storage/sqlite/mt-queue.ts. Parameters are positional (?);
-- times are milliseconds.

-- name: epochOf
-- Parameters: bind id. Result: epoch, when the bind was ever acquired.
SELECT epoch FROM bind_epochs WHERE bind_id = ?;

-- name: raiseEpoch
-- Raises a bind's epoch (1 on first acquisition). Parameters: bind id. Result: the new epoch.
INSERT INTO bind_epochs (bind_id, epoch) VALUES (?, 1)
ON CONFLICT (bind_id) DO UPDATE SET epoch = epoch + 1 RETURNING epoch;

-- name: readyRows
-- Claim candidates: READY rows of a route, smallest priority first, then oldest, not expired.
-- Parameters: route id, now, limit. Result: seq, attempts and the message columns a sender needs.
SELECT q.seq, q.attempts, m.id, m.client_id, m.route_id, m.sender, m.recipient, m.text, m.encoding,
  m.segments, m.priority, m.expires_at, m.dlr_requested, m.accepted_at
FROM mt_queue q INDEXED BY mt_queue_ready JOIN messages m ON m.seq = q.seq
WHERE q.route_id = ? AND q.state = 'READY' AND q.expires_at > ?
ORDER BY q.priority, q.seq LIMIT ?;

-- name: readyClients
-- Clients with READY messages on a route, by a loose index scan: one index probe per client, not one
-- row per message. Parameters: route id. Result: client_id.
WITH RECURSIVE clients(route_id, client_id) AS (
  SELECT route_id, MIN(client_id) FROM mt_queue INDEXED BY mt_queue_ready_client WHERE route_id = ? AND state = 'READY'
  UNION ALL
  SELECT clients.route_id, (SELECT MIN(q.client_id) FROM mt_queue q INDEXED BY mt_queue_ready_client
          WHERE q.route_id = clients.route_id AND q.state = 'READY' AND q.client_id > clients.client_id)
  FROM clients WHERE clients.client_id IS NOT NULL
)
SELECT client_id FROM clients WHERE client_id IS NOT NULL;

-- name: readyRowsOfClient
-- One client's claim candidates on a route: smallest priority first, then oldest, not expired.
-- Parameters: route id, client id, now, limit. Result: as readyRows.
SELECT q.seq, q.attempts, m.id, m.client_id, m.route_id, m.sender, m.recipient, m.text, m.encoding,
  m.segments, m.priority, m.expires_at, m.dlr_requested, m.accepted_at
FROM mt_queue q INDEXED BY mt_queue_ready_client JOIN messages m ON m.seq = q.seq
WHERE q.route_id = ? AND q.client_id = ? AND q.state = 'READY' AND q.expires_at > ?
ORDER BY q.priority, q.seq LIMIT ?;

-- name: lease
-- Claims one row. Parameters: owner, bind id, epoch, lease_until, seq.
UPDATE mt_queue SET state = 'IN_FLIGHT', owner = ?, bind_id = ?, epoch = ?, lease_until = ?, attempts = attempts + 1
WHERE seq = ?;

-- name: held
-- A message and who holds its queue row. Parameters: message id.
-- Result: seq, route_id, client_id, kannel_dlr_mask, and state, bind_id, epoch, attempts (null without a queue row).
SELECT m.seq, m.route_id, m.client_id, m.kannel_dlr_mask, q.state, q.bind_id, q.epoch, q.attempts
FROM messages m LEFT JOIN mt_queue q ON q.seq = m.seq WHERE m.id = ?;

-- name: markProcessed
-- Parameters: done_at, seq.
UPDATE mt_queue SET state = 'PROCESSED', done_at = ?, lease_until = NULL WHERE seq = ?;

-- name: markSubmitted
-- Parameters: submitted_at, seq.
UPDATE messages SET status = 'submitted', submitted_at = ? WHERE seq = ?;

-- name: markFinal
-- Ends a message in the ledger. Parameters: status, error code, reason, done_at, seq.
UPDATE messages SET status = ?, error_code = ?, reason = ?, done_at = ? WHERE seq = ?;

-- name: addEvent
-- Appends to a message's history. Parameters: seq, at, status, detail.
INSERT INTO message_events (message_seq, at, status, detail) VALUES (?, ?, ?, ?);

-- name: requeue
-- Releases a row for another attempt. Parameters: state (READY or WAITING), not_before, seq.
UPDATE mt_queue SET state = ?, not_before = ?, owner = NULL, bind_id = NULL, epoch = NULL, lease_until = NULL
WHERE seq = ?;

-- name: toException
-- Parameters: seq, route id, client id, attempts, reason, moved_at.
INSERT INTO mt_exception (seq, route_id, client_id, attempts, reason, moved_at) VALUES (?, ?, ?, ?, ?, ?);

-- name: dropQueueRow
-- Parameters: seq.
DELETE FROM mt_queue WHERE seq = ?;

-- name: extendLease
-- Parameters: lease_until, seq.
UPDATE mt_queue SET lease_until = ? WHERE seq = ?;

-- name: inDoubtRows
-- Parameters: route id. Result: seq, id of the route's IN_DOUBT messages, oldest first.
SELECT q.seq, m.id FROM mt_queue q JOIN messages m ON m.seq = q.seq
WHERE q.route_id = ? AND q.state = 'IN_DOUBT' ORDER BY q.seq;

-- name: resend
-- Parameters: seq.
UPDATE mt_queue SET state = 'READY', owner = NULL, bind_id = NULL, epoch = NULL, lease_until = NULL WHERE seq = ?;

-- name: setStatus
-- Parameters: status, seq.
UPDATE messages SET status = ? WHERE seq = ?;
