-- 070_operator_indexes: indexes for the statistics reads and the operators' message lookup
-- (sql/oracle/queries/stats.sql, mt_admin.sql), run as the schema owner after 030_ledger.sql; the
-- Oracle counterpart of sql/sqlite/005_stats_indexes.sql and 006_messages_by_recipient.sql. A
-- client's messages by acceptance time (figures, charts, reports, search, newest first), every
-- client's by acceptance time (the operator's view), and a client's messages to one number. Three
-- more index writes per accepted message. An installed schema gets them by running this file; the
-- adapter works without them (the reads are then full scans), so the schema version stays 1.
-- Re-running skips indexes that exist.

DECLARE
  PROCEDURE ddl(statement VARCHAR2) IS
    already_exists EXCEPTION;
    PRAGMA EXCEPTION_INIT(already_exists, -955);
    already_indexed EXCEPTION;
    PRAGMA EXCEPTION_INIT(already_indexed, -1408);
  BEGIN
    EXECUTE IMMEDIATE statement;
  EXCEPTION
    WHEN already_exists OR already_indexed THEN NULL;
  END;
BEGIN
  ddl('CREATE INDEX mt_messages_client_accepted ON mt_messages (client_id, accepted_at)');
  ddl('CREATE INDEX mt_messages_accepted ON mt_messages (accepted_at)');
  ddl('CREATE INDEX mt_messages_client_recipient ON mt_messages (client_id, recipient, accepted_at)');
END;
/
