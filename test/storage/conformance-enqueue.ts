import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { bindIdOf, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { Store } from '../../daemon/storage/port.js';
import { clientPut, request, route, sleep, submission } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const acme = 'acme' as ClientId;

async function provision(store: Store, demo = false): Promise<void> {
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    { op: 'client.put', client: clientPut('acme', { demo }) },
  ]);
}

export function defineEnqueueTests(factory: StoreFactory): void {
  test('enqueue: one request with three messages is accepted whole and visible in the ledger', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const messages = [1, 2, 3].map((n) => submission('acme', 'mts-1', { recipient: `7916000000${n}`, segments: n, clientRef: 'batch-1' }));
      const [outcome] = await store.enqueueMt([request('acme', messages)]);
      assert.deepEqual(outcome, { kind: 'accepted', ids: messages.map((m) => m.id) });
      const view = await store.findMessage(acme, { id: messages[1]!.id });
      assert.ok(view);
      assert.equal(view.status, 'accepted');
      assert.equal(view.queueState, 'READY');
      assert.equal(view.recipient, '79160000002');
      assert.equal(view.segments, 2);
      assert.deepEqual(view.smscIds, []);
      assert.deepEqual(view.history.map((e) => e.status), ['accepted']);
      assert.ok(Math.abs(view.acceptedAt.getTime() - Date.now()) < 60_000);
      assert.equal((await store.findMessage(acme, { clientRef: 'batch-1' }))?.clientRef, 'batch-1');
      assert.equal(await store.findMessage('other' as ClientId, { id: messages[0]!.id }), null, 'another client cannot see it');
      assert.equal(await store.findMessage(acme, { id: 'missing' as MessageId }), null);
      assert.deepEqual(await store.clientBalance(acme), { clientId: acme, segmentsUsed: 6, demoRemaining: null, queued: 3 });
      assert.deepEqual([...await store.queuedByClient()], [['acme', 3]]);
    }));

  test('enqueue: a request that fails midway stores none of its messages', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const first = submission('acme', 'mts-1');
      await store.enqueueMt([request('acme', [first])]);
      // The third message reuses an id already in the ledger, so the request cannot be stored.
      const messages = [submission('acme', 'mts-1'), submission('acme', 'mts-1'), submission('acme', 'mts-1', { id: first.id })];
      await assert.rejects(store.enqueueMt([request('acme', messages)]));
      assert.equal(await store.findMessage(acme, { id: messages[0]!.id }), null);
      assert.equal(await store.findMessage(acme, { id: messages[1]!.id }), null);
      assert.equal((await store.clientBalance(acme)).queued, 1);
      assert.equal((await store.clientBalance(acme)).segmentsUsed, 1);
    }));

  test('enqueue: several requests in one call get one outcome each, in order', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const a = submission('acme', 'mts-1');
      const b = submission('acme', 'mts-1');
      const outcomes = await store.enqueueMt([
        request('acme', [a], { idempotencyKey: 'k1', requestHash: 'h1' }),
        request('acme', [b], { idempotencyKey: 'k1', requestHash: 'h2' }),
        request('acme', [submission('acme', 'mts-1')], { idempotencyKey: 'k1', requestHash: 'h1' }),
      ]);
      assert.deepEqual(outcomes, [{ kind: 'accepted', ids: [a.id] }, { kind: 'conflict' }, { kind: 'replayed', ids: [a.id] }]);
      assert.equal((await store.clientBalance(acme)).queued, 1);
    }));

  test('enqueue: a repeated key with the same hash replays the original ids and stores nothing new', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const original = [submission('acme', 'mts-1'), submission('acme', 'mts-1')];
      const first = await store.enqueueMt([request('acme', original, { idempotencyKey: 'order-17', requestHash: 'same' })]);
      const retry = [submission('acme', 'mts-1'), submission('acme', 'mts-1')];
      const second = await store.enqueueMt([request('acme', retry, { idempotencyKey: 'order-17', requestHash: 'same' })]);
      assert.deepEqual(first, [{ kind: 'accepted', ids: original.map((m) => m.id) }]);
      assert.deepEqual(second, [{ kind: 'replayed', ids: original.map((m) => m.id) }]);
      assert.equal(await store.findMessage(acme, { id: retry[0]!.id }), null);
      assert.deepEqual(await store.clientBalance(acme), { clientId: acme, segmentsUsed: 2, demoRemaining: null, queued: 2 });
      // Keys are per client: another client may use the same key.
      const other = await store.enqueueMt([request('other', [submission('other', 'mts-1')], { idempotencyKey: 'order-17', requestHash: 'same' })]);
      assert.equal(other[0]?.kind, 'accepted');
    }));

  test('enqueue: the same key with a different hash is a conflict and stores nothing', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      await store.enqueueMt([request('acme', [submission('acme', 'mts-1')], { idempotencyKey: 'k', requestHash: 'h1' })]);
      const changed = submission('acme', 'mts-1');
      assert.deepEqual(await store.enqueueMt([request('acme', [changed], { idempotencyKey: 'k', requestHash: 'h2' })]), [{ kind: 'conflict' }]);
      assert.equal(await store.findMessage(acme, { id: changed.id }), null);
      assert.equal((await store.clientBalance(acme)).segmentsUsed, 1);
    }));

  test('enqueue: the demo allowance is exact under 50 concurrent calls', () =>
    withStore(factory, { demoFreeSegments: 10 }, async (store) => {
      await provision(store, true);
      const calls = Array.from({ length: 50 }, () => store.enqueueMt([request('acme', [submission('acme', 'mts-1')])]));
      const outcomes = (await Promise.all(calls)).flat();
      assert.equal(outcomes.filter((o) => o.kind === 'accepted').length, 10);
      const refused = outcomes.filter((o) => o.kind === 'quota_exhausted');
      assert.equal(refused.length, 40);
      assert.ok(refused.every((o) => o.kind === 'quota_exhausted' && o.remaining === 0));
      assert.deepEqual(await store.clientBalance(acme), { clientId: acme, segmentsUsed: 10, demoRemaining: 0, queued: 10 });
    }));

  test('enqueue: a demo request larger than what is left is refused whole with the remainder', () =>
    withStore(factory, { demoFreeSegments: 10 }, async (store) => {
      await provision(store, true);
      await store.enqueueMt([request('acme', [submission('acme', 'mts-1', { segments: 8 })])]);
      const big = [submission('acme', 'mts-1'), submission('acme', 'mts-1', { segments: 2 })];
      assert.deepEqual(await store.enqueueMt([request('acme', big)]), [{ kind: 'quota_exhausted', remaining: 2 }]);
      assert.equal(await store.findMessage(acme, { id: big[0]!.id }), null);
      assert.deepEqual(await store.clientBalance(acme), { clientId: acme, segmentsUsed: 8, demoRemaining: 2, queued: 1 });
      assert.equal((await store.enqueueMt([request('acme', [submission('acme', 'mts-1', { segments: 2 })])]))[0]?.kind, 'accepted');
    }));

  test('enqueue: a future notBefore waits (scheduled) until a sweep promotes it', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const bindId = bindIdOf('mts-1' as RouteId, 0);
      const epoch = await store.acquireBindEpoch(bindId);
      const later = submission('acme', 'mts-1', { notBefore: new Date(Date.now() + 60) });
      const now = submission('acme', 'mts-1', { notBefore: new Date(Date.now() - 1000) });
      await store.enqueueMt([request('acme', [later, now])]);
      const waiting = await store.findMessage(acme, { id: later.id });
      assert.equal(waiting?.queueState, 'WAITING');
      assert.equal(waiting?.status, 'scheduled');
      assert.equal((await store.findMessage(acme, { id: now.id }))?.queueState, 'READY', 'a past notBefore is READY at once');
      const claim = { routeId: 'mts-1' as RouteId, bindId, epoch, owner: 'node-a', limit: 10, leaseMs: 60_000 };
      assert.deepEqual((await store.claimMt(claim)).map((m) => m.id), [now.id]);
      assert.equal((await store.sweepMt()).promoted, 0, 'not yet');
      await sleep(120);
      assert.equal((await store.sweepMt()).promoted, 1);
      const promoted = await store.findMessage(acme, { id: later.id });
      assert.equal(promoted?.queueState, 'READY');
      assert.equal(promoted?.status, 'accepted');
      assert.deepEqual(promoted?.history.map((e) => e.status), ['scheduled', 'accepted']);
      assert.deepEqual((await store.claimMt(claim)).map((m) => m.id), [later.id]);
    }));
}
