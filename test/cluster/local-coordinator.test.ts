import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createLocalCoordinator } from '../../cluster/coordinator/local/local-coordinator.js';
import type { BindId } from '../../daemon/domain/ids.js';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';

const self = { id: 'n1', site: 'a', weight: 1 };

test('local coordinator: owns every resource, epochs from the store stay monotonic across a restart', async () => {
  const first = await openTestSqliteStore();
  try {
    const coordinator = createLocalCoordinator(self, (resource) => first.store.acquireBindEpoch(resource as BindId));
    await coordinator.start();
    const [a, again] = await Promise.all([coordinator.tryAcquire('route/r1/bind/0'), coordinator.tryAcquire('route/r1/bind/0')]);
    assert.ok(a !== null && again !== null);
    assert.equal(a, again, 'concurrent acquisitions of one resource share one ownership');
    assert.equal(await first.store.currentBindEpoch('route/r1/bind/0' as BindId), a.epoch);
    assert.equal(a.validUntilMs(), Number.POSITIVE_INFINITY);
    assert.deepEqual(coordinator.members(), [self]);
    assert.equal(coordinator.owners().get('route/r1/bind/0')?.nodeId, 'n1');

    await a.release();
    assert.equal(a.lost.aborted, true);
    assert.equal(a.lost.reason, 'released');
    assert.equal(coordinator.owned().length, 0);
    const b = await coordinator.tryAcquire('route/r1/bind/0');
    assert.ok(b !== null && b.epoch > a.epoch, 're-acquiring raises the epoch');
    assert.equal(coordinator.status().phase, 'live');
    await coordinator.close();
    assert.equal(coordinator.status().phase, 'closed');
    assert.equal(b.lost.reason, 'released');
    assert.equal(await coordinator.tryAcquire('route/r1/bind/0'), null, 'a closed coordinator owns nothing');

    await first.store.close();
    const reopened = await openTestSqliteStore({ reopen: first.database });
    try {
      const restarted = createLocalCoordinator(self, (resource) => reopened.store.acquireBindEpoch(resource as BindId));
      const c = await restarted.tryAcquire('route/r1/bind/0');
      assert.ok(c !== null && c.epoch > b.epoch, 'the epoch survives a restart');
      await restarted.close();
    } finally {
      await reopened.cleanup();
    }
  } finally {
    await first.cleanup().catch(() => undefined);
  }
});

test('local coordinator: watch hears acquisitions and releases', async () => {
  let epoch = 0;
  const coordinator = createLocalCoordinator(self, () => Promise.resolve(++epoch));
  let calls = 0;
  const unsubscribe = coordinator.watch(() => calls++);
  await Promise.resolve();
  assert.equal(calls, 1, 'called once on subscribing');
  const ownership = await coordinator.tryAcquire('pool/p1/active');
  assert.equal(calls, 2);
  await ownership?.release();
  assert.equal(calls, 3);
  unsubscribe();
  await coordinator.tryAcquire('pool/p1/active');
  assert.equal(calls, 3);
  await coordinator.close();
});
