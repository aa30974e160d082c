import { writeSync } from 'node:fs';
import { openSqliteStore } from '../../daemon/storage/sqlite/store.js';
import type { CallbackSenderDeps } from '../../daemon/dispatch/callback-sender.js';
import { clientLookup, newSender } from './callback-harness.js';

/**
 * Child process of the callback kill -9 test: runs a sender on the given database and prints a line
 * on stdout after each outcome is committed, until the parent kills it. Does nothing when started
 * without arguments (the test runner also loads every file under test/).
 */
const [path] = process.argv.slice(2);

async function run(dbPath: string): Promise<void> {
  const store = await openSqliteStore({
    path: dbPath,
    groupCommitMaxBatch: 100,
    queue: { maxRetries: 2, retryDelayMs: 0, retentionMs: 60_000 },
    idempotencyRetentionMs: 60_000,
    demoFreeSegments: 0,
  });
  await store.migrate();
  const reporting: CallbackSenderDeps['store'] = {
    claimCallbacks: (claim) => store.claimCallbacks(claim),
    deadLetterUnclaimedSmppCallbacks: (waitedMs, lastError) => store.deadLetterUnclaimedSmppCallbacks(waitedMs, lastError),
    async completeCallback(eventId, owner, outcome) {
      await store.completeCallback(eventId, owner, outcome);
      writeSync(1, `${JSON.stringify({ eventId, outcome: outcome.kind })}\n`);
    },
  };
  const sender = newSender(reporting, await clientLookup(store), {
    leaseMs: 1500,
    requestTimeoutMs: 1000,
    backoff: { firstDelayMs: 1500, maxDelayMs: 1500, maxAgeMs: 60_000, jitterRatio: 0.2 },
  }, { owner: 'child' });
  sender.start();
  writeSync(1, 'started\n');
}

if (path !== undefined) await run(path);
