import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { PayoutRequest } from '../../daemon/storage/payout-port.js';
import type { Store } from '../../daemon/storage/port.js';
import { clientPut } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const acme = 'acme' as ClientId;

function payout(id: string, amountMinor = 1000, overrides: Partial<PayoutRequest> = {}): PayoutRequest {
  return { id, clientId: acme, subscriber: '79161234567', amountMinor, currency: 'RUB', reason: 'prize', scenarioId: null, moId: null, ...overrides };
}

async function provision(store: Store, budget: number | null = 2500): Promise<void> {
  await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { shortCodes: ['7700'], keywords: [] }) }]);
  if (budget !== null) await store.setPayoutBudget(acme, 'RUB', budget);
}

export function definePayoutTests(factory: StoreFactory): void {
  test('payouts: requests within the budget are requested, the rest failed as over budget; an id is one payout', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      assert.deepEqual(await store.requestPayout(payout('p1')), { kind: 'requested' });
      assert.deepEqual(await store.requestPayout(payout('p1')), { kind: 'duplicate', state: 'requested' });
      assert.deepEqual(await store.requestPayout(payout('p2', 1500)), { kind: 'requested' });
      assert.deepEqual(await store.requestPayout(payout('p3', 1)), { kind: 'over-budget' });
      assert.deepEqual(await store.requestPayout(payout('p4', 1, { currency: 'USD' })), { kind: 'over-budget' });
      assert.deepEqual(await store.payoutBudget(acme), { clientId: acme, currency: 'RUB', budgetMinor: 2500, committedMinor: 2500 });
      const failed = await store.listPayouts({ state: 'failed', limit: 10 });
      assert.deepEqual(failed.map((p) => [p.id, p.lastError]), [['p4', 'over budget'], ['p3', 'over budget']]);
      assert.deepEqual((await store.listPayouts({ clientId: acme, limit: 2 })).map((p) => p.id), ['p4', 'p3']);
      // A raised budget lets a failed payout be retried.
      assert.equal(await store.retryPayout('p3'), 'over-budget');
      await store.setPayoutBudget(acme, 'RUB', 3000);
      assert.equal(await store.retryPayout('p3'), 'requested');
      assert.equal(await store.retryPayout('p3'), 'not-failed');
      assert.equal(await store.retryPayout('nope'), 'not-found');
    }));

  test('payouts: a client without a budget gets none', () =>
    withStore(factory, {}, async (store) => {
      await provision(store, null);
      assert.equal(await store.payoutBudget(acme), null);
      assert.deepEqual(await store.requestPayout(payout('p1', 1)), { kind: 'over-budget' });
    }));

  test('payouts: claims lease due payouts; outcomes move them through sent to confirmed or failed', () =>
    withStore(factory, {}, async (store) => {
      await provision(store, 100_000);
      for (const id of ['a', 'b', 'c']) await store.requestPayout(payout(id));
      const first = await store.claimPayouts({ owner: 'w1', limit: 2, leaseMs: 60_000 });
      assert.deepEqual(first.map((p) => [p.id, p.state, p.attempts]), [['a', 'requested', 0], ['b', 'requested', 0]]);
      assert.deepEqual((await store.claimPayouts({ owner: 'w2', limit: 10, leaseMs: 60_000 })).map((p) => p.id), ['c']);
      assert.equal(await store.completePayoutAttempt('a', 'w2', { kind: 'confirmed', providerRef: 'x' }), false);
      assert.equal(await store.completePayoutAttempt('a', 'w1', { kind: 'sent', providerRef: 'ref-a', recheckAfterMs: 0 }), true);
      assert.equal(await store.completePayoutAttempt('b', 'w1', { kind: 'retry', delayMs: 60_000, error: 'HTTP 503' }), true);
      assert.equal(await store.completePayoutAttempt('c', 'w2', { kind: 'failed', error: 'rejected' }), true);
      // a is due again (to reconcile); b waits for its retry; c is final.
      const again = await store.claimPayouts({ owner: 'w1', limit: 10, leaseMs: 60_000 });
      assert.deepEqual(again.map((p) => [p.id, p.state, p.attempts, p.providerRef]), [['a', 'sent', 1, 'ref-a']]);
      assert.equal(await store.completePayoutAttempt('a', 'w1', { kind: 'confirmed', providerRef: null }), true);
      const all = await store.listPayouts({ limit: 10 });
      assert.deepEqual(all.map((p) => [p.id, p.state, p.attempts, p.providerRef, p.lastError]), [
        ['c', 'failed', 1, null, 'rejected'], ['b', 'requested', 1, null, 'HTTP 503'], ['a', 'confirmed', 1, 'ref-a', null],
      ]);
      // Failed payouts leave the budget; the others stay in it.
      assert.equal((await store.payoutBudget(acme))?.committedMinor, 2000);
    }));

  test('payouts: a lapsed lease makes a payout due again', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      await store.requestPayout(payout('p1'));
      assert.equal((await store.claimPayouts({ owner: 'dead', limit: 10, leaseMs: 30 })).length, 1);
      assert.equal((await store.claimPayouts({ owner: 'w', limit: 10, leaseMs: 60_000 })).length, 0);
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.deepEqual((await store.claimPayouts({ owner: 'w', limit: 10, leaseMs: 60_000 })).map((p) => p.id), ['p1']);
      assert.equal(await store.completePayoutAttempt('p1', 'dead', { kind: 'confirmed', providerRef: null }), false);
    }));

  test('payouts: a scenario step requests its payouts in the same transaction, once per MO', () =>
    withStore(factory, {}, async (store) => {
      await provision(store, 1000);
      await store.applyProvisioning([{
        op: 'scenario.put',
        scenario: { id: 'refund', clientId: acme, source: { states: [{ id: 's' }] }, bindings: [{ shortCode: '7700', keyword: null, forward: false }], disabled: false },
      }]);
      const step = {
        scenarioId: 'refund', moId: 'mo-1', subscriber: '79000000001', expectedRevision: 0, state: { json: '{}', stateId: 's', score: 0 },
        disposition: 'answered', counted: true, tallies: [], entries: [], replies: [], at: new Date(),
        payouts: [{ amountMinor: 600, currency: 'RUB', reason: 'refund' }, { amountMinor: 600, currency: 'RUB', reason: 'bonus' }],
      };
      assert.equal((await store.applyScenarioStep(step)).kind, 'applied');
      assert.equal((await store.applyScenarioStep(step)).kind, 'duplicate');
      const list = await store.listPayouts({ limit: 10 });
      assert.deepEqual(list.map((p) => [p.id, p.subscriber, p.amountMinor, p.state, p.scenarioId, p.moId, p.reason]), [
        ['scenario:refund:mo-1:1', '79000000001', 600, 'failed', 'refund', 'mo-1', 'bonus'],
        ['scenario:refund:mo-1:0', '79000000001', 600, 'requested', 'refund', 'mo-1', 'refund'],
      ]);
    }));
}
