-- The MT queue's ledger side: enqueue, bind epochs, claims under a lease, ack, nack, renewal,
-- IN_DOUBT resolution and the sweep. Used by daemon/storage/oracle/mt-*.ts. Binds are named
-- (:name); every time the store sets itself comes from SYSTIMESTAMP (the database clock).

-- name: findKey
-- An idempotency key of a client. Binds: client_id, idem_key.
-- Result: REQUEST_HASH, MESSAGE_IDS (JSON), LIVE (1 while within retention).
SELECT request_hash, message_ids, CASE WHEN expires_at > SYSTIMESTAMP THEN 1 ELSE 0 END AS live
FROM idempotency_keys WHERE client_id = :client_id AND idem_key = :idem_key

-- name: putKey
-- Stores (or renews an expired) key. Binds: client_id, idem_key, request_hash, message_ids, retention_s.
MERGE INTO idempotency_keys k
USING (SELECT :client_id AS client_id, :idem_key AS idem_key FROM dual) n
ON (k.client_id = n.client_id AND k.idem_key = n.idem_key)
WHEN MATCHED THEN UPDATE SET k.request_hash = :request_hash, k.message_ids = :message_ids,
  k.expires_at = SYSTIMESTAMP + NUMTODSINTERVAL(:retention_s, 'SECOND')
WHEN NOT MATCHED THEN INSERT (client_id, idem_key, request_hash, message_ids, expires_at)
  VALUES (n.client_id, n.idem_key, :request_hash, :message_ids, SYSTIMESTAMP + NUMTODSINTERVAL(:retention_s, 'SECOND'))

-- name: isDemo
-- Binds: client_id. Result: DEMO (0/1), when the client exists.
SELECT demo FROM clients WHERE id = :client_id

-- name: lockClient
-- Locks a demo client's row until commit, so that concurrent enqueues on any node check its
-- allowance one after another (the counter row itself may not exist yet to be locked). Binds: client_id.
SELECT id FROM clients WHERE id = :client_id FOR UPDATE

-- name: usedSegments
-- Read after lockClient: the count as the previous holder of the lock committed it.
-- Binds: client_id. Result: SEGMENTS_USED, when the client has sent anything.
SELECT segments_used FROM client_counters WHERE client_id = :client_id

-- name: addSegments
-- Adds to a client's all-time segment count. Binds: client_id, segments.
MERGE INTO client_counters c
USING (SELECT :client_id AS client_id FROM dual) n ON (c.client_id = n.client_id)
WHEN MATCHED THEN UPDATE SET c.segments_used = c.segments_used + :segments
WHEN NOT MATCHED THEN INSERT (client_id, segments_used) VALUES (n.client_id, :segments)

-- name: insertMessage
-- One ledger row, QUEUED (its AQ message is enqueued in the same transaction).
-- Binds: id, client_id, client_ref, route_id, sender, recipient, text, encoding, segments, priority,
-- not_before, expires_at, dlr_requested, kannel_dlr_mask, kannel_dlr_url, source, status, accepted_at, ready_at.
INSERT INTO mt_messages (id, client_id, client_ref, route_id, sender, recipient, text, encoding, segments,
  priority, not_before, expires_at, dlr_requested, kannel_dlr_mask, kannel_dlr_url, source, status,
  accepted_at, queue_state, ready_at, state_at)
VALUES (:id, :client_id, :client_ref, :route_id, :sender, :recipient, :text, :encoding, :segments,
  :priority, :not_before, :expires_at, :dlr_requested, :kannel_dlr_mask, :kannel_dlr_url, :source, :status,
  :accepted_at, 'QUEUED', :ready_at, SYSTIMESTAMP)

-- name: epochOf
-- Binds: bind_id. Result: EPOCH, when the bind was ever acquired.
SELECT epoch FROM bind_epochs WHERE bind_id = :bind_id

-- name: epochLocked
-- The bind's epoch, locked until commit: an acquisition waits for a claim or nack in progress.
-- Binds: bind_id. Result: EPOCH.
SELECT epoch FROM bind_epochs WHERE bind_id = :bind_id FOR UPDATE

-- name: raiseEpoch
-- Raises a bind's epoch (1 on first acquisition). Binds: bind_id.
MERGE INTO bind_epochs e
USING (SELECT :bind_id AS bind_id FROM dual) n ON (e.bind_id = n.bind_id)
WHEN MATCHED THEN UPDATE SET e.epoch = e.epoch + 1
WHEN NOT MATCHED THEN INSERT (bind_id, epoch) VALUES (n.bind_id, 1)

