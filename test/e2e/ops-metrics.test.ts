import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import { createLogger } from '../../daemon/log.js';
import { createMetrics } from '../../daemon/stats/metrics.js';
import { startOpsServer } from '../../daemon/stats/ops-server.js';
import { clientPut, mo, request, route, submission } from '../storage/fixtures.js';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import { scrape, total } from './ops-harness.js';

const logger = createLogger('silent');

test('ops server: queue depth and age read from the store at scrape; per-client series bounded by maxClientSeries', async () => {
  const handle = await openTestSqliteStore();
  const store = handle.store;
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    ...['a', 'b', 'c', 'd'].map((id) => ({ op: 'client.put' as const, client: clientPut(id, { login: `l-${id}`, urlToken: `u-${id}` }) })),
    // Its MO go to its SMPP binds (SMPP access, no MO URL); none is bound: they wait.
    { op: 'client.put', client: clientPut('e', { login: 'l-e', urlToken: 'u-e', moUrl: null, smpp: { systemId: 'e', passwordHash: 'scrypt$x', maxBinds: 1, enabled: true } }) },
  ]);
  let now = Date.now();
  const metrics = createMetrics({
    config: { node: { id: 'n1', site: 's' }, metrics: { perClientSeries: true, maxClientSeries: 2 } },
    store,
    clock: () => now,
    defaultMetrics: false,
  });
  const server = await startOpsServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, readiness: [], logger });
  const opsUrl = `http://127.0.0.1:${server.port}`;
  try {
    for (const id of ['a', 'b', 'c', 'd']) {
      await store.enqueueMt([request(id, [submission(id, 'mts-1'), submission(id, 'mts-1')])]);
      metrics.acceptance.accepted('mts-1', id, 1);
    }
    await store.recordMo(mo('e'));
    now += 90_000;
    const samples = await scrape(opsUrl);
    assert.equal(total(samples, 'smsproc_callback_smpp_waiting_events', {}), 1);
    const waited = total(samples, 'smsproc_callback_smpp_waiting_oldest_seconds', {});
    assert.ok(waited >= 89 && waited <= 100, `SMPP event waited ${waited}`);
    assert.equal(total(samples, 'smsproc_queue_messages', { route: 'mts-1', state: 'READY' }), 8);
    const age = total(samples, 'smsproc_queue_oldest_age_seconds', { route: 'mts-1', state: 'READY' });
    assert.ok(age >= 89 && age <= 95, `oldest age ${age}`);
    const clients = samples.filter((s) => s.name === 'smsproc_client_accepted_messages_total').map((s) => [s.labels.client, s.value]);
    assert.deepEqual(clients, [['a', 1], ['b', 1], ['_other', 2]]);
    const queued = samples.filter((s) => s.name === 'smsproc_client_queued_messages').map((s) => [s.labels.client, s.value]);
    assert.deepEqual(queued.sort(), [['_other', 4], ['a', 2], ['b', 2]]);
    assert.equal((await store.clientBalance('a' as ClientId)).queued, 2);
  } finally {
    await server.close();
    await handle.cleanup();
  }
});

test('ops server: /health/ready is 503 naming the failing check (a throwing check fails); 200 when all pass', async () => {
  const metrics = createMetrics({ config: { node: { id: 'n1', site: 's' }, metrics: { perClientSeries: false, maxClientSeries: 1 } }, store: {
    queueDepth: async () => [], callbackBacklog: async () => new Map(), queuedByClient: async () => new Map(), waitingSmppCallbacks: async () => new Map(),
  }, defaultMetrics: false });
  let dispatching = false;
  let storeOpen = false;
  const server = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    registry: metrics.registry,
    logger,
    readiness: [
      { name: 'store', check: async () => { if (!storeOpen) throw new Error('closed'); return true; } },
      { name: 'dispatch', check: () => dispatching },
    ],
  });
  try {
    const url = `http://127.0.0.1:${server.port}/health/ready`;
    const notReady = await fetch(url);
    assert.equal(notReady.status, 503);
    assert.deepEqual(await notReady.json(), { status: 'not ready', checks: { store: false, dispatch: false } });
    dispatching = true;
    assert.deepEqual((await (await fetch(url)).json() as { checks: unknown }).checks, { store: false, dispatch: true });
    storeOpen = true;
    const ready = await fetch(url);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { store: true, dispatch: true } });
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status, 405);
  } finally {
    await server.close();
  }
});
