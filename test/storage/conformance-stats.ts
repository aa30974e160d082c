import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { bindIdOf, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { Store } from '../../daemon/storage/port.js';
import { clientPut, HOUR_MS, receipt, request, route, submission } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const acme = 'acme' as ClientId;
const other = 'other' as ClientId;
const mts = 'mts-1' as RouteId;
const bind0 = bindIdOf(mts, 0);

/**
 * acme: m1 delivered (2 segments, sender ACME), m2 failed by the operator, m3 still queued (sender
 * 4242, recipient 79990000000); other: one queued message. Returns acme's ids.
 */
async function scenario(store: Store): Promise<{ delivered: MessageId; failed: MessageId; queued: MessageId }> {
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    { op: 'client.put', client: clientPut('acme') },
    { op: 'client.put', client: clientPut('other', { login: 'login-other', urlToken: 'url-other' }) },
  ]);
  const delivered = submission('acme', 'mts-1', { segments: 2 });
  const failed = submission('acme', 'mts-1');
  await store.enqueueMt([request('acme', [delivered, failed])]);
  const epoch = await store.acquireBindEpoch(bind0);
  const claimed = await store.claimMt({ routeId: mts, bindId: bind0, epoch, owner: 'node-a', limit: 10, leaseMs: 60_000 });
  assert.equal(claimed.length, 2);
  await store.ackMt(bind0, epoch, [{ id: delivered.id, smscIds: ['s1', 's2'] }]);
  await store.nackMt(bind0, epoch, [{ id: failed.id, disposition: { kind: 'fail', status: 'failed', errorCode: 11, reason: 'bad number' } }]);
  for (const smscId of ['s1', 's2']) assert.equal((await store.applyReceipt(receipt([smscId], 'delivered'))).kind, 'matched');
  const queued = submission('acme', 'mts-1', { sender: '4242', recipient: '79990000000' });
  await store.enqueueMt([request('acme', [queued]), request('other', [submission('other', 'mts-1')])]);
  return { delivered: delivered.id, failed: failed.id, queued: queued.id };
}

function lastHour(clientId: ClientId | null): { clientId: ClientId | null; since: Date; until: Date } {
  const now = Date.now();
  return { clientId, since: new Date(now - HOUR_MS), until: new Date(now + 60_000) };
}

