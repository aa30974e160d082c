-- The callback outbox: events raised with the state changes that cause them, leased by senders
-- (leases by the database clock), retried with backoff, dead-lettered, replayed.
-- Used by daemon/storage/oracle/outbox.ts.

-- name: insert
-- Adds a due event. Binds: id, client_id, kind, url, kannel, payload.
INSERT INTO callback_outbox (id, client_id, kind, url, kannel, payload, state, next_attempt_at, created_at)
VALUES (:id, :client_id, :kind, :url, :kannel, :payload, 'due', SYSTIMESTAMP, SYSTIMESTAMP)

-- name: liveLeases
-- Events under a live lease per client (they count toward the client's limit). Result: CLIENT_ID, N.
SELECT client_id, COUNT(*) AS n FROM callback_outbox WHERE state = 'leased' AND lease_until > SYSTIMESTAMP GROUP BY client_id

-- name: dueClients
-- Clients with events whose time came. Result: CLIENT_ID.
SELECT DISTINCT client_id FROM callback_outbox WHERE state = 'due' AND next_attempt_at <= SYSTIMESTAMP

-- name: dueOfClient
-- A client's oldest due events whose time came, locked with SKIP LOCKED so that senders on several
-- nodes take disjoint events (Oracle refuses a row limit at a locking query's own level, so the
-- limit sits in the subquery). Only the events of one channel: smpp 1 those whose url is 'smpp:', 0
-- the others. Binds: client_id, smpp, max_rows. Result: SEQ and the event's columns.
SELECT seq, id, client_id, kind, url, kannel, payload, attempts, created_at FROM callback_outbox
WHERE seq IN (
    SELECT seq FROM (
      SELECT seq FROM callback_outbox
      WHERE state = 'due' AND client_id = :client_id AND next_attempt_at <= SYSTIMESTAMP
        AND (CASE WHEN url = 'smpp:' THEN 1 ELSE 0 END) = :smpp
      ORDER BY seq
    ) WHERE ROWNUM <= :max_rows)
  AND state = 'due'
ORDER BY seq
FOR UPDATE SKIP LOCKED

-- name: lapsedLeases
-- Up to 1000 leased events whose lease lapsed (their sender died): due again, locked.
-- Result: SEQ and the event's columns, unordered (the caller orders the claim by seq).
SELECT seq, id, client_id, kind, url, kannel, payload, attempts, created_at FROM callback_outbox
WHERE state = 'leased' AND lease_until <= SYSTIMESTAMP AND ROWNUM <= 1000
FOR UPDATE SKIP LOCKED

-- name: lease
-- Binds: owner, lease_ms, seq.
UPDATE callback_outbox SET state = 'leased', lease_owner = :owner,
  lease_until = SYSTIMESTAMP + NUMTODSINTERVAL(:lease_ms / 1000, 'SECOND')
WHERE seq = :seq

-- name: leaseOf
-- Binds: id. Result: SEQ, STATE, LEASE_OWNER (locked).
SELECT seq, state, lease_owner FROM callback_outbox WHERE id = :id FOR UPDATE

-- name: delivered
-- Binds: seq.
UPDATE callback_outbox SET state = 'delivered', attempts = attempts + 1, lease_owner = NULL, lease_until = NULL,
  done_at = SYSTIMESTAMP
WHERE seq = :seq

-- name: retry
-- Binds: delay_ms, last_error, seq.
UPDATE callback_outbox SET state = 'due', attempts = attempts + 1,
  next_attempt_at = SYSTIMESTAMP + NUMTODSINTERVAL(:delay_ms / 1000, 'SECOND'), last_error = :last_error,
  lease_owner = NULL, lease_until = NULL
WHERE seq = :seq

-- name: dead
-- Binds: last_error, seq.
UPDATE callback_outbox SET state = 'dead', attempts = attempts + 1, last_error = :last_error, done_at = SYSTIMESTAMP,
  lease_owner = NULL, lease_until = NULL
WHERE seq = :seq

-- name: deadAll
-- Binds: max_rows. Result: dead events, newest first.
SELECT * FROM (
  SELECT id, client_id, kind, url, kannel, payload, attempts, created_at, last_error, done_at FROM callback_outbox
  WHERE state = 'dead' ORDER BY done_at DESC, seq DESC
) WHERE ROWNUM <= :max_rows

-- name: deadOf
-- Binds: client_id, max_rows. Result: the client's dead events, newest first.
SELECT * FROM (
  SELECT id, client_id, kind, url, kannel, payload, attempts, created_at, last_error, done_at FROM callback_outbox
  WHERE state = 'dead' AND client_id = :client_id ORDER BY done_at DESC, seq DESC
) WHERE ROWNUM <= :max_rows

-- name: replayOne
-- Makes a dead event due now with attempts reset. Binds: id. Rows affected: 0 or 1.
UPDATE callback_outbox SET state = 'due', attempts = 0, next_attempt_at = SYSTIMESTAMP, done_at = NULL
WHERE id = :id AND state = 'dead'

-- name: replayClient
-- Binds: client_id. Rows affected: events made due.
UPDATE callback_outbox SET state = 'due', attempts = 0, next_attempt_at = SYSTIMESTAMP, done_at = NULL
WHERE client_id = :client_id AND state = 'dead'

-- name: deadUnclaimedSmpp
-- SMPP-channel events due for waited_ms or longer, never claimed meanwhile: dead, attempts unchanged
-- (none was made). Binds: last_error, waited_ms. Rows affected: events dead-lettered.
UPDATE callback_outbox SET state = 'dead', last_error = :last_error, done_at = SYSTIMESTAMP
WHERE state = 'due' AND url = 'smpp:' AND next_attempt_at <= SYSTIMESTAMP - NUMTODSINTERVAL(:waited_ms / 1000, 'SECOND')

-- name: waitingSmpp
-- SMPP-channel events due now, not leased, per client. Result: CLIENT_ID, N, OLDEST_DUE_AT.
SELECT client_id, COUNT(*) AS n, MIN(next_attempt_at) AS oldest_due_at FROM callback_outbox
WHERE state = 'due' AND url = 'smpp:' AND next_attempt_at <= SYSTIMESTAMP GROUP BY client_id

-- name: backlog
-- Result: CLIENT_ID, N (events due, in backoff or leased).
SELECT client_id, COUNT(*) AS n FROM callback_outbox WHERE state IN ('due', 'leased') GROUP BY client_id

-- name: purgeDelivered
-- Binds: retention_s. Rows affected: delivered events deleted.
DELETE FROM callback_outbox WHERE state = 'delivered' AND done_at <= SYSTIMESTAMP - NUMTODSINTERVAL(:retention_s, 'SECOND')
