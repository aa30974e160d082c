import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import { createLogger } from '../../daemon/log.js';
import { createHttpPayoutProvider } from '../../daemon/scenarios/payout-provider.js';
import { PayoutWorker } from '../../daemon/scenarios/payout-worker.js';
import type { Payout } from '../../daemon/storage/payout-port.js';
import type { Store } from '../../daemon/storage/port.js';
import { startPayoutSimulator, type PayoutSimulatorOptions } from '../../ops/payout-sim/simulator.js';
import { clientPut } from '../storage/fixtures.js';
import { openTestPostgresStore } from '../storage/postgres-factory.js';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import type { StoreFactory } from '../storage/store-factory.js';
import { pgUnreachable } from '../support/postgres.js';

const acme = 'acme' as ClientId;

async function withWorld(factory: StoreFactory, simOptions: Partial<PayoutSimulatorOptions>, body: (store: Store, tick: () => Promise<number>, sim: Awaited<ReturnType<typeof startPayoutSimulator>>) => Promise<void>): Promise<void> {
  const handle = await factory();
  const sim = await startPayoutSimulator(simOptions);
  try {
    await handle.store.applyProvisioning([{ op: 'client.put', client: clientPut('acme') }]);
    await handle.store.setPayoutBudget(acme, 'RUB', 1_000_000);
    const worker = new PayoutWorker({
      store: handle.store,
      provider: createHttpPayoutProvider(sim.url, 2_000),
      owner: 'test',
      logger: createLogger('silent'),
      options: { pollIntervalMs: 50, batch: 10, leaseMs: 10_000, maxSendAttempts: 3, retryBaseMs: 0, retryMaxMs: 0, recheckAfterMs: 0 },
    });
    await body(handle.store, () => worker.tick(), sim);
  } finally {
    await sim.close();
    await handle.cleanup();
  }
}

async function request(store: Store, id: string, subscriber = '79000000001'): Promise<void> {
  assert.equal((await store.requestPayout({ id, clientId: acme, subscriber, amountMinor: 5000, currency: 'RUB', reason: 'prize', scenarioId: null, moId: null })).kind, 'requested');
}

async function payoutOf(store: Store, id: string): Promise<Payout | undefined> {
  return (await store.listPayouts({ limit: 100 })).find((p) => p.id === id);
}

const stores: [string, StoreFactory][] = [['sqlite', openTestSqliteStore]];
const unreachable = await pgUnreachable();
if (unreachable === null) stores.push(['postgres', openTestPostgresStore]);
else console.error(`payout e2e tests on PostgreSQL NOT RUN: no server at the test URL: ${unreachable}`);

for (const [kind, factory] of stores) {
  test(`payouts (${kind}): an unavailable provider is retried and a lost answer resent with the same key: one payout, confirmed`, () =>
    withWorld(factory, { unavailableFirst: 1, loseAnswerFirst: 1 }, async (store, tick, sim) => {
      await request(store, 'p1');
      assert.equal(await tick(), 1); // 503
      assert.equal((await payoutOf(store, 'p1'))?.state, 'requested');
      assert.equal(await tick(), 1); // accepted, answer lost (500)
      assert.equal(await tick(), 1); // resent: the same payout, confirmed
      const payout = await payoutOf(store, 'p1');
      assert.deepEqual([payout?.state, payout?.attempts, payout?.providerRef], ['confirmed', 3, 'sim-1']);
      assert.equal(sim.payouts.size, 1);
      assert.equal(sim.requests.sends, 3);
      assert.equal(await tick(), 0);
    }));

  test(`payouts (${kind}): a pending payout is reconciled until confirmed; a rejected number fails`, () =>
    withWorld(factory, { confirmAfterMs: 300, rejectPrefixes: ['7999'] }, async (store, tick, sim) => {
      await request(store, 'slow');
      await request(store, 'refused', '79990000000');
      await tick();
      assert.equal((await payoutOf(store, 'slow'))?.state, 'sent');
      assert.deepEqual([(await payoutOf(store, 'refused'))?.state, (await payoutOf(store, 'refused'))?.lastError], ['failed', 'number not served']);
      await tick();
      assert.equal((await payoutOf(store, 'slow'))?.state, 'sent');
      await new Promise((resolve) => setTimeout(resolve, 320));
      await tick();
      assert.equal((await payoutOf(store, 'slow'))?.state, 'confirmed');
      assert.ok(sim.requests.statuses >= 2);
    }));

  test(`payouts (${kind}): sends that never get an answer leave the payout to reconciliation, which fails it when the provider has no record`, () =>
    withWorld(factory, { unavailableFirst: 3 }, async (store, tick, sim) => {
      await request(store, 'p1');
      await tick();
      await tick();
      assert.equal((await payoutOf(store, 'p1'))?.state, 'requested');
      await tick(); // the third unavailable send: maybe paid, so reconcile rather than fail
      assert.equal((await payoutOf(store, 'p1'))?.state, 'sent');
      await tick(); // the provider is back and has never seen it
      const payout = await payoutOf(store, 'p1');
      assert.deepEqual([payout?.state, payout?.lastError], ['failed', 'the provider has no record of this payout']);
      assert.equal(sim.payouts.size, 0);
      // An operator retries it: sent again with the same key, and paid once.
      assert.equal(await store.retryPayout('p1'), 'requested');
      await tick();
      assert.equal((await payoutOf(store, 'p1'))?.state, 'confirmed');
      assert.equal(sim.payouts.size, 1);
    }));
}
