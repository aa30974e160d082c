import { connectionName, connectionsOf, SINGLE_PROCESS, type NodeProcess } from '../cluster/connection-shares.js';
import type { Config } from '../config/schema.js';
import type { Store } from './port.js';
import { openPostgresStore } from './postgres/store.js';
import { openSqliteStore } from './sqlite/store.js';

/**
 * Opens the store the node config names and brings its schema up to date; the caller closes it.
 * `process`: which process of the node this is; its pool is its share of the node's connections and
 * its connections carry its name (daemon/cluster/connection-shares.ts).
 */
export async function openStore(config: Config, process: NodeProcess = SINGLE_PROCESS): Promise<Store> {
  return migrated(await openUnmigrated(config, process));
}

/** Opens the store the config names, its schema untouched. */
async function openUnmigrated(config: Config, process: NodeProcess): Promise<Store> {
  const share = (total: number): number => connectionsOf(process, total, config.cluster.workers, config.smppServer.enabled);
  const name = connectionName(config.node.id, process);
  const queue = { maxRetries: config.queue.maxRetries, retryDelayMs: config.queue.retryDelayMs, retentionMs: config.queue.retentionMs };
  const common = { queue, idempotencyRetentionMs: config.messages.idempotencyRetentionMs, demoFreeSegments: config.demo.freeSegments };
  switch (config.store.kind) {
    case 'postgres':
      return openPostgresStore({
        ...common,
        url: config.store.postgresUrl ?? '',
        poolSize: share(config.store.postgresPoolSize),
        groupCommitMaxBatch: config.store.groupCommitMaxBatch,
        ...(config.store.postgresSchema === null ? {} : { schema: config.store.postgresSchema }),
        applicationName: name,
      });
    case 'sqlite':
      return openSqliteStore({ ...common, path: config.store.sqlitePath, groupCommitMaxBatch: config.store.groupCommitMaxBatch });
    case 'oracle': {
      const { oracleConnectString, oracleUser, oraclePassword } = config.store;
      if (oracleConnectString === null || oracleUser === null || oraclePassword === null) {
        throw new Error('store.kind oracle needs store.oracleConnectString, store.oracleUser and store.oraclePassword (docs/oracle.md)');
      }
      // Loaded only here, so that a SQLite or PostgreSQL node never loads the Oracle driver.
      const { openOracleStore } = await import('./oracle/store.js');
      return openOracleStore(
        { connectString: oracleConnectString, user: oracleUser, password: oraclePassword, schema: config.store.oracleSchema, poolMax: share(config.store.oraclePoolMax), program: name, connectTimeoutS: 10 },
        common,
      );
    }
  }
}

async function migrated(store: Store): Promise<Store> {
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
