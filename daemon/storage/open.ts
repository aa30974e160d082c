import type { Config } from '../config/schema.js';
import type { Store } from './port.js';
import { openSqliteStore } from './sqlite/store.js';

/** Opens the store the node config names and brings its schema up to date; the caller closes it. */
export async function openStore(config: Config): Promise<Store> {
  switch (config.store.kind) {
    case 'sqlite': {
      const store = await openSqliteStore({
        path: config.store.sqlitePath,
        groupCommitMaxBatch: config.store.groupCommitMaxBatch,
        queue: {
          maxRetries: config.queue.maxRetries,
          retryDelayMs: config.queue.retryDelayMs,
          retentionMs: config.queue.retentionMs,
        },
        idempotencyRetentionMs: config.messages.idempotencyRetentionMs,
        demoFreeSegments: config.demo.freeSegments,
      });
      try {
        await store.migrate();
      } catch (error) {
        await store.close();
        throw error;
      }
      return store;
    }
    case 'oracle': {
      const { oracleConnectString, oracleUser, oraclePassword } = config.store;
      if (oracleConnectString === null || oracleUser === null || oraclePassword === null) {
        throw new Error('store.kind oracle needs store.oracleConnectString, store.oracleUser and store.oraclePassword (docs/oracle.md)');
      }
      // Loaded only here, so that a SQLite node never loads the Oracle driver.
      const { openOracleStore } = await import('./oracle/store.js');
      const store = await openOracleStore(
        { connectString: oracleConnectString, user: oracleUser, password: oraclePassword, schema: config.store.oracleSchema, poolMax: config.store.oraclePoolMax, connectTimeoutS: 10 },
        { queue: { maxRetries: config.queue.maxRetries, retryDelayMs: config.queue.retryDelayMs, retentionMs: config.queue.retentionMs }, idempotencyRetentionMs: config.messages.idempotencyRetentionMs, demoFreeSegments: config.demo.freeSegments },
      );
      try {
        await store.migrate();
      } catch (error) {
        await store.close();
        throw error;
      }
      return store;
    }
  }
}