-- name: lease
-- Claims one dequeued message: IN_FLIGHT under this bind and epoch until the database's now plus
-- lease_ms, tagged with the claim id. Only a QUEUED, unexpired row is claimed (an expired one was
-- dequeued before AQ moved it; the sweep marks it EXPIRED).
-- Binds: id, owner, bind_id, epoch, lease_ms, claim_id. Rows affected: 1 when claimed.
UPDATE mt_messages SET queue_state = 'IN_FLIGHT', owner = :owner, bind_id = :bind_id, epoch = :epoch,
  lease_until = SYSTIMESTAMP + NUMTODSINTERVAL(:lease_ms / 1000, 'SECOND'), attempts = attempts + 1,
  claim_id = :claim_id, ready_at = NULL, state_at = SYSTIMESTAMP
WHERE id = :id AND queue_state = 'QUEUED' AND expires_at > SYSTIMESTAMP

-- name: readyClients
-- Fair claims: the clients with claimable messages on a route (QUEUED, ready by the database clock,
-- not expired), each with how many, its smallest priority and its oldest acceptance time, so that the
-- claim can split its limit among them before it dequeues (a dequeued message cannot be put back
-- without losing its place). Binds: route_id. Result: CLIENT_ID, READY, FIRST_PRIORITY, FIRST_ACCEPTED_AT.
SELECT client_id, COUNT(*) AS ready, MIN(priority) AS first_priority, MIN(accepted_at) AS first_accepted_at
FROM mt_messages
WHERE route_id = :route_id AND queue_state = 'QUEUED' AND (ready_at IS NULL OR ready_at <= SYSTIMESTAMP)
  AND expires_at > SYSTIMESTAMP
GROUP BY client_id

