import type { QueueSettings, Store } from '../../daemon/storage/port.js';

/** How the conformance suite gets stores from an adapter, without knowing which adapter it is. */
export interface StoreTestOptions {
  readonly queue: QueueSettings;
  readonly idempotencyRetentionMs: number;
  readonly demoFreeSegments: number;
  /** Open the database of an earlier handle (whose store was closed) instead of a fresh one. */
  readonly reopen: string | null;
}

export interface StoreHandle {
  /** A migrated store. */
  readonly store: Store;
  /** Names the database (file, schema) so that a later handle can reopen it. */
  readonly database: string;
  /** Closes the store and drops the database, unless this handle reopened another handle's database. */
  cleanup(): Promise<void>;
}

export type StoreFactory = (options?: Partial<StoreTestOptions>) => Promise<StoreHandle>;

export const defaultStoreTestOptions: StoreTestOptions = {
  queue: { maxRetries: 2, retryDelayMs: 0, retentionMs: 7 * 24 * 60 * 60 * 1000 },
  idempotencyRetentionMs: 24 * 60 * 60 * 1000,
  demoFreeSegments: 10,
  reopen: null,
};

/** Runs `body` on a fresh store and always cleans up. */
export async function withStore(
  factory: StoreFactory,
  options: Partial<StoreTestOptions>,
  body: (store: Store, handle: StoreHandle) => Promise<void>,
): Promise<void> {
  const handle = await factory(options);
  try {
    await body(handle.store, handle);
  } finally {
    await handle.cleanup();
  }
}
