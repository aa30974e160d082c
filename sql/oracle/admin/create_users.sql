-- create_users: run once by a DBA as SYSDBA (or a user with CREATE USER, CREATE ROLE and the right
-- to grant on SYS packages), before the schema/ files. Creates the schema owner SMSPROC (owns the
-- tables, types and queues), the roles SMSPROC_APP (what the daemon's user needs) and
-- SMSPROC_MONITOR (read-only: DBA views, AQ$ views), and grants the system privileges AQ needs.
-- Change the passwords (and the tablespace) before running; every statement ends with "/" on a
-- line of its own, for SQL*Plus and SQLcl alike. Re-running skips what exists.

-- The schema owner. AQ_ADMINISTRATOR_ROLE would also do; the narrower grants below are enough.
DECLARE
  user_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(user_exists, -1920);
BEGIN
  EXECUTE IMMEDIATE q'[CREATE USER smsproc IDENTIFIED BY "change-me-owner" QUOTA UNLIMITED ON users]';
EXCEPTION
  WHEN user_exists THEN NULL;
END;
/
GRANT CREATE SESSION, CREATE TABLE, CREATE VIEW, CREATE TYPE, CREATE SEQUENCE, CREATE PROCEDURE TO smsproc
/
-- DBMS_AQADM creates the queue tables and queues; DBMS_AQ is the enqueue/dequeue interface.
GRANT EXECUTE ON sys.dbms_aqadm TO smsproc
/
GRANT EXECUTE ON sys.dbms_aq TO smsproc
/
-- Lets the owner give queue privileges (DBMS_AQADM.GRANT_QUEUE_PRIVILEGE) to the roles below.
BEGIN
  sys.dbms_aqadm.grant_system_privilege(privilege => 'ENQUEUE_ANY', grantee => 'SMSPROC', admin_option => FALSE);
  sys.dbms_aqadm.grant_system_privilege(privilege => 'DEQUEUE_ANY', grantee => 'SMSPROC', admin_option => FALSE);
END;
/

-- What the daemon's user needs: DML on the ledger and provisioning, enqueue/dequeue on the queues
-- (granted per queue by schema/060_grants.sql), and the AQ interface.
DECLARE
  role_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(role_exists, -1921);
BEGIN
  EXECUTE IMMEDIATE 'CREATE ROLE smsproc_app';
EXCEPTION
  WHEN role_exists THEN NULL;
END;
/
GRANT EXECUTE ON sys.dbms_aq TO smsproc_app
/
-- Read-only monitoring: SELECT on the DBA views and the AQ$ views (schema/060_grants.sql) and the
-- dynamic views of queue statistics.
DECLARE
  role_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(role_exists, -1921);
BEGIN
  EXECUTE IMMEDIATE 'CREATE ROLE smsproc_monitor';
EXCEPTION
  WHEN role_exists THEN NULL;
END;
/
GRANT SELECT ON sys.gv_$persistent_queues TO smsproc_monitor
/
GRANT SELECT ON sys.v_$aq TO smsproc_monitor
/

-- The user the daemon connects as (store.oracleUser), with store.oracleSchema set to SMSPROC.
DECLARE
  user_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(user_exists, -1920);
BEGIN
  EXECUTE IMMEDIATE q'[CREATE USER smsproc_daemon IDENTIFIED BY "change-me-daemon"]';
EXCEPTION
  WHEN user_exists THEN NULL;
END;
/
GRANT CREATE SESSION, smsproc_app TO smsproc_daemon
/