export function defineStatsTests(factory: StoreFactory): void {
  test('stats: the summary counts a client\'s messages by status, with segments, submitted and delivery latency', () =>
    withStore(factory, {}, async (store) => {
      await scenario(store);
      const summary = await store.statsSummary(lastHour(acme));
      assert.equal(summary.messages, 3);
      assert.equal(summary.segments, 4);
      assert.deepEqual(summary.byStatus, { delivered: 1, failed: 1, accepted: 1 });
      assert.equal(summary.submitted, 1);
      assert.ok(summary.deliveryLatencyMeanMs !== null && summary.deliveryLatencyMeanMs >= 0);
      assert.equal(summary.deliveryLatencyMaxMs, summary.deliveryLatencyMeanMs);
      const all = await store.statsSummary(lastHour(null));
      assert.equal(all.messages, 4);
      const before = await store.statsSummary({ clientId: acme, since: new Date(0), until: new Date(Date.now() - HOUR_MS) });
      assert.deepEqual(before, { messages: 0, segments: 0, byStatus: {}, submitted: 0, deliveryLatencyMeanMs: null, deliveryLatencyMaxMs: null });
    }));

  test('stats: the series puts messages into buckets from `since` and leaves empty buckets out', () =>
    withStore(factory, {}, async (store) => {
      await scenario(store);
      const window = lastHour(acme);
      const buckets = await store.statsSeries({ ...window, bucketMs: 60_000 });
      assert.ok(buckets.length >= 1 && buckets.length <= 2, `${buckets.length} buckets`);
      const total = buckets.reduce((sum, b) => ({ messages: sum.messages + b.messages, segments: sum.segments + b.segments, delivered: sum.delivered + b.delivered, failed: sum.failed + b.failed }), { messages: 0, segments: 0, delivered: 0, failed: 0 });
      assert.deepEqual(total, { messages: 3, segments: 4, delivered: 1, failed: 1 });
      for (const bucket of buckets) {
        const offset = bucket.start.getTime() - window.since.getTime();
        assert.equal(offset % 60_000, 0);
        assert.ok(offset >= 59 * 60_000, 'messages accepted now fall into the last hour\'s last buckets');
      }
    }));

  test('stats: reports group by day, sender, route, status and client', () =>
    withStore(factory, {}, async (store) => {
      await scenario(store);
      const today = new Date().toISOString().slice(0, 10);
      const byDay = await store.statsReport('day', lastHour(acme));
      assert.equal(byDay.length, 1);
      assert.equal(byDay[0]?.key, today);
      assert.deepEqual({ ...byDay[0], key: '' }, { key: '', messages: 3, segments: 4, delivered: 1, failed: 1, expired: 0, pending: 1 });
      const bySender = await store.statsReport('sender', lastHour(acme));
      assert.deepEqual(bySender.map((row) => [row.key, row.messages, row.pending]), [['4242', 1, 1], ['ACME', 2, 0]]);
      const byRoute = await store.statsReport('route', lastHour(acme));
      assert.deepEqual(byRoute.map((row) => [row.key, row.messages]), [['mts-1', 3]]);
      const byStatus = await store.statsReport('status', lastHour(acme));
      assert.deepEqual(byStatus.map((row) => [row.key, row.messages]), [['accepted', 1], ['delivered', 1], ['failed', 1]]);
      const byClient = await store.statsReport('client', lastHour(null));
      assert.deepEqual(byClient.map((row) => [row.key, row.messages]), [['acme', 3], ['other', 1]]);
    }));

  test('stats: search filters a client\'s messages by number, id, sender, status and date, newest first', () =>
    withStore(factory, {}, async (store) => {
      const ids = await scenario(store);
      const base = { ...lastHour(acme), clientId: acme, limit: 50 };
      assert.deepEqual((await store.searchMessages(base)).map((m) => m.id), [ids.queued, ids.failed, ids.delivered]);
      assert.deepEqual((await store.searchMessages({ ...base, recipient: '79990000000' })).map((m) => m.id), [ids.queued]);
      assert.deepEqual((await store.searchMessages({ ...base, id: ids.failed })).map((m) => [m.id, m.status, m.errorCode]), [[ids.failed, 'failed', 11]]);
      assert.deepEqual((await store.searchMessages({ ...base, sender: '4242' })).map((m) => m.id), [ids.queued]);
      const delivered = await store.searchMessages({ ...base, status: 'delivered' });
      assert.deepEqual(delivered.map((m) => [m.id, m.segments, m.routeId]), [[ids.delivered, 2, mts]]);
      assert.ok(delivered[0]?.doneAt && delivered[0].submittedAt);
      assert.deepEqual(await store.searchMessages({ ...base, since: new Date(0), until: new Date(Date.now() - HOUR_MS) }), []);
      assert.equal((await store.searchMessages({ ...base, limit: 1 })).length, 1);
      assert.deepEqual(await store.searchMessages({ ...base, clientId: other, id: ids.queued }), [], 'another client\'s message is not found');
    }));

  test('stats: queue depths of unfinished messages per route and state, and callback events per client and state', () =>
    withStore(factory, {}, async (store) => {
      await scenario(store);
      const depth = await store.queueDepth();
      assert.deepEqual(depth.map((row) => [row.routeId, row.state, row.messages]), [[mts, 'READY', 2]], 'finished (PROCESSED) rows are not depth');
      assert.ok(depth.every((row) => row.oldestAcceptedAt.getTime() <= Date.now()));
      assert.deepEqual((await store.callbackDepth()).map((row) => [row.clientId, row.state, row.events]), [[acme, 'due', 2]]);
    }));

  test('stats: messages past max_retries count in the depths as EXCEPTION', () =>
    withStore(factory, { queue: { maxRetries: 0, retryDelayMs: 0, retentionMs: 60_000 } }, async (store) => {
      await scenario(store);
      const epoch = await store.acquireBindEpoch(bind0);
      const claimed = await store.claimMt({ routeId: mts, bindId: bind0, epoch, owner: 'node-a', limit: 10, leaseMs: 60_000 });
      assert.equal(claimed.length, 2);
      await store.nackMt(bind0, epoch, claimed.map((m) => ({ id: m.id, disposition: { kind: 'retry' } })));
      const depth = await store.queueDepth();
      assert.deepEqual(depth.map((row) => [row.routeId, row.state, row.messages]), [[mts, 'EXCEPTION', 2]]);
      assert.ok((depth[0]?.oldestAcceptedAt.getTime() ?? 0) > Date.now() - HOUR_MS);
    }));
}
