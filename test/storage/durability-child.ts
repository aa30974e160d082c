import { writeSync } from 'node:fs';
import { openSqliteStore } from '../../daemon/storage/sqlite/store.js';
import { clientPut, request, route, submission } from './fixtures.js';

/**
 * Child process of the SQLite kill -9 test: enqueues messages in waves of concurrent calls and
 * prints each id on stdout only after its enqueueMt promise resolved, until the parent kills it.
 * Does nothing when started without arguments (the test runner also loads every file under test/).
 */
const [path, wavesText] = process.argv.slice(2);

async function run(dbPath: string, waves: number): Promise<void> {
  const store = await openSqliteStore({
    path: dbPath,
    groupCommitMaxBatch: 2000,
    queue: { maxRetries: 2, retryDelayMs: 0, retentionMs: 60_000 },
    idempotencyRetentionMs: 60_000,
    demoFreeSegments: 0,
  });
  await store.migrate();
  await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme') }]);
  for (let wave = 0; wave < waves; wave += 1) {
    const calls = Array.from({ length: 50 }, async () => {
      const message = submission('acme', 'mts-1');
      await store.enqueueMt([request('acme', [message])]);
      writeSync(1, `${message.id}\n`);
    });
    await Promise.all(calls);
  }
  await store.close();
}

if (path !== undefined) await run(path, Number(wavesText ?? '1000'));
