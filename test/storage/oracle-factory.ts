import { createOracledbPool } from '../../daemon/storage/oracle/oracledb-session.js';
import { OracleStore } from '../../daemon/storage/oracle/store.js';
import { scriptStatements } from '../../daemon/storage/oracle/sql-files.js';
import { defaultStoreTestOptions, type StoreFactory, type StoreHandle, type StoreTestOptions } from './store-factory.js';

/**
 * Stores on a real Oracle server for the conformance suite, from SMSPROC_TEST_ORACLE_URL in the form
 * `user/password@host:port/service`. The user is the schema owner of a throwaway schema with the
 * privileges of sql/oracle/admin/create_users.sql: the factory installs sql/oracle/schema/ into it
 * once (the scripts are idempotent) and empties every table and queue before each fresh handle.
 * One schema serves the run, so the suite runs its tests one after another (node:test's default
 * within a file).
 */
export interface OracleTestTarget {
  readonly user: string;
  readonly password: string;
  readonly connectString: string;
}

export function parseOracleUrl(url: string): OracleTestTarget {
  // The password may hold "/" or "@"; a connect string holds no "@", so it starts after the last one.
  const match = /^([^/]+)\/(.+)@([^@]+)$/.exec(url);
  if (match === null) throw new Error('SMSPROC_TEST_ORACLE_URL must look like user/password@host:port/service');
  return { user: match[1] ?? '', password: match[2] ?? '', connectString: match[3] ?? '' };
}

const tablesChildrenFirst = [
  'message_events', 'receipt_keys', 'smsc_ids', 'mt_messages', 'idempotency_keys', 'client_counters', 'bind_epochs',
  'held_receipt_keys', 'held_receipts', 'callback_outbox', 'mo_parts', 'mo_messages', 'inbound_problems',
  'api_tokens', 'prefixes', 'number_overrides', 'clients', 'virtual_ports', 'routes',
  'scenario_versions', 'scenario_bindings', 'scenario_subscribers', 'scenario_steps', 'scenario_tallies', 'scenario_entries',
  'scenario_draws', 'payout_budgets', 'payouts',
];

const purgeQueues = `DECLARE
  options dbms_aqadm.aq$_purge_options_t;
BEGIN
  options.block := TRUE;
  dbms_aqadm.purge_queue_table('SMSPROC_MT_QT', NULL, options);
  dbms_aqadm.purge_queue_table('SMSPROC_DLR_QT', NULL, options);
  dbms_aqadm.purge_queue_table('SMSPROC_MO_QT', NULL, options);
END;`;

let installed = false;

export function oracleStoreFactory(target: OracleTestTarget): StoreFactory {
  return async (options: Partial<StoreTestOptions> = {}): Promise<StoreHandle> => {
    const settings = { ...defaultStoreTestOptions, ...options };
    const pool = await createOracledbPool({ ...target, schema: null, poolMax: 8, connectTimeoutS: 10 });
    const session = await pool.acquire();
    try {
      if (!installed) {
        for (const statement of scriptStatements('schema')) {
          await session.execute({ name: `${statement.file}#${statement.index}`, sql: statement.sql }, {});
        }
        installed = true;
      }
      if (settings.reopen === null) {
        for (const table of tablesChildrenFirst) await session.execute({ name: `empty ${table}`, sql: `DELETE FROM ${table}` }, {});
        await session.execute({ name: 'reset version', sql: 'UPDATE provisioning_version SET version = 0' }, {});
        await session.commit();
        await session.execute({ name: 'purge queues', sql: purgeQueues }, {});
      }
    } finally {
      await session.release();
    }
    const store = new OracleStore(pool, {
      queue: settings.queue,
      idempotencyRetentionMs: settings.idempotencyRetentionMs,
      demoFreeSegments: settings.demoFreeSegments,
    });
    await store.migrate();
    return {
      store,
      database: target.connectString,
      async cleanup() {
        await store.close();
      },
    };
  };
}
