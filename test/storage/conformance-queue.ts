import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { bindIdOf, type BindId, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { ClaimRequest, Store } from '../../daemon/storage/port.js';
import { clientPut, request, route, sleep, submission } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const acme = 'acme' as ClientId;
const mts = 'mts-1' as RouteId;
const bind0 = bindIdOf(mts, 0);
const bind1 = bindIdOf(mts, 1);

async function provision(store: Store): Promise<void> {
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    { op: 'route.put', route: route('beeline') },
    { op: 'client.put', client: clientPut('acme') },
  ]);
}

async function enqueue(store: Store, count: number, overrides: Parameters<typeof submission>[2] = {}): Promise<MessageId[]> {
  const messages = Array.from({ length: count }, () => submission('acme', 'mts-1', overrides));
  await store.enqueueMt(messages.map((message) => request('acme', [message])));
  return messages.map((message) => message.id);
}

function claimOf(bindId: BindId, epoch: number, limit = 10, leaseMs = 60_000): ClaimRequest {
  return { routeId: mts, bindId, epoch, owner: 'node-a/worker-1', limit, leaseMs };
}

async function stateOf(store: Store, id: MessageId): Promise<string | null | undefined> {
  return (await store.findMessage(acme, { id }))?.queueState;
}

export function defineQueueTests(factory: StoreFactory): void {
  test('queue: bind epochs start at 0, rise by one per acquisition, per bind', () =>
    withStore(factory, {}, async (store) => {
      assert.equal(await store.currentBindEpoch(bind0), 0);
      assert.equal(await store.acquireBindEpoch(bind0), 1);
      assert.equal(await store.acquireBindEpoch(bind0), 2);
      assert.equal(await store.acquireBindEpoch(bind1), 1);
      assert.equal(await store.currentBindEpoch(bind0), 2);
    }));

  test('queue: claims take the smallest priority first, then the oldest, up to the limit, on the route only', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const normal1 = submission('acme', 'mts-1', { priority: 1 });
      const high1 = submission('acme', 'mts-1', { priority: 0 });
      const normal2 = submission('acme', 'mts-1', { priority: 1 });
      const high2 = submission('acme', 'mts-1', { priority: 0 });
      const elsewhere = submission('acme', 'beeline', { priority: 0 });
      for (const message of [normal1, high1, normal2, high2, elsewhere]) await store.enqueueMt([request('acme', [message])]);
      const epoch = await store.acquireBindEpoch(bind0);
      const before = Date.now();
      const claimed = await store.claimMt(claimOf(bind0, epoch, 3));
      assert.deepEqual(claimed.map((m) => m.id), [high1.id, high2.id, normal1.id]);
      const [first] = claimed;
      assert.ok(first);
      assert.equal(first.attempt, 1);
      assert.equal(first.clientId, 'acme');
      assert.equal(first.routeId, 'mts-1');
      assert.equal(first.text, high1.text);
      assert.equal(first.encoding, 'gsm7');
      assert.equal(first.dlrRequested, true);
      assert.equal(first.expiresAt.getTime(), high1.expiresAt.getTime());
      assert.ok(first.acceptedAt.getTime() <= Date.now() && first.acceptedAt.getTime() >= before - 60_000);
      assert.equal(await stateOf(store, high1.id), 'IN_FLIGHT');
      assert.deepEqual((await store.claimMt(claimOf(bind0, epoch, 10))).map((m) => m.id), [normal2.id]);
      assert.deepEqual(await store.claimMt(claimOf(bind0, epoch, 10)), []);
      assert.equal(await stateOf(store, elsewhere.id), 'READY', 'another route is not claimed');
      assert.equal((await store.clientBalance(acme)).queued, 5, 'in-flight messages still count as queued');
    }));

  test('queue: concurrent claims by two binds never return the same message', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const ids = await enqueue(store, 20);
      const [epoch0, epoch1] = [await store.acquireBindEpoch(bind0), await store.acquireBindEpoch(bind1)];
      const claims = await Promise.all([
        store.claimMt(claimOf(bind0, epoch0, 15)),
        store.claimMt(claimOf(bind1, epoch1, 15)),
        store.claimMt(claimOf(bind0, epoch0, 15)),
      ]);
      const claimed = claims.flat().map((m) => m.id);
      assert.equal(new Set(claimed).size, claimed.length, 'no message twice');
      assert.deepEqual([...claimed].sort(), [...ids].sort());
    }));

  test('queue: a fair claim interleaves the clients, caps each one\'s share less what the caller holds, and keeps each one\'s order', () =>
    withStore(factory, {}, async (store) => {
      await store.applyProvisioning([
        { op: 'route.put', route: route('mts-1') },
        { op: 'route.put', route: route('beeline') },
        ...['flood', 'steady', 'rare'].map((id) => ({ op: 'client.put' as const, client: clientPut(id) })),
      ]);
      const enqueueOf = async (clientId: string, count: number, overrides: Parameters<typeof submission>[2] = {}): Promise<MessageId[]> => {
        const messages = Array.from({ length: count }, () => submission(clientId, 'mts-1', overrides));
        for (const message of messages) await store.enqueueMt([request(clientId, [message])]);
        return messages.map((message) => message.id);
      };
      // The flood is older than everyone else's traffic: an oldest-first claim would take only it.
      const flood = await enqueueOf('flood', 30);
      const steady = await enqueueOf('steady', 3);
      const [rareUrgent] = await enqueueOf('rare', 1, { priority: 0 });
      const [rare] = await enqueueOf('rare', 1);
      const elsewhere = submission('rare', 'beeline');
      await store.enqueueMt([request('rare', [elsewhere])]);
      const epoch = await store.acquireBindEpoch(bind0);
      const fair = (limit: number, heldByClient?: ReadonlyMap<ClientId, number>): ClaimRequest =>
        ({ ...claimOf(bind0, epoch, limit), perClientLimit: 4, ...(heldByClient ? { heldByClient } : {}) });

      const first = await store.claimMt(fair(7));
      // Round 1: each client's first (priority first, then age); round 2 likewise; cut at the limit.
      assert.deepEqual(first.map((m) => m.id), [rareUrgent, flood[0], steady[0], flood[1], steady[1], rare, flood[2]]);
      assert.deepEqual(first.map((m) => m.clientId), ['rare', 'flood', 'steady', 'flood', 'steady', 'rare', 'flood']);

      // The caller still holds 3 of the flood's: its share is 4 - 3 = 1; steady's last one comes too.
      const second = await store.claimMt(fair(10, new Map([['flood' as ClientId, 3]])));
      assert.deepEqual(second.map((m) => m.id), [flood[3], steady[2]]);
      // A client whose share is used up is skipped; the others go on.
      assert.deepEqual(await store.claimMt(fair(10, new Map([['flood' as ClientId, 4]]))), []);
      const third = await store.claimMt(fair(10));
      assert.deepEqual(third.map((m) => m.id), flood.slice(4, 8), 'the flood, alone, gets its share of 4');
      assert.equal((await store.findMessage('rare' as ClientId, { id: elsewhere.id }))?.queueState, 'READY', 'another route is not claimed');
      for (const message of [...first, ...second, ...third]) {
        assert.equal((await store.findMessage(message.clientId, { id: message.id }))?.queueState, 'IN_FLIGHT');
      }
    }));

  test('queue: ack records SMSC ids, marks the message submitted and the row PROCESSED, once', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [id] = await enqueue(store, 1, { segments: 2 });
      assert.ok(id);
      const epoch = await store.acquireBindEpoch(bind0);
      await store.claimMt(claimOf(bind0, epoch));
      const result = await store.ackMt(bind0, epoch, [{ id, smscIds: ['0a1b', '0a1c'] }]);
      assert.deepEqual(result, { applied: [id], refusedStaleEpoch: [] });
      const view = await store.findMessage(acme, { id });
      assert.ok(view);
      assert.equal(view.status, 'submitted');
      assert.equal(view.queueState, 'PROCESSED');
      assert.deepEqual(view.smscIds, ['0a1b', '0a1c']);
      assert.ok(view.submittedAt !== null);
      assert.deepEqual(view.history.map((e) => e.status), ['accepted', 'submitted']);
      assert.equal((await store.clientBalance(acme)).queued, 0);
      assert.deepEqual(await store.ackMt(bind0, epoch, [{ id, smscIds: ['0a1b', '0a1c'] }]), { applied: [], refusedStaleEpoch: [] });
      assert.deepEqual(await store.ackMt(bind0, epoch, [{ id: 'unknown' as MessageId, smscIds: ['x'] }]), { applied: [], refusedStaleEpoch: [] });
    }));

  test('queue: a stale epoch claims nothing and changes no state, but its SMSC ids are recorded', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [a, b] = await enqueue(store, 2);
      assert.ok(a && b);
      const old = await store.acquireBindEpoch(bind0);
      await store.claimMt(claimOf(bind0, old, 1));
      const current = await store.acquireBindEpoch(bind0);
      assert.ok(current > old);
      assert.deepEqual(await store.claimMt(claimOf(bind0, old)), [], 'stale claim');
      assert.equal(await stateOf(store, b), 'READY');
      assert.deepEqual(await store.ackMt(bind0, old, [{ id: a, smscIds: ['77'] }]), { applied: [], refusedStaleEpoch: [a] });
      const view = await store.findMessage(acme, { id: a });
      assert.deepEqual(view?.smscIds, ['77'], 'the fact is kept for receipt matching');
      assert.equal(view?.queueState, 'IN_FLIGHT');
      assert.equal(view?.status, 'accepted');
      assert.deepEqual(await store.nackMt(bind0, old, [{ id: a, disposition: { kind: 'retry' } }]), { applied: [], refusedStaleEpoch: [a] });
      assert.deepEqual(await store.renewMtLeases(bind0, old, [a], 60_000), { applied: [], refusedStaleEpoch: [a] });
      // The new owner did not claim `a` under its epoch either: the row's epoch is older.
      assert.deepEqual(await store.ackMt(bind0, current, [{ id: a, smscIds: ['77'] }]), { applied: [], refusedStaleEpoch: [a] });
      assert.equal(await stateOf(store, a), 'IN_FLIGHT');
      // Another bind's epoch does not hold the message.
      const other = await store.acquireBindEpoch(bind1);
      assert.deepEqual(await store.ackMt(bind1, other, [{ id: a, smscIds: [] }]), { applied: [], refusedStaleEpoch: [] });
    }));

  test('queue: nack retry requeues (READY, or WAITING with a delay) and past max_retries moves to the exception queue', () =>
    withStore(factory, { queue: { maxRetries: 2, retryDelayMs: 0, retentionMs: 60_000 } }, async (store) => {
      await provision(store);
      const [id] = await enqueue(store, 1);
      assert.ok(id);
      const epoch = await store.acquireBindEpoch(bind0);
      for (const attempt of [1, 2]) {
        const [claimed] = await store.claimMt(claimOf(bind0, epoch));
        assert.equal(claimed?.attempt, attempt);
        assert.deepEqual(await store.nackMt(bind0, epoch, [{ id, disposition: { kind: 'retry' } }]), { applied: [id], refusedStaleEpoch: [] });
        assert.equal(await stateOf(store, id), 'READY');
      }
      const [third] = await store.claimMt(claimOf(bind0, epoch));
      assert.equal(third?.attempt, 3);
      assert.deepEqual(await store.nackMt(bind0, epoch, [{ id, disposition: { kind: 'retry' } }]), { applied: [id], refusedStaleEpoch: [] });
      const view = await store.findMessage(acme, { id });
      assert.equal(view?.queueState, 'EXCEPTION');
      assert.equal(view?.status, 'failed');
      assert.ok(view?.doneAt);
      assert.equal(view?.history.at(-1)?.status, 'failed');
      assert.deepEqual(await store.claimMt(claimOf(bind0, epoch)), []);
      assert.equal((await store.clientBalance(acme)).queued, 0);

      const [delayed] = await enqueue(store, 1);
      assert.ok(delayed);
      await store.claimMt(claimOf(bind0, epoch));
      await store.nackMt(bind0, epoch, [{ id: delayed, disposition: { kind: 'retry', delayMs: 60 } }]);
      assert.equal(await stateOf(store, delayed), 'WAITING');
      assert.deepEqual(await store.claimMt(claimOf(bind0, epoch)), []);
      await sleep(120);
      assert.equal((await store.sweepMt()).promoted, 1);
      assert.deepEqual((await store.claimMt(claimOf(bind0, epoch))).map((m) => [m.id, m.attempt]), [[delayed, 2]]);
    }));

  test('queue: the queue retry_delay applies when a retry names none', () =>
    withStore(factory, { queue: { maxRetries: 5, retryDelayMs: 60_000, retentionMs: 60_000 } }, async (store) => {
      await provision(store);
      const [id] = await enqueue(store, 1);
      assert.ok(id);
      const epoch = await store.acquireBindEpoch(bind0);
      await store.claimMt(claimOf(bind0, epoch));
      await store.nackMt(bind0, epoch, [{ id, disposition: { kind: 'retry' } }]);
      assert.equal(await stateOf(store, id), 'WAITING');
      assert.equal((await store.sweepMt()).promoted, 0);
      assert.deepEqual(store.queueSettings(), { maxRetries: 5, retryDelayMs: 60_000, retentionMs: 60_000 });
    }));

  test('queue: a permanent nack ends the message with its status, code and reason', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [id] = await enqueue(store, 1);
      assert.ok(id);
      const epoch = await store.acquireBindEpoch(bind0);
      await store.claimMt(claimOf(bind0, epoch));
      const disposition = { kind: 'fail', status: 'rejected', errorCode: 0x0b, reason: 'invalid destination' } as const;
      assert.deepEqual(await store.nackMt(bind0, epoch, [{ id, disposition }]), { applied: [id], refusedStaleEpoch: [] });
      const view = await store.findMessage(acme, { id });
      assert.equal(view?.status, 'rejected');
      assert.equal(view?.errorCode, 0x0b);
      assert.equal(view?.reason, 'invalid destination');
      assert.equal(view?.queueState, 'PROCESSED');
      assert.ok(view?.doneAt);
      assert.deepEqual(await store.claimMt(claimOf(bind0, epoch)), []);
    }));

  test('queue: an expired lease leaves the message IN_DOUBT; hold keeps it, resend makes it READY again', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [id] = await enqueue(store, 1);
      assert.ok(id);
      const epoch = await store.acquireBindEpoch(bind0);
      await store.claimMt(claimOf(bind0, epoch, 10, 50));
      assert.equal((await store.sweepMt()).inDoubt, 0, 'lease still running');
      await sleep(100);
      assert.equal((await store.sweepMt()).inDoubt, 1);
      const view = await store.findMessage(acme, { id });
      assert.equal(view?.queueState, 'IN_DOUBT');
      assert.equal(view?.status, 'in_doubt');
      assert.deepEqual(await store.nackMt(bind0, epoch, [{ id, disposition: { kind: 'retry' } }]), { applied: [], refusedStaleEpoch: [] });
      assert.deepEqual(await store.resolveInDoubt(mts, 'hold'), []);
      assert.equal(await stateOf(store, id), 'IN_DOUBT');
      assert.deepEqual(await store.resolveInDoubt('beeline' as RouteId, 'resend'), [], 'other routes are untouched');
      assert.deepEqual(await store.resolveInDoubt(mts, 'resend'), [id]);
      assert.equal(await stateOf(store, id), 'READY');
      const [again] = await store.claimMt(claimOf(bind0, epoch));
      assert.equal(again?.id, id);
      assert.equal(again?.attempt, 2);
    }));

  test('queue: a late ack by the lease holder settles its IN_DOUBT message instead of leaving it to be resent', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [id] = await enqueue(store, 1);
      assert.ok(id);
      const epoch = await store.acquireBindEpoch(bind0);
      await store.claimMt(claimOf(bind0, epoch, 10, 20));
      await sleep(60);
      assert.equal((await store.sweepMt()).inDoubt, 1);
      assert.deepEqual(await store.ackMt(bind0, epoch, [{ id, smscIds: ['9f'] }]), { applied: [id], refusedStaleEpoch: [] });
      const view = await store.findMessage(acme, { id });
      assert.equal(view?.queueState, 'PROCESSED');
      assert.equal(view?.status, 'submitted');
      assert.deepEqual(await store.resolveInDoubt(mts, 'resend'), []);
    }));

  test('queue: renewing a lease keeps the message IN_FLIGHT past its first deadline', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [id] = await enqueue(store, 1);
      assert.ok(id);
      const epoch = await store.acquireBindEpoch(bind0);
      await store.claimMt(claimOf(bind0, epoch, 10, 50));
      assert.deepEqual(await store.renewMtLeases(bind0, epoch, [id], 60_000), { applied: [id], refusedStaleEpoch: [] });
      await sleep(100);
      assert.equal((await store.sweepMt()).inDoubt, 0);
      assert.equal(await stateOf(store, id), 'IN_FLIGHT');
    }));

  test('queue: READY or WAITING past expiresAt is never claimed and a sweep marks it EXPIRED', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [soon] = await enqueue(store, 1, { expiresAt: new Date(Date.now() + 40) });
      const [waitingTooLong] = await enqueue(store, 1, { notBefore: new Date(Date.now() + 60_000), expiresAt: new Date(Date.now() + 40) });
      const [fresh] = await enqueue(store, 1);
      assert.ok(soon && waitingTooLong && fresh);
      await sleep(80);
      const epoch = await store.acquireBindEpoch(bind0);
      assert.deepEqual((await store.claimMt(claimOf(bind0, epoch))).map((m) => m.id), [fresh], 'expired ones are skipped');
      assert.equal((await store.sweepMt()).expired, 2);
      for (const id of [soon, waitingTooLong]) {
        const view = await store.findMessage(acme, { id });
        assert.equal(view?.queueState, 'EXPIRED');
        assert.equal(view?.status, 'expired');
        assert.ok(view?.doneAt);
      }
    }));

  test('queue: a sweep purges final messages and idempotency keys older than retention', () =>
    withStore(factory, { queue: { maxRetries: 2, retryDelayMs: 0, retentionMs: 1 }, idempotencyRetentionMs: 1 }, async (store) => {
      await provision(store);
      const done = submission('acme', 'mts-1');
      const pending = submission('acme', 'mts-1', { priority: 5 });
      await store.enqueueMt([request('acme', [done], { idempotencyKey: 'k', requestHash: 'h1' }), request('acme', [pending])]);
      const epoch = await store.acquireBindEpoch(bind0);
      await store.claimMt(claimOf(bind0, epoch, 1));
      await store.ackMt(bind0, epoch, [{ id: done.id, smscIds: ['1'] }]);
      await sleep(20);
      const swept = await store.sweepMt();
      assert.equal(swept.purged, 2, 'one message and one key');
      assert.equal(await store.findMessage(acme, { id: done.id }), null);
      assert.equal(await stateOf(store, pending.id), 'READY', 'messages not final are kept');
      const reuse = await store.enqueueMt([request('acme', [submission('acme', 'mts-1')], { idempotencyKey: 'k', requestHash: 'h2' })]);
      assert.equal(reuse[0]?.kind, 'accepted', 'a purged key is free again');
    }));
}
