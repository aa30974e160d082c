import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from '../../daemon/storage/sqlite/store.js';
import { defaultStoreTestOptions, type StoreHandle, type StoreTestOptions } from './store-factory.js';

/** Opens a migrated SQLite store in a fresh temp dir (or the given database file again). */
export async function openTestSqliteStore(
  options: Partial<StoreTestOptions> & Partial<Pick<SqliteStoreOptions, 'groupCommitMaxBatch' | 'busyTimeoutMs'>> = {},
): Promise<StoreHandle & { readonly store: SqliteStore }> {
  const settings = { ...defaultStoreTestOptions, ...options };
  const dir = settings.reopen === null ? mkdtempSync(join(tmpdir(), 'smsproc-sqlite-')) : null;
  const path = settings.reopen ?? join(dir ?? '', 'store', 'smsproc.db');
  const store = await openSqliteStore({
    path,
    groupCommitMaxBatch: options.groupCommitMaxBatch ?? 2000,
    busyTimeoutMs: options.busyTimeoutMs ?? 1000,
    queue: settings.queue,
    idempotencyRetentionMs: settings.idempotencyRetentionMs,
    demoFreeSegments: settings.demoFreeSegments,
  });
  await store.migrate();
  return {
    store,
    database: path,
    async cleanup() {
      await store.close();
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
}
