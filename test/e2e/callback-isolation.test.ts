import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import { clientLookup, clientPut, newSender, provision, raiseMo, startReceiver, waitFor } from './callback-harness.js';

test('a client whose endpoint stalls for 30 s does not push another client\'s callback p99 above 1 s', async (t) => {
  const handle = await openTestSqliteStore();
  // A's endpoint holds every request 30 s (within the sender's timeout, so each of A's slots is taken
  // for the whole stall); B answers at once.
  const stallMs = 30_000;
  const receiver = await startReceiver((entry) => (entry.url.startsWith('/a') ? { status: 200, delayMs: stallMs } : { status: 200 }));
  const { store } = handle;
  try {
    await provision(store, [clientPut('a', { moUrl: `${receiver.url}/a` }), clientPut('b', { moUrl: `${receiver.url}/b` })]);
    for (let i = 0; i < 12; i += 1) await raiseMo(store, 'a', `A ${i}`);
    const sender = newSender(store, await clientLookup(store), {
      requestTimeoutMs: stallMs + 5_000,
      leaseMs: stallMs + 30_000,
      perClientConcurrency: 4,
      globalConcurrency: 16,
      stopTimeoutMs: 1_000,
      backoff: { firstDelayMs: 500, maxDelayMs: 1000, maxAgeMs: 60_000, jitterRatio: 0.2 },
    });
    sender.start();
    // B's events come every 300 ms for about the whole stall.
    const bCount = 95;
    let duringStall = 0;
    try {
      await waitFor('A\'s endpoint stalling', () => receiver.received.filter((entry) => entry.url.startsWith('/a')).length >= 4);
      for (let i = 0; i < bCount; i += 1) {
        await raiseMo(store, 'b', `B ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const aTimes = receiver.received.filter((entry) => entry.url.startsWith('/a')).map((entry) => entry.at);
      duringStall = aTimes.filter((at) => at < (aTimes[0] ?? 0) + stallMs - 500).length;
      await waitFor('every B callback', () => new Set(receiver.received.filter((entry) => entry.url.startsWith('/b')).map((entry) => entry.eventId)).size === bCount);
    } finally {
      await sender.stop();
    }
    const latencies = receiver.received
      .filter((entry) => entry.url.startsWith('/b'))
      .map((entry) => entry.at - Date.parse(String((JSON.parse(entry.body) as { receivedAt: string }).receivedAt)))
      .sort((x, y) => x - y);
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1] ?? Infinity;
    t.diagnostic(`B callbacks: ${latencies.length}, p50 ${latencies[Math.floor(latencies.length / 2)]} ms, p99 ${p99} ms, max ${latencies.at(-1)} ms; A requests during the stall: ${duringStall}`);
    assert.ok(p99 < 1000, `p99 ${p99} ms`);
    assert.equal(latencies.length, bCount);
    assert.equal(duringStall, 4, 'A\'s 4 slots stayed taken through the stall: no more of its requests went out');
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});