-- name: claimed
-- The rows one claim took (the caller keeps AQ's dequeue order). Binds: claim_id. Result: the ClaimedRow columns.
SELECT id, client_id, route_id, sender, recipient, text, encoding, segments, priority, expires_at,
  dlr_requested, attempts, accepted_at
FROM mt_messages WHERE claim_id = :claim_id

-- name: held
-- A message and who holds it, locked until commit. Binds: id.
-- Result: ID, CLIENT_ID, ROUTE_ID, SEGMENTS, PRIORITY, EXPIRES_AT, ACCEPTED_AT, KANNEL_DLR_MASK, QUEUE_STATE,
-- BIND_ID, EPOCH, ATTEMPTS.
SELECT id, client_id, route_id, segments, priority, expires_at, accepted_at, kannel_dlr_mask, queue_state, bind_id, epoch, attempts
FROM mt_messages WHERE id = :id FOR UPDATE

-- name: recordSmscId
-- Records (or, after a resend, replaces) a segment's SMSC id, when it was recorded and how many
-- submit_sm its submission takes (parts). Binds: message_id, segment_index, route_id, smsc_id, parts.
MERGE INTO smsc_ids s
USING (SELECT :message_id AS message_id, :segment_index AS segment_index FROM dual) n
ON (s.message_id = n.message_id AND s.segment_index = n.segment_index)
WHEN MATCHED THEN UPDATE SET s.route_id = :route_id, s.smsc_id = :smsc_id, s.submitted_at = SYSTIMESTAMP, s.parts = :parts
WHEN NOT MATCHED THEN INSERT (message_id, segment_index, route_id, smsc_id, submitted_at, parts)
  VALUES (n.message_id, n.segment_index, :route_id, :smsc_id, SYSTIMESTAMP, :parts)

-- name: markSubmitted
-- Acks a message: PROCESSED in the ledger, status submitted. Binds: id.
UPDATE mt_messages SET queue_state = 'PROCESSED', status = 'submitted', submitted_at = SYSTIMESTAMP,
  lease_until = NULL, state_at = SYSTIMESTAMP
WHERE id = :id

-- name: markFinal
-- Ends a message. Binds: id, queue_state (PROCESSED or EXCEPTION), status, error_code, reason.
UPDATE mt_messages SET queue_state = :queue_state, status = :status, error_code = :error_code, reason = :reason,
  done_at = SYSTIMESTAMP, lease_until = NULL, state_at = SYSTIMESTAMP
WHERE id = :id

-- name: addEvent
-- Appends to a message's history. Binds: message_id, status, detail.
INSERT INTO message_events (message_id, at, status, detail) VALUES (:message_id, SYSTIMESTAMP, :status, :detail)

-- name: requeue
-- Releases a message for another attempt; its AQ message is enqueued in the same transaction.
-- ready_at stays null when it is ready at once (nothing for the sweep to promote). Binds: id, delay_ms.
UPDATE mt_messages SET queue_state = 'QUEUED',
  ready_at = CASE WHEN :delay_ms > 0 THEN SYSTIMESTAMP + NUMTODSINTERVAL(:delay_ms / 1000, 'SECOND') END,
  owner = NULL, bind_id = NULL, epoch = NULL, lease_until = NULL, claim_id = NULL, state_at = SYSTIMESTAMP
WHERE id = :id

-- name: extendLease
-- Binds: id, lease_ms.
UPDATE mt_messages SET lease_until = SYSTIMESTAMP + NUMTODSINTERVAL(:lease_ms / 1000, 'SECOND') WHERE id = :id

-- name: inDoubtRows
-- A route's IN_DOUBT messages, oldest first, locked (rows another node is resolving are skipped).
-- Binds: route_id. Result: the fields an AQ message is built from.
SELECT id, client_id, route_id, segments, priority, expires_at, accepted_at, attempts
FROM mt_messages WHERE route_id = :route_id AND queue_state = 'IN_DOUBT'
ORDER BY accepted_at, id FOR UPDATE SKIP LOCKED

-- name: resend
-- An IN_DOUBT message back to AQ (status accepted). Binds: id.
UPDATE mt_messages SET queue_state = 'QUEUED', status = 'accepted', ready_at = NULL, owner = NULL,
  bind_id = NULL, epoch = NULL, lease_until = NULL, claim_id = NULL, state_at = SYSTIMESTAMP
WHERE id = :id AND queue_state = 'IN_DOUBT'

-- name: expiring
-- Up to 1000 QUEUED messages past expires_at, locked (safe on every node at once). Result: ID.
SELECT id FROM mt_messages WHERE queue_state = 'QUEUED' AND expires_at <= SYSTIMESTAMP AND ROWNUM <= 1000
FOR UPDATE SKIP LOCKED

-- name: expire
-- Binds: id. Rows affected: 1 when expired.
UPDATE mt_messages SET queue_state = 'EXPIRED', status = 'expired', done_at = SYSTIMESTAMP, state_at = SYSTIMESTAMP
WHERE id = :id AND queue_state = 'QUEUED'

-- name: promotable
-- Up to 1000 waiting messages (scheduled, or retried after a delay) whose ready_at came, locked: AQ
-- has made them READY; the ledger follows. Result: ID, STATUS.
SELECT id, status FROM mt_messages WHERE queue_state = 'QUEUED' AND ready_at <= SYSTIMESTAMP AND ROWNUM <= 1000
FOR UPDATE SKIP LOCKED

-- name: promote
-- A scheduled message becomes accepted. Binds: id. Rows affected: 1 when promoted.
UPDATE mt_messages SET ready_at = NULL, status = CASE WHEN status = 'scheduled' THEN 'accepted' ELSE status END
WHERE id = :id AND queue_state = 'QUEUED' AND ready_at IS NOT NULL

-- name: lapsing
-- Up to 1000 IN_FLIGHT messages past their lease, locked. Result: ID, OWNER, BIND_ID.
SELECT id, owner, bind_id FROM mt_messages WHERE queue_state = 'IN_FLIGHT' AND lease_until <= SYSTIMESTAMP
  AND ROWNUM <= 1000
FOR UPDATE SKIP LOCKED

-- name: lapse
-- Binds: id. Rows affected: 1 when left IN_DOUBT.
UPDATE mt_messages SET queue_state = 'IN_DOUBT', status = 'in_doubt', state_at = SYSTIMESTAMP
WHERE id = :id AND queue_state = 'IN_FLIGHT'

-- name: purgeFinal
-- Deletes final messages older than retention (children cascade). Binds: retention_s. Rows affected: deleted.
DELETE FROM mt_messages WHERE queue_state IN ('PROCESSED', 'EXPIRED', 'EXCEPTION')
  AND state_at <= SYSTIMESTAMP - NUMTODSINTERVAL(:retention_s, 'SECOND')

-- name: purgeKeys
-- Deletes idempotency keys past their retention. Rows affected: deleted.
DELETE FROM idempotency_keys WHERE expires_at <= SYSTIMESTAMP
