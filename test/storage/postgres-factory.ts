import { openPostgresStore, type PostgresStore } from '../../daemon/storage/postgres/store.js';
import { createTestSchema, dropTestSchema, testPgUrl } from '../support/postgres.js';
import { defaultStoreTestOptions, type StoreHandle, type StoreTestOptions } from './store-factory.js';

/** Opens a migrated PostgreSQL store in a fresh schema of the test server (or an earlier handle's schema again). */
export async function openTestPostgresStore(
  options: Partial<StoreTestOptions> & { readonly poolSize?: number } = {},
): Promise<StoreHandle & { readonly store: PostgresStore }> {
  const settings = { ...defaultStoreTestOptions, ...options };
  const schema = settings.reopen ?? await createTestSchema();
  const store = openPostgresStore({
    url: testPgUrl,
    schema,
    poolSize: options.poolSize ?? 4,
    queue: settings.queue,
    idempotencyRetentionMs: settings.idempotencyRetentionMs,
    demoFreeSegments: settings.demoFreeSegments,
  });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    if (settings.reopen === null) await dropTestSchema(schema);
    throw error;
  }
  return {
    store,
    database: schema,
    async cleanup() {
      await store.close();
      if (settings.reopen === null) await dropTestSchema(schema);
    },
  };
}
