-- 050_views: the views DBAs and smsprocctl read, run as the schema owner. What waits is in AQ
-- (AQ$SMSPROC_MT_QT: READY, WAITING, PROCESSED within retention, EXPIRED in the exception queue);
-- what is in flight, in doubt, retried or final is in the ledger. Together they are the whole
-- truth: a message is either in SMSPROC_MT_Q (ledger queue_state QUEUED) or only in the ledger.
-- No parameters; each view's comment says what one row is.

-- One row per (queue, route, AQ state): messages waiting in AQ and the oldest enqueue time. An
-- operator's cancel leaves the message's copy in SMSPROC_MT_Q (AQ cannot dequeue a WAITING message)
-- until a claim of its route dequeues and drops it; such copies are not counted here.
CREATE OR REPLACE VIEW smsproc_mt_waiting AS
SELECT q.queue, q.corr_id AS route_id, q.msg_state, COUNT(*) AS messages,
       MIN(q.enq_time) AS oldest_enqueued, MIN(q.delay) AS next_ready
FROM aq$smsproc_mt_qt q
WHERE q.msg_state IN ('READY', 'WAITING', 'EXPIRED')
  AND (q.queue <> 'SMSPROC_MT_Q' OR EXISTS (
    SELECT 1 FROM mt_messages m WHERE m.id = q.user_data.message_id AND m.queue_state = 'QUEUED'))
GROUP BY q.queue, q.corr_id, q.msg_state
/

-- One row per (route, ledger state): the depth and the age in seconds of the oldest message.
CREATE OR REPLACE VIEW smsproc_mt_depth AS
SELECT m.route_id, m.queue_state, COUNT(*) AS messages, MIN(m.accepted_at) AS oldest_accepted,
       ROUND((CAST(SYSTIMESTAMP AS DATE) - CAST(MIN(m.accepted_at) AS DATE)) * 86400) AS oldest_age_s
FROM mt_messages m
GROUP BY m.route_id, m.queue_state
/

-- One row per message under a lease: who holds it and how many seconds the lease has left.
CREATE OR REPLACE VIEW smsproc_mt_in_flight AS
SELECT m.id, m.route_id, m.client_id, m.owner, m.bind_id, m.epoch, m.lease_until, m.attempts,
       ROUND((CAST(m.lease_until AS DATE) - CAST(SYSTIMESTAMP AS DATE)) * 86400) AS lease_left_s
FROM mt_messages m
WHERE m.queue_state = 'IN_FLIGHT'
/

-- One row per message whose lease lapsed while in flight (its owner may have sent it).
CREATE OR REPLACE VIEW smsproc_mt_in_doubt AS
SELECT m.id, m.route_id, m.client_id, m.owner, m.bind_id, m.epoch, m.lease_until, m.attempts, m.recipient
FROM mt_messages m
WHERE m.queue_state = 'IN_DOUBT'
/

-- One row per message back in AQ for another attempt after a nack (WAITING until ready_at).
CREATE OR REPLACE VIEW smsproc_mt_retrying AS
SELECT m.id, m.route_id, m.client_id, m.attempts, m.ready_at, m.reason
FROM mt_messages m
WHERE m.queue_state = 'QUEUED' AND m.attempts > 0
/

-- One row per message in the exception queue: given up after max_retries (ledger) or expired
-- inside AQ before it was claimed (AQ only). Nothing dequeues this queue: a message an operator
-- resent (requeueMt) keeps its copy here, and queue_state shows where the ledger has it now.
CREATE OR REPLACE VIEW smsproc_mt_exception AS
SELECT q.user_data.message_id AS id, q.corr_id AS route_id, q.user_data.client_id AS client_id,
       q.msg_state, q.enq_time, m.queue_state, m.attempts, m.reason
FROM aq$smsproc_mt_qt q
LEFT JOIN mt_messages m ON m.id = q.user_data.message_id
WHERE q.queue = 'SMSPROC_MT_EQ'
/

-- One row per route: backlog waiting in AQ, messages in flight, and the binds holding them.
CREATE OR REPLACE VIEW smsproc_route_backlog AS
SELECT r.id AS route_id,
       (SELECT COUNT(*) FROM aq$smsproc_mt_qt q WHERE q.queue = 'SMSPROC_MT_Q' AND q.corr_id = r.id
          AND q.msg_state IN ('READY', 'WAITING') AND EXISTS (
            SELECT 1 FROM mt_messages m WHERE m.id = q.user_data.message_id AND m.queue_state = 'QUEUED')) AS waiting,
       (SELECT COUNT(*) FROM mt_messages m WHERE m.route_id = r.id AND m.queue_state = 'IN_FLIGHT') AS in_flight,
       (SELECT LISTAGG(DISTINCT m.bind_id || '@' || m.owner, ', ') WITHIN GROUP (ORDER BY m.bind_id || '@' || m.owner)
          FROM mt_messages m WHERE m.route_id = r.id AND m.queue_state = 'IN_FLIGHT') AS holders
FROM routes r
/

-- One row per bind: its current fencing epoch.
CREATE OR REPLACE VIEW smsproc_bind_epochs AS
SELECT bind_id, epoch FROM bind_epochs
/

-- One row per client: segments used (all time) and messages not yet final.
CREATE OR REPLACE VIEW smsproc_client_usage AS
SELECT c.id AS client_id, c.demo, NVL(k.segments_used, 0) AS segments_used,
       (SELECT COUNT(*) FROM mt_messages m WHERE m.client_id = c.id
          AND m.queue_state IN ('QUEUED', 'IN_FLIGHT', 'IN_DOUBT')) AS queued
FROM clients c LEFT JOIN client_counters k ON k.client_id = c.id
/

-- One row per (client, outbox state): callback events due, leased, dead or delivered, and the age in
-- seconds of the oldest (for due events: how far the client's callbacks lag).
CREATE OR REPLACE VIEW smsproc_callback_backlog AS
SELECT o.client_id, o.kind, o.state, COUNT(*) AS events, MIN(o.created_at) AS oldest_created,
       ROUND((CAST(SYSTIMESTAMP AS DATE) - CAST(MIN(o.created_at) AS DATE)) * 86400) AS oldest_age_s
FROM callback_outbox o
GROUP BY o.client_id, o.kind, o.state
/

-- One row per receipt held because its SMSC id was not (yet) recorded by a submit_sm_resp.
CREATE OR REPLACE VIEW smsproc_held_receipts AS
SELECT h.id, h.route_id, h.bind_id, h.candidates, h.status, h.received_at, h.hold_until
FROM held_receipts h
/
