import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { Payout } from '../../daemon/storage/payout-port.js';
import { openPostgresStore, type PostgresStore } from '../../daemon/storage/postgres/store.js';
import type { ScenarioStepInput } from '../../daemon/storage/scenario-port.js';
import { createTestSchema, dropTestSchema, pgUnreachable, testPgUrl } from '../support/postgres.js';
import { clientPut } from './fixtures.js';
import { defaultStoreTestOptions } from './store-factory.js';

/**
 * Scenarios and payouts on PostgreSQL with several nodes (separate pools) at once: what the
 * conformance suite cannot show on one store — exactly-once steps, the budget and payout leases
 * under real concurrency.
 */

const acme = 'acme' as ClientId;

/** Runs `body` with `count` migrated stores on one fresh schema, provisioned with client acme and scenario `vote`. */
async function withNodes(count: number, body: (stores: PostgresStore[]) => Promise<void>): Promise<void> {
  const schema = await createTestSchema();
  const stores = Array.from({ length: count }, (_, index) => openPostgresStore({
    url: testPgUrl,
    schema,
    poolSize: 4,
    applicationName: `smsproc-test-${schema}-${index}`,
    queue: defaultStoreTestOptions.queue,
    idempotencyRetentionMs: defaultStoreTestOptions.idempotencyRetentionMs,
    demoFreeSegments: 0,
  }));
  try {
    const [first] = stores;
    assert.ok(first);
    await first.migrate();
    await first.applyProvisioning([
      { op: 'client.put', client: clientPut('acme', { shortCodes: ['7700'], keywords: [] }) },
      { op: 'scenario.put', scenario: { id: 'vote', clientId: acme, source: { use: 'vote' }, bindings: [{ shortCode: '7700', keyword: null, forward: false }], disabled: false } },
    ]);
    await body(stores);
  } finally {
    for (const store of stores) await store.close();
    await dropTestSchema(schema);
  }
}

function step(moId: string, overrides: Partial<ScenarioStepInput> = {}): ScenarioStepInput {
  return {
    scenarioId: 'vote', moId, subscriber: '79160000001', expectedRevision: 0, state: { json: '{"voted":true}', stateId: 'voted', score: 0 },
    disposition: 'answered', counted: true, tallies: [{ key: 'A', by: 1 }], entries: ['ticket'], replies: [`reply to ${moId}`], at: new Date(),
    ...overrides,
  };
}

const unreachable = await pgUnreachable();
if (unreachable !== null) {
  console.error(`PostgreSQL scenario and payout tests NOT RUN: no server at ${testPgUrl.replace(/:[^:@/]*@/, ':***@')}: ${unreachable}`);
} else {
  test('PostgreSQL only: one MO applied on four nodes at once counts once; the others get its replies as duplicates', () =>
    withNodes(4, async (stores) => {
      for (let round = 0; round < 5; round += 1) {
        const outcomes = await Promise.all(stores.map((store, node) =>
          store.applyScenarioStep(step(`mo-${round}`, { subscriber: `7916000000${round}`, replies: [`from node ${node}`] }))));
        const applied = outcomes.flatMap((outcome, node) => (outcome.kind === 'applied' ? [node] : []));
        assert.equal(applied.length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
        const replies = [`from node ${applied[0] ?? -1}`];
        for (const outcome of outcomes) if (outcome.kind !== 'applied') assert.deepEqual(outcome, { kind: 'duplicate', replies });
      }
      const [first] = stores;
      assert.ok(first);
      const results = await first.scenarioResults('vote', { leaderboard: 0 });
      assert.deepEqual([results.tallies, results.steps, results.entries], [{ A: 5 }, { answered: 5 }, 5]);
    }));

  test('PostgreSQL only: two MOs of one subscriber computed from the same revision on two nodes: one applies, one conflicts', () =>
    withNodes(2, async (stores) => {
      const outcomes = await Promise.all(stores.map((store, node) => store.applyScenarioStep(step(`mo-${node}`, { tallies: [{ key: `T${node}`, by: 1 }] }))));
      assert.deepEqual(outcomes.map((outcome) => outcome.kind).sort(), ['applied', 'conflict']);
      const [first] = stores;
      assert.ok(first);
      const results = await first.scenarioResults('vote', { leaderboard: 0 });
      // The conflicting step left nothing behind: neither its tally, nor its step row, nor its entry.
      assert.equal(Object.values(results.tallies).reduce((sum, n) => sum + n, 0), 1);
      assert.deepEqual([results.steps, results.entries], [{ answered: 1 }, 1]);
      assert.equal((await first.loadScenarioSubscriber('vote', '79160000001')).revision, 1);
    }));

  test('PostgreSQL only: payout requests from three nodes at once never commit more than the budget', () =>
    withNodes(3, async (stores) => {
      const [first] = stores;
      assert.ok(first);
      await first.setPayoutBudget(acme, 'RUB', 5000);
      const outcomes = await Promise.all(Array.from({ length: 30 }, (_, index) => stores[index % stores.length]?.requestPayout({
        id: `p${index}`, clientId: acme, subscriber: '79160000001', amountMinor: 1000, currency: 'RUB', reason: 'prize', scenarioId: null, moId: null,
      })));
      const kinds = outcomes.map((outcome) => outcome?.kind);
      assert.equal(kinds.filter((kind) => kind === 'requested').length, 5);
      assert.equal(kinds.filter((kind) => kind === 'over-budget').length, 25);
      assert.deepEqual(await first.payoutBudget(acme), { clientId: acme, currency: 'RUB', budgetMinor: 5000, committedMinor: 5000 });
    }));

  test('PostgreSQL only: payout claims on three nodes at once never lease one payout twice', () =>
    withNodes(3, async (stores) => {
      const [first] = stores;
      assert.ok(first);
      await first.setPayoutBudget(acme, 'RUB', 1_000_000);
      for (let index = 0; index < 60; index += 1) {
        await first.requestPayout({ id: `p${index}`, clientId: acme, subscriber: '79160000001', amountMinor: 100, currency: 'RUB', reason: 'prize', scenarioId: null, moId: null });
      }
      const claimed = await Promise.all(stores.map(async (store, node) => {
        const mine: Payout[] = [];
        for (let batch = 0; batch < 30; batch += 1) {
          const got = await store.claimPayouts({ owner: `node-${node}`, limit: 4, leaseMs: 60_000 });
          if (got.length === 0) break;
          mine.push(...got);
        }
        return mine.map((payout) => payout.id);
      }));
      const all = claimed.flat();
      assert.equal(new Set(all).size, all.length, 'a payout was leased twice');
      assert.equal(all.length, 60);
      // Each node completes only what it holds.
      const [ownId] = claimed[0] ?? [];
      assert.ok(ownId !== undefined);
      assert.equal(await stores[1]?.completePayoutAttempt(ownId, 'node-1', { kind: 'confirmed', providerRef: null }), false);
      assert.equal(await stores[0]?.completePayoutAttempt(ownId, 'node-0', { kind: 'confirmed', providerRef: 'r' }), true);
    }));
}
