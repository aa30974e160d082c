import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createLocalCoordinator } from '../../cluster/coordinator/local/local-coordinator.js';
import { CoordinatorUnavailableError, type Coordinator, type CoordinatorStatus } from '../../cluster/coordinator/port.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import { createLogger } from '../../daemon/log.js';
import { clusterBindLimit, fallbackShare, localBindLimit } from '../../daemon/smpp-server/bind-limit.js';

const acme = 'acme' as ClientId;
const other = 'other' as ClientId;
const logger = createLogger('silent');

test('local bind limit: each client up to its maxBinds; a release frees one place, once', async () => {
  const limit = localBindLimit();
  const first = await limit.admit(acme, 2);
  const second = await limit.admit(acme, 2);
  assert.ok(first !== null && second !== null);
  assert.equal(await limit.admit(acme, 2), null, 'a third session is over the limit');
  assert.ok(await limit.admit(other, 1), 'another client counts apart');
  assert.equal(await limit.admit(other, 1), null);

  first.release();
  first.release();
  const third = await limit.admit(acme, 2);
  assert.ok(third !== null, 'the released place is taken again');
  assert.equal(await limit.admit(acme, 2), null, 'a second release of one ticket frees nothing more');
  assert.equal(await limit.admit(acme, 1), null, 'a lowered limit admits nothing while the client holds more');
  second.release();
  third.release();
  assert.ok(await limit.admit(acme, 1));
  await limit.close();
});

test('fallback share: the limit divided by the live nodes, rounded down, at least one', () => {
  assert.equal(fallbackShare(4, 2), 2);
  assert.equal(fallbackShare(5, 2), 2);
  assert.equal(fallbackShare(2, 3), 1);
  assert.equal(fallbackShare(3, 0), 3, 'no node known: this one');
});

/** The local coordinator (real), with an outage switched on and off by the test. */
function switchableCoordinator(): { coordinator: Coordinator; base: Coordinator; setOutage(on: boolean): void } {
  let epoch = 0;
  const base = createLocalCoordinator({ id: 'n1', site: 'a', weight: 1 }, () => Promise.resolve(++epoch));
  let outage = false;
  const coordinator: Coordinator = {
    ...base,
    tryAcquire: (resource) => (outage ? Promise.reject(new CoordinatorUnavailableError('outage')) : base.tryAcquire(resource)),
    // Three nodes known when the outage began.
    members: () => [base.self, { id: 'n2', site: 'a', weight: 1 }, { id: 'n3', site: 'b', weight: 1 }],
    status: (): CoordinatorStatus => (outage ? { phase: 'fenced', validUntilMs: 0 } : base.status()),
  };
  return { coordinator, base, setOutage: (on) => { outage = on; } };
}

const slotsHeld = (coordinator: Coordinator) => coordinator.owned().map((o) => o.resource).sort();

async function eventually(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(check(), what);
}

test('cluster bind limit: each session holds a distinct slot below maxBinds; a released slot is taken again', async () => {
  const { coordinator, base } = switchableCoordinator();
  const limit = clusterBindLimit(coordinator, logger);
  const [a, b, c] = await Promise.all([limit.admit(acme, 2), limit.admit(acme, 2), limit.admit(acme, 2)]);
  assert.ok(a !== null && b !== null, 'two concurrent binds within the limit');
  assert.equal(c, null, 'the third, concurrent with them, is refused');
  assert.deepEqual(slotsHeld(base), ['client-binds/acme/0', 'client-binds/acme/1']);
  a.release();
  await eventually('slot released', () => slotsHeld(base).length === 1);
  const d = await limit.admit(acme, 2);
  assert.ok(d !== null);
  assert.deepEqual(slotsHeld(base), ['client-binds/acme/0', 'client-binds/acme/1']);
  await limit.close();
  await base.close();
});

test('cluster bind limit: in an outage a node admits its share without a slot; back live, the session takes one', async () => {
  const { coordinator, base, setOutage } = switchableCoordinator();
  const limit = clusterBindLimit(coordinator, logger);
  setOutage(true);
  const first = await limit.admit(acme, 4);
  assert.ok(first !== null, 'admitted within the share (4 binds over 3 nodes: 1)');
  assert.equal(await limit.admit(acme, 4), null, 'beyond the share');
  assert.deepEqual(slotsHeld(base), []);

  setOutage(false);
  // Any coordinator change (here an unrelated ownership) lets the slotless session take a slot.
  await base.tryAcquire('route/r1/bind/0');
  await eventually('the outage session holds a slot', () => slotsHeld(base).includes('client-binds/acme/0'));
  const second = await limit.admit(acme, 4);
  assert.ok(second !== null);
  assert.deepEqual(slotsHeld(base).filter((r) => r.startsWith('client-binds/')), ['client-binds/acme/0', 'client-binds/acme/1']);
  first.release();
  second.release();
  await limit.close();
  assert.deepEqual(slotsHeld(base), ['route/r1/bind/0'], 'close waited for the releases');
  await base.close();
});
