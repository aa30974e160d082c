-- Operator reads and changes of single messages (smsprocctl messages …) and the queue depth that
-- metrics report, with the SQLite store's rules (sql/sqlite/queries/mt_admin.sql). Used by
-- daemon/storage/oracle/mt-admin.ts. Newest first is accepted_at, then the id (a UUIDv7, rising).

-- name: queueDepth
-- Messages still to be worked per route and state (QUEUED as AQ's READY or WAITING, IN_FLIGHT,
-- IN_DOUBT) and those given up into the exception queue (EXCEPTION); the PROCESSED and EXPIRED rows
-- kept for retention are history and not read (index mt_messages_state).
-- Result: ROUTE_ID, STATE, MESSAGES, OLDEST_ACCEPTED_AT.
SELECT route_id, state, COUNT(*) AS messages, MIN(accepted_at) AS oldest_accepted_at
FROM (
  SELECT route_id, accepted_at,
    CASE WHEN queue_state <> 'QUEUED' THEN queue_state WHEN ready_at > SYSTIMESTAMP THEN 'WAITING' ELSE 'READY' END AS state
  FROM mt_messages WHERE queue_state IN ('QUEUED', 'IN_FLIGHT', 'IN_DOUBT', 'EXCEPTION')
)
GROUP BY route_id, state
ORDER BY route_id, state

-- name: keysById
-- Binds: id. Result: ID, CLIENT_ID.
SELECT id, client_id FROM mt_messages WHERE id = :id

-- name: keysByClient
-- A client's most recent messages. Binds: client_id, max_rows. Result: ID, CLIENT_ID, newest first.
SELECT * FROM (
  SELECT id, client_id FROM mt_messages WHERE client_id = :client_id ORDER BY accepted_at DESC, id DESC
) WHERE ROWNUM <= :max_rows

-- name: keysByRecipient
-- A client's most recent messages to one number. Binds: client_id, recipient, max_rows. Result: ID, CLIENT_ID, newest first.
SELECT * FROM (
  SELECT id, client_id FROM mt_messages WHERE client_id = :client_id AND recipient = :recipient
  ORDER BY accepted_at DESC, id DESC
) WHERE ROWNUM <= :max_rows

-- name: keysByRef
-- A client's messages with one client reference. Binds: client_id, client_ref, max_rows. Result: ID, CLIENT_ID, newest first.
SELECT * FROM (
  SELECT id, client_id FROM mt_messages WHERE client_id = :client_id AND client_ref = :client_ref
  ORDER BY accepted_at DESC, id DESC
) WHERE ROWNUM <= :max_rows

-- name: target
-- What an operator's change needs to know of a message, locked until commit: a claim's lease (which
-- takes only QUEUED rows) waits for it and then finds the row changed. Binds: id.
-- Result: ID, CLIENT_ID, ROUTE_ID, SEGMENTS, PRIORITY, EXPIRES_AT, ACCEPTED_AT, STATUS, QUEUE_STATE,
-- AQ_WAITING (1 while a QUEUED message is not yet claimable), VALIDITY_ENDED (1 past expires_at).
SELECT id, client_id, route_id, segments, priority, expires_at, accepted_at, status, queue_state,
  CASE WHEN ready_at > SYSTIMESTAMP THEN 1 ELSE 0 END AS aq_waiting,
  CASE WHEN expires_at <= SYSTIMESTAMP THEN 1 ELSE 0 END AS validity_ended
FROM mt_messages WHERE id = :id FOR UPDATE

-- name: cancel
-- Ends a QUEUED message cancelled. Its AQ message stays where it is (AQ cannot dequeue a WAITING
-- message) and is discarded by the claim that dequeues it, whose lease takes only QUEUED rows.
-- Binds: reason, id. Rows affected: 1 when cancelled.
UPDATE mt_messages SET queue_state = 'PROCESSED', status = 'cancelled', reason = :reason, done_at = SYSTIMESTAMP,
  ready_at = NULL, state_at = SYSTIMESTAMP
WHERE id = :id AND queue_state = 'QUEUED'

-- name: requeue
-- A failed or in-doubt message open again and QUEUED with a fresh retry budget; its AQ message is
-- enqueued in the same transaction. Binds: id.
UPDATE mt_messages SET queue_state = 'QUEUED', status = 'accepted', attempts = 0, ready_at = NULL, owner = NULL,
  bind_id = NULL, epoch = NULL, lease_until = NULL, claim_id = NULL, submitted_at = NULL, done_at = NULL,
  error_code = NULL, reason = NULL, state_at = SYSTIMESTAMP
WHERE id = :id AND queue_state IN ('IN_DOUBT', 'PROCESSED', 'EXCEPTION')
