import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import { clientLookup, clientPut, newSender, provision, raiseMo, startReceiver, waitFor } from './callback-harness.js';

const childPath = fileURLToPath(new URL('./callback-sender-child.js', import.meta.url));

test('kill -9 of a sender loses no event: the backoff resumes, a lapsed lease is sent again', async (t) => {
  const handle = await openTestSqliteStore();
  const { store } = handle;
  const answered = new Map<string, number>();
  let backoffEvent = '';
  let stalledEvent = '';
  const receiver = await startReceiver((entry) => {
    const seen = receiver.received.filter((other) => other.eventId === entry.eventId).length;
    if (seen === 1 && entry.eventId === backoffEvent) return { status: 503 };
    if (seen === 1 && entry.eventId === stalledEvent) return { status: 200, delayMs: 60_000 };
    answered.set(entry.eventId, (answered.get(entry.eventId) ?? 0) + 1);
    return { status: 200 };
  });
  const child = spawn(process.execPath, [childPath, handle.database], { stdio: ['ignore', 'pipe', 'inherit'] });
  const childExit = once(child, 'exit');
  try {
    await provision(store, [clientPut('acme', { moUrl: `${receiver.url}/mo` })]);
    backoffEvent = await raiseMo(store, 'acme', 'FIRST');
    stalledEvent = await raiseMo(store, 'acme', 'SECOND');
    const committed: Array<{ eventId: string; outcome: string }> = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('{')) committed.push(JSON.parse(line) as { eventId: string; outcome: string });
    });
    await waitFor('the child to put the first event in backoff', () => {
      if (child.exitCode !== null) throw new Error(`the child exited with ${child.exitCode}`);
      return committed.some((c) => c.eventId === backoffEvent && c.outcome === 'retry');
    });
    await waitFor('the second event in flight at the child', () => receiver.received.some((entry) => entry.eventId === stalledEvent));
    child.kill('SIGKILL');
    await childExit;
    assert.equal(answered.size, 0, 'nothing was answered 200 before the kill');

    const sender = newSender(store, await clientLookup(store), {}, { owner: 'restarted' });
    sender.start();
    try {
      await waitFor('both events delivered', () => answered.has(backoffEvent) && answered.has(stalledEvent), 15_000);
      await waitFor('an empty backlog', async () => (await store.callbackBacklog()).size === 0);
    } finally {
      await sender.stop();
    }
    const times = (id: string): number[] => receiver.received.filter((entry) => entry.eventId === id).map((entry) => entry.at);
    const [failedAt, retriedAt] = times(backoffEvent);
    assert.ok(failedAt !== undefined && retriedAt !== undefined);
    assert.ok(retriedAt - failedAt >= 1100, `the persisted backoff (1.2–1.5 s) was kept: retried after ${retriedAt - failedAt} ms`);
    const duplicates = receiver.received.length - new Set(receiver.received.map((entry) => entry.eventId)).size;
    t.diagnostic(`requests: ${receiver.received.length}; repeated event ids seen by the receiver: ${duplicates} (the 503 retry and the stalled request resent after its lease lapsed)`);
    assert.equal(times(stalledEvent).length, 2, 'the stalled request was sent again: at least once, recognisable by its event id');
    assert.deepEqual([...answered.values()], [1, 1], 'each event answered 200 exactly once');
    assert.deepEqual(await store.listDeadCallbacks({ limit: 10 }), []);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await childExit;
    await receiver.close();
    await handle.cleanup();
  }
});
