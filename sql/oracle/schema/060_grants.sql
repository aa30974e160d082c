-- 060_grants: object and queue privileges for the roles made by admin/create_users.sql, run as
-- the schema owner after the other schema/ files. SMSPROC_APP: what the daemon does (DML on the
-- ledger, provisioning, scenarios, payouts and web sessions, enqueue and dequeue on every queue, the
-- payload types). SMSPROC_MONITOR: read-only (the views of 050_views.sql and the AQ$ views). Grants
-- are idempotent.

DECLARE
  PROCEDURE grant_all(tables VARCHAR2, privileges VARCHAR2, grantee VARCHAR2) IS
  BEGIN
    FOR t IN (SELECT REGEXP_SUBSTR(tables, '[^,]+', 1, LEVEL) AS name FROM dual
              CONNECT BY REGEXP_SUBSTR(tables, '[^,]+', 1, LEVEL) IS NOT NULL) LOOP
      EXECUTE IMMEDIATE 'GRANT ' || privileges || ' ON ' || t.name || ' TO ' || grantee;
    END LOOP;
  END;
BEGIN
  grant_all('smsproc_schema_version', 'SELECT', 'smsproc_app');
  grant_all('mt_messages,message_events,smsc_ids,receipt_keys,idempotency_keys,client_counters,bind_epochs,'
    || 'held_receipts,held_receipt_keys,callback_outbox,mo_parts,mo_messages,inbound_problems,'
    || 'provisioning_version,clients,api_tokens,virtual_ports,routes,prefixes,number_overrides,'
    || 'scenario_versions,scenario_bindings,scenario_subscribers,scenario_steps,scenario_tallies,scenario_entries,'
    || 'scenario_draws,payout_budgets,payouts,web_sessions',
    'SELECT, INSERT, UPDATE, DELETE', 'smsproc_app');
  grant_all('smsproc_mt_payload,smsproc_dlr_payload,smsproc_mo_payload', 'EXECUTE', 'smsproc_app');
  grant_all('smsproc_mt_waiting,smsproc_mt_depth,smsproc_mt_in_flight,smsproc_mt_in_doubt,smsproc_mt_retrying,'
    || 'smsproc_mt_exception,smsproc_route_backlog,smsproc_bind_epochs,smsproc_client_usage,'
    || 'smsproc_callback_backlog,smsproc_held_receipts,'
    || 'aq$smsproc_mt_qt,aq$smsproc_dlr_qt,aq$smsproc_mo_qt', 'SELECT', 'smsproc_monitor');
  grant_all('smsproc_mt_waiting,smsproc_mt_depth,smsproc_mt_in_flight,smsproc_mt_in_doubt,smsproc_mt_retrying,'
    || 'smsproc_mt_exception,smsproc_route_backlog,smsproc_bind_epochs,smsproc_client_usage,'
    || 'smsproc_callback_backlog,smsproc_held_receipts', 'SELECT', 'smsproc_app');
END;
/
BEGIN
  FOR q IN (SELECT column_value AS name FROM TABLE(sys.odcivarchar2list(
              'SMSPROC_MT_Q', 'SMSPROC_MT_EQ', 'SMSPROC_DLR_Q', 'SMSPROC_DLR_EQ', 'SMSPROC_MO_Q', 'SMSPROC_MO_EQ'))) LOOP
    dbms_aqadm.grant_queue_privilege(privilege => 'ALL', queue_name => q.name, grantee => 'SMSPROC_APP', grant_option => FALSE);
  END LOOP;
END;
/
