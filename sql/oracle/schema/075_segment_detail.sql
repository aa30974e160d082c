-- 075_segment_detail: per segment (submit_sm), when its SMSC id was recorded (its submit_sm_resp),
-- and how many submit_sm the message's submission took (a message_payload route sends a long message
-- as one), so that a message goes final only when every one of them has a final receipt; the Oracle
-- counterpart of sql/sqlite/011_segment_detail.sql. Null on rows recorded before. Additive: older
-- nodes ignore the columns, so the schema version stays 1; nodes of this version write them, so run
-- this file before upgrading the nodes. Re-running skips columns that exist (ORA-01430).

DECLARE
  column_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(column_exists, -1430);
BEGIN
  EXECUTE IMMEDIATE 'ALTER TABLE smsc_ids ADD (submitted_at TIMESTAMP WITH TIME ZONE)';
EXCEPTION
  WHEN column_exists THEN NULL;
END;
/
DECLARE
  column_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(column_exists, -1430);
BEGIN
  EXECUTE IMMEDIATE 'ALTER TABLE smsc_ids ADD (parts NUMBER(3))';
EXCEPTION
  WHEN column_exists THEN NULL;
END;
/
