import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { bindIdOf, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { ClaimRequest, Store } from '../../daemon/storage/port.js';
import { clientPut, everyChannel, HOUR_MS, request, route, sleep, submission } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const acme = 'acme' as ClientId;
const zeta = 'zeta' as ClientId;
const mts = 'mts-1' as RouteId;
const bind0 = bindIdOf(mts, 0);

async function provision(store: Store): Promise<void> {
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    { op: 'route.put', route: route('beeline') },
    { op: 'client.put', client: clientPut('acme') },
    { op: 'client.put', client: clientPut('zeta') },
  ]);
}

async function enqueue(store: Store, clientId: string, overrides: Parameters<typeof submission>[2] = {}): Promise<MessageId> {
  const message = submission(clientId, 'mts-1', overrides);
  const [outcome] = await store.enqueueMt([request(clientId, [message])]);
  assert.equal(outcome?.kind, 'accepted');
  return message.id;
}

function claimOf(epoch: number, leaseMs = 60_000): ClaimRequest {
  return { routeId: mts, bindId: bind0, epoch, owner: 'node-a', limit: 10, leaseMs };
}

/** The DLR events due in the outbox, as message id → status. */
async function dlrStatuses(store: Store): Promise<Map<string, unknown>> {
  const events = await store.claimCallbacks({ owner: 'probe', limit: 100, perClientLimit: 100, leaseMs: 60_000, scope: everyChannel('acme', 'zeta') });
  return new Map(events.filter((event) => event.kind === 'dlr').map((event) => [String(event.payload.messageId), event.payload.status]));
}

