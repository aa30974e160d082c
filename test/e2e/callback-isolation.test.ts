import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import { clientLookup, clientPut, newSender, provision, raiseMo, startReceiver, waitFor } from './callback-harness.js';

test('a client whose endpoint stalls does not delay another client\'s callbacks (p99 under 1 s)', async (t) => {
  const handle = await openTestSqliteStore();
  // A's endpoint answers only after 5 s, past the sender's 2 s timeout; B answers at once.
  const receiver = await startReceiver((entry) => (entry.url.startsWith('/a') ? { status: 200, delayMs: 5000 } : { status: 200 }));
  const { store } = handle;
  try {
    await provision(store, [clientPut('a', { moUrl: `${receiver.url}/a` }), clientPut('b', { moUrl: `${receiver.url}/b` })]);
    for (let i = 0; i < 12; i += 1) await raiseMo(store, 'a', `A ${i}`);
    const sender = newSender(store, await clientLookup(store), {
      requestTimeoutMs: 2000,
      perClientConcurrency: 4,
      globalConcurrency: 16,
      stopTimeoutMs: 3000,
      backoff: { firstDelayMs: 500, maxDelayMs: 1000, maxAgeMs: 60_000, jitterRatio: 0.2 },
    });
    sender.start();
    const bCount = 100;
    try {
      await waitFor('A\'s endpoint stalling', () => receiver.received.filter((entry) => entry.url.startsWith('/a')).length >= 4);
      for (let i = 0; i < bCount; i += 1) {
        await raiseMo(store, 'b', `B ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      await waitFor('every B callback', () => new Set(receiver.received.filter((entry) => entry.url.startsWith('/b')).map((entry) => entry.eventId)).size === bCount);
    } finally {
      await sender.stop();
    }
    const latencies = receiver.received
      .filter((entry) => entry.url.startsWith('/b'))
      .map((entry) => entry.at - Date.parse(String((JSON.parse(entry.body) as { receivedAt: string }).receivedAt)))
      .sort((x, y) => x - y);
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1] ?? Infinity;
    const aAttempts = receiver.received.filter((entry) => entry.url.startsWith('/a')).length;
    t.diagnostic(`B callbacks: ${latencies.length}, p50 ${latencies[Math.floor(latencies.length / 2)]} ms, p99 ${p99} ms, max ${latencies.at(-1)} ms; A attempts meanwhile: ${aAttempts}`);
    assert.ok(p99 < 1000, `p99 ${p99} ms`);
    assert.ok(aAttempts <= 4 * Math.ceil((latencies.length * 30) / 2000 + 2), 'A never had more than its 4 requests at a time');
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});
