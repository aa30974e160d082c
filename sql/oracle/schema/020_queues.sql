-- 020_queues: queue tables and queues (Oracle Advanced Queuing), run as the schema owner. One
-- single-consumer queue table per flow (MT, DLR events, MO), each holding its queue and the
-- queue's exception queue. Ordering is priority first (smaller first), then enqueue time.
-- max_retries and retry_delay here act on dequeues that are rolled back (a claim transaction that
-- failed); a claim that commits hands the message to the ledger, which counts retries with the
-- same numbers from the node config (queue.maxRetries, queue.retryDelayMs; docs/oracle.md).
-- retention_time (seconds) keeps dequeued messages visible in AQ$<queue table> as PROCESSED.
-- Re-running skips queue tables (ORA-24001) and queues (ORA-24006) that exist.

-- MT: correlation = route id; claims dequeue by correlation.
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24001);
BEGIN
  dbms_aqadm.create_queue_table(
    queue_table        => 'SMSPROC_MT_QT',
    queue_payload_type => 'SMSPROC_MT_PAYLOAD',
    sort_list          => 'PRIORITY,ENQ_TIME',
    multiple_consumers => FALSE,
    comment            => 'smsproc MT messages waiting for a bind; correlation = route id');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_MT_Q',
    queue_table    => 'SMSPROC_MT_QT',
    max_retries    => 5,
    retry_delay    => 30,
    retention_time => 604800,
    comment        => 'MT queue: READY and WAITING (delayed) messages per route');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_MT_EQ',
    queue_table    => 'SMSPROC_MT_QT',
    queue_type     => dbms_aqadm.exception_queue,
    retention_time => 604800,
    comment        => 'MT exception queue: expired in AQ, or gave up after max_retries');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
BEGIN
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_MT_Q');
  -- The adapter moves a message here itself after max_retries (its claims commit, so AQ's own
  -- retry count never reaches the limit); that needs enqueue enabled on the exception queue.
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_MT_EQ', enqueue => TRUE, dequeue => TRUE);
END;
/

-- DLR events: status changes to report to clients (correlation = client id).
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24001);
BEGIN
  dbms_aqadm.create_queue_table(
    queue_table        => 'SMSPROC_DLR_QT',
    queue_payload_type => 'SMSPROC_DLR_PAYLOAD',
    sort_list          => 'PRIORITY,ENQ_TIME',
    multiple_consumers => FALSE,
    comment            => 'smsproc delivery-report events for clients; correlation = client id');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_DLR_Q',
    queue_table    => 'SMSPROC_DLR_QT',
    max_retries    => 5,
    retry_delay    => 30,
    retention_time => 604800,
    comment        => 'DLR events waiting for their callback');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_DLR_EQ',
    queue_table    => 'SMSPROC_DLR_QT',
    queue_type     => dbms_aqadm.exception_queue,
    retention_time => 604800,
    comment        => 'DLR events exception queue');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
BEGIN
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_DLR_Q');
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_DLR_EQ', enqueue => TRUE, dequeue => TRUE);
END;
/

-- MO: inbound SMS routed to a client (correlation = client id).
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24001);
BEGIN
  dbms_aqadm.create_queue_table(
    queue_table        => 'SMSPROC_MO_QT',
    queue_payload_type => 'SMSPROC_MO_PAYLOAD',
    sort_list          => 'PRIORITY,ENQ_TIME',
    multiple_consumers => FALSE,
    comment            => 'smsproc inbound SMS for clients; correlation = client id');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_MO_Q',
    queue_table    => 'SMSPROC_MO_QT',
    max_retries    => 5,
    retry_delay    => 30,
    retention_time => 604800,
    comment        => 'MO messages waiting for their callback');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
DECLARE
  already_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(already_exists, -24006);
BEGIN
  dbms_aqadm.create_queue(
    queue_name     => 'SMSPROC_MO_EQ',
    queue_table    => 'SMSPROC_MO_QT',
    queue_type     => dbms_aqadm.exception_queue,
    retention_time => 604800,
    comment        => 'MO exception queue');
EXCEPTION
  WHEN already_exists THEN NULL;
END;
/
BEGIN
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_MO_Q');
  dbms_aqadm.start_queue(queue_name => 'SMSPROC_MO_EQ', enqueue => TRUE, dequeue => TRUE);
END;
/
