import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { bindIdOf, type ClientId, type RouteId } from '../../daemon/domain/ids.js';
import { clientPut, request, route, submission } from './fixtures.js';
import type { StoreFactory } from './store-factory.js';

export function defineDurabilityTests(factory: StoreFactory): void {
  test('durability: a store closed and reopened keeps provisioning, messages, queue states and epochs', async () => {
    const first = await factory();
    let second: Awaited<ReturnType<StoreFactory>> | null = null;
    try {
      const store = first.store;
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme') }]);
      const kept = submission('acme', 'mts-1', { clientRef: 'ref-1' });
      const claimed = submission('acme', 'mts-1');
      await store.enqueueMt([request('acme', [claimed]), request('acme', [kept], { idempotencyKey: 'k', requestHash: 'h' })]);
      const bind = bindIdOf('mts-1' as RouteId, 0);
      const epoch = await store.acquireBindEpoch(bind);
      await store.claimMt({ routeId: 'mts-1' as RouteId, bindId: bind, epoch, owner: 'n', limit: 1, leaseMs: 60_000 });
      const snapshot = await store.loadProvisioning();
      await store.close();

      second = await factory({ reopen: first.database });
      const reopened = second.store;
      await reopened.migrate();
      assert.deepEqual(await reopened.loadProvisioning(), snapshot);
      assert.equal(await reopened.currentBindEpoch(bind), epoch);
      assert.equal(await reopened.acquireBindEpoch(bind), epoch + 1, 'epochs stay monotonic across restarts');
      assert.equal((await reopened.findMessage('acme' as ClientId, { clientRef: 'ref-1' }))?.queueState, 'READY');
      assert.equal((await reopened.findMessage('acme' as ClientId, { id: claimed.id }))?.queueState, 'IN_FLIGHT');
      const replay = await reopened.enqueueMt([request('acme', [submission('acme', 'mts-1')], { idempotencyKey: 'k', requestHash: 'h' })]);
      assert.deepEqual(replay, [{ kind: 'replayed', ids: [kept.id] }]);
      assert.equal((await reopened.clientBalance('acme' as ClientId)).segmentsUsed, 2);
    } finally {
      await second?.cleanup();
      await first.cleanup();
    }
  });
}