export function defineAdminTests(factory: StoreFactory): void {
  test('admin: queueDepth counts messages not yet final per route and state, with the oldest acceptance', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      assert.deepEqual(await store.queueDepth(), []);
      const before = Date.now();
      await enqueue(store, 'acme');
      await enqueue(store, 'acme');
      await enqueue(store, 'zeta', { notBefore: new Date(Date.now() + HOUR_MS) });
      await store.enqueueMt([request('acme', [submission('acme', 'beeline')])]);
      const epoch = await store.acquireBindEpoch(bind0);
      await store.claimMt({ ...claimOf(epoch), limit: 1 });
      const rows = [...(await store.queueDepth())].sort((a, b) => `${a.routeId}${a.state}`.localeCompare(`${b.routeId}${b.state}`));
      assert.deepEqual(rows.map((row) => [row.routeId, row.state, row.messages]), [
        ['beeline', 'READY', 1],
        ['mts-1', 'IN_FLIGHT', 1],
        ['mts-1', 'READY', 1],
        ['mts-1', 'WAITING', 1],
      ]);
      for (const row of rows) assert.ok(row.oldestAcceptedAt.getTime() >= before - 1000 && row.oldestAcceptedAt.getTime() <= Date.now() + 1000);
    }));

  test('admin: lookupMessages finds by id across clients, and by client with number and reference, newest first', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const first = await enqueue(store, 'acme', { recipient: '79160000001', clientRef: 'order-1' });
      const second = await enqueue(store, 'acme', { recipient: '79160000002', clientRef: 'order-1' });
      const third = await enqueue(store, 'acme', { recipient: '79160000001' });
      const other = await enqueue(store, 'zeta', { recipient: '79160000001', clientRef: 'order-1' });
      const byId = await store.lookupMessages({ id: other });
      assert.deepEqual(byId.map((view) => [view.id, view.clientId]), [[other, zeta]]);
      assert.equal(byId[0]?.history[0]?.status, 'accepted');
      assert.deepEqual(await store.lookupMessages({ id: 'no-such-id' as MessageId }), []);
      assert.deepEqual((await store.lookupMessages({ clientId: acme, limit: 10 })).map((v) => v.id), [third, second, first]);
      assert.deepEqual((await store.lookupMessages({ clientId: acme, limit: 2 })).map((v) => v.id), [third, second], 'limit');
      assert.deepEqual((await store.lookupMessages({ clientId: acme, recipient: '79160000001', limit: 10 })).map((v) => v.id), [third, first]);
      assert.deepEqual((await store.lookupMessages({ clientId: acme, clientRef: 'order-1', limit: 10 })).map((v) => v.id), [second, first]);
      assert.deepEqual((await store.lookupMessages({ clientId: acme, clientRef: 'order-1', recipient: '79160000002', limit: 10 })).map((v) => v.id), [second]);
      assert.deepEqual(await store.lookupMessages({ clientId: 'nobody' as ClientId, limit: 10 }), []);
    }));

  test('admin: cancelMt ends a READY or WAITING message cancelled, with history and DLR event; never one in flight', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const ready = await enqueue(store, 'acme');
      const waiting = await enqueue(store, 'acme', { notBefore: new Date(Date.now() + HOUR_MS) });
      assert.deepEqual(await store.cancelMt(ready, 'cancelled by ops: wrong text'), { kind: 'done', status: 'cancelled' });
      assert.deepEqual(await store.cancelMt(waiting, 'cancelled by ops'), { kind: 'done', status: 'cancelled' });
      const view = await store.findMessage(acme, { id: ready });
      assert.equal(view?.status, 'cancelled');
      assert.equal(view?.queueState, 'PROCESSED');
      assert.equal(view?.reason, 'cancelled by ops: wrong text');
      assert.ok(view?.doneAt);
      assert.deepEqual(view?.history.at(-1) && [view.history.at(-1)?.status, view.history.at(-1)?.detail], ['cancelled', 'cancelled by ops: wrong text']);
      assert.equal((await store.clientBalance(acme)).queued, 0);
      const epoch = await store.acquireBindEpoch(bind0);
      assert.deepEqual(await store.claimMt(claimOf(epoch)), [], 'a cancelled message is never claimed');
      assert.equal((await dlrStatuses(store)).get(ready), 'cancelled', 'the client asked for receipts: it is told');

      const inFlight = await enqueue(store, 'acme');
      await store.claimMt(claimOf(epoch));
      const refused = await store.cancelMt(inFlight, 'too late');
      assert.equal(refused.kind, 'refused');
      assert.equal((await store.findMessage(acme, { id: inFlight }))?.queueState, 'IN_FLIGHT');
      assert.equal((await store.cancelMt(ready, 'again')).kind, 'refused', 'a final message stays as it is');
      assert.deepEqual(await store.cancelMt('no-such-id' as MessageId, 'x'), { kind: 'not_found' });
    }));

  test('admin: requeueMt makes failed (also from the exception queue) and in-doubt messages READY with a fresh retry budget', () =>
    withStore(factory, { queue: { maxRetries: 0, retryDelayMs: 0, retentionMs: HOUR_MS } }, async (store) => {
      await provision(store);
      const epoch = await store.acquireBindEpoch(bind0);
      const rejected = await enqueue(store, 'acme');
      await store.claimMt(claimOf(epoch));
      await store.nackMt(bind0, epoch, [{ id: rejected, disposition: { kind: 'fail', status: 'failed', errorCode: 8, reason: 'system error' } }]);
      const exhausted = await enqueue(store, 'acme');
      await store.claimMt(claimOf(epoch));
      await store.nackMt(bind0, epoch, [{ id: exhausted, disposition: { kind: 'retry' } }]);
      assert.equal((await store.findMessage(acme, { id: exhausted }))?.queueState, 'EXCEPTION');
      const doubtful = await enqueue(store, 'acme');
      await store.claimMt(claimOf(epoch, 30));
      await sleep(60);
      await store.sweepMt();
      assert.equal((await store.findMessage(acme, { id: doubtful }))?.status, 'in_doubt');

      for (const id of [rejected, exhausted, doubtful]) {
        assert.deepEqual(await store.requeueMt(id, 'resent by ops'), { kind: 'done', status: 'accepted' });
        const view = await store.findMessage(acme, { id });
        assert.equal(view?.status, 'accepted');
        assert.equal(view?.queueState, 'READY');
        assert.equal(view?.doneAt, null);
        assert.equal(view?.errorCode, null);
        assert.deepEqual([view?.history.at(-1)?.status, view?.history.at(-1)?.detail], ['accepted', 'resent by ops']);
      }
      const claimed = await store.claimMt(claimOf(epoch));
      assert.deepEqual(claimed.map((m) => m.id).sort(), [rejected, exhausted, doubtful].sort());
      assert.ok(claimed.every((m) => m.attempt === 1), 'attempts start over');
      assert.equal((await store.requeueMt(rejected, 'twice')).kind, 'refused', 'in flight again: not resent twice');
    }));

  test('admin: requeueMt refuses other statuses and messages past their validity', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const queued = await enqueue(store, 'acme');
      const refused = await store.requeueMt(queued, 'x');
      assert.deepEqual(refused, { kind: 'refused', status: 'accepted', why: 'only failed or in-doubt messages are resent' });
      const epoch = await store.acquireBindEpoch(bind0);
      const shortLived = await enqueue(store, 'acme', { expiresAt: new Date(Date.now() + 150) });
      await store.cancelMt(queued, 'out of the way');
      await store.claimMt(claimOf(epoch));
      await store.nackMt(bind0, epoch, [{ id: shortLived, disposition: { kind: 'fail', status: 'failed', errorCode: 8, reason: 'x' } }]);
      await sleep(200);
      const late = await store.requeueMt(shortLived, 'x');
      assert.equal(late.kind, 'refused');
      assert.equal(late.kind === 'refused' && late.why, 'its validity period has ended');
      assert.deepEqual(await store.requeueMt('no-such-id' as MessageId, 'x'), { kind: 'not_found' });
    }));
}
