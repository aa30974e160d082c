import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { Store } from '../../daemon/storage/port.js';
import type { ScenarioPut, ScenarioStepInput } from '../../daemon/storage/scenario-port.js';
import { clientPut, everyChannel, mo, route } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const acme = 'acme' as ClientId;

function scenario(overrides: Partial<ScenarioPut> = {}): ScenarioPut {
  return {
    id: 'song-vote',
    clientId: acme,
    source: { use: 'vote', params: { options: { A: ['1'], B: ['2'] } } },
    bindings: [{ shortCode: '4242', keyword: 'VOTE', forward: false }],
    disabled: false,
    ...overrides,
  };
}

function stepInput(overrides: Partial<ScenarioStepInput> = {}): ScenarioStepInput {
  return {
    scenarioId: 'song-vote',
    moId: 'mo-1',
    subscriber: '79161234567',
    expectedRevision: 0,
    state: { json: '{"state":"voting"}', stateId: 'voting', score: 0 },
    disposition: 'answered',
    counted: true,
    tallies: [{ key: 'A', by: 1 }],
    entries: [],
    replies: ['Thank you'],
    at: new Date(),
    ...overrides,
  };
}

async function provision(store: Store): Promise<void> {
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    { op: 'client.put', client: clientPut('acme', { shortCodes: ['7700'], keywords: [{ shortCode: '4242', keyword: 'VOTE' }] }) },
    { op: 'client.put', client: clientPut('other', { login: 'other', urlToken: 'url-other', shortCodes: ['7711'], keywords: [] }) },
    { op: 'scenario.put', scenario: scenario() },
  ]);
}

export function defineScenarioTests(factory: StoreFactory): void {
  test('scenarios: a put stores a new version only when something changed; bindings follow the current one', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const v1 = await store.applyProvisioning([{ op: 'scenario.put', scenario: scenario() }]);
      assert.ok(v1 > 0);
      assert.deepEqual((await store.scenarioVersions('song-vote')).map((s) => s.version), [1]);
      await store.applyProvisioning([{ op: 'scenario.put', scenario: scenario({ bindings: [{ shortCode: '7700', keyword: null, forward: true }] }) }]);
      const [current, ...more] = await store.loadScenarios();
      assert.deepEqual(more, []);
      assert.deepEqual([current?.id, current?.version, current?.clientId, current?.disabled], ['song-vote', 2, acme, false]);
      assert.deepEqual(current?.bindings, [{ shortCode: '7700', keyword: null, forward: true }]);
      assert.deepEqual(current?.source, { use: 'vote', params: { options: { A: ['1'], B: ['2'] } } });
      assert.deepEqual((await store.scenarioVersions('song-vote')).map((s) => s.bindings[0]?.shortCode), ['4242', '7700']);
    }));

  test('scenarios: a definition reads back as written, its keys in their order, so that an unchanged put is no new version', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const source = { states: [{ id: 'ask', answers: [{ match: { any: true }, reply: 'ok' }] }], kind: 'custom', a: 1 };
      await store.applyProvisioning([{ op: 'scenario.put', scenario: scenario({ source }) }]);
      await store.applyProvisioning([{ op: 'scenario.put', scenario: scenario({ source }) }]);
      const [current] = await store.loadScenarios();
      assert.equal(JSON.stringify(current?.source), JSON.stringify(source));
      assert.deepEqual((await store.scenarioVersions('song-vote')).map((s) => s.version), [1, 2]);
    }));

  test('scenarios: a put is refused when the client does not own the binding, or another scenario holds it', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const before = await store.provisioningVersion();
      await assert.rejects(
        store.applyProvisioning([{ op: 'scenario.put', scenario: scenario({ id: 'stolen', bindings: [{ shortCode: '7711', keyword: null, forward: false }] }) }]),
        /does not own short code 7711/,
      );
      await assert.rejects(store.applyProvisioning([{ op: 'scenario.put', scenario: scenario({ id: 'second' }) }]), /bound to scenario "song-vote"/);
      await assert.rejects(store.applyProvisioning([{ op: 'scenario.put', scenario: scenario({ id: 'orphan', clientId: 'nobody' as ClientId }) }]), /does not exist/);
      assert.equal(await store.provisioningVersion(), before);
      // Disabling frees the binding for another scenario.
      await store.applyProvisioning([{ op: 'scenario.put', scenario: scenario({ disabled: true }) }, { op: 'scenario.put', scenario: scenario({ id: 'second' }) }]);
      assert.deepEqual((await store.loadScenarios()).map((s) => [s.id, s.disabled]), [['second', false], ['song-vote', true]]);
    }));

  test('scenarios: a step counts once per MO id; a redelivery returns the replies recorded the first time', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      assert.deepEqual(await store.loadScenarioSubscriber('song-vote', '79161234567'), { state: null, revision: 0 });
      assert.deepEqual(await store.applyScenarioStep(stepInput()), { kind: 'applied' });
      assert.deepEqual(await store.applyScenarioStep(stepInput({ replies: ['other'] })), { kind: 'duplicate', replies: ['Thank you'] });
      const stored = await store.loadScenarioSubscriber('song-vote', '79161234567');
      assert.deepEqual(stored, { state: '{"state":"voting"}', revision: 1 });
      const results = await store.scenarioResults('song-vote', { leaderboard: 10 });
      assert.deepEqual(results.tallies, { A: 1 });
      assert.deepEqual(results.steps, { answered: 1 });
      assert.deepEqual(results.states, { voting: 1 });
    }));

  test('scenarios: a step computed from a stale revision is a conflict and changes nothing', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      assert.equal((await store.applyScenarioStep(stepInput())).kind, 'applied');
      // Two nodes both read revision 0 for the same subscriber; the second loses.
      assert.deepEqual(await store.applyScenarioStep(stepInput({ moId: 'mo-2', tallies: [{ key: 'B', by: 1 }] })), { kind: 'conflict' });
      assert.deepEqual(await store.applyScenarioStep(stepInput({ moId: 'mo-2', expectedRevision: 5 })), { kind: 'conflict' });
      assert.deepEqual((await store.scenarioResults('song-vote', { leaderboard: 10 })).tallies, { A: 1 });
      // Read again and retried, it applies (the MO id was not taken by the conflict).
      assert.equal((await store.applyScenarioStep(stepInput({ moId: 'mo-2', expectedRevision: 1, tallies: [{ key: 'B', by: 1 }] }))).kind, 'applied');
      assert.deepEqual((await store.scenarioResults('song-vote', { leaderboard: 10 })).tallies, { A: 1, B: 1 });
      // A step that leaves the state alone (a closed window) is recorded without a revision check.
      assert.equal((await store.applyScenarioStep(stepInput({ moId: 'mo-3', state: null, disposition: 'closed', counted: false, tallies: [] }))).kind, 'applied');
      assert.deepEqual((await store.scenarioResults('song-vote', { leaderboard: 10 })).steps, { answered: 2, closed: 1 });
    }));

  test('scenarios: scores make a leaderboard, entries are listed in id order, draws are kept once each', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const at = Date.now();
      const player = (subscriber: string, score: number, moId: string, offset: number): ScenarioStepInput =>
        stepInput({ subscriber, moId, at: new Date(at + offset), state: { json: '{}', stateId: 'q2', score }, tallies: [], entries: ['entry'] });
      await store.applyScenarioStep(player('79000000001', 2, 'm-b', 0));
      await store.applyScenarioStep(player('79000000002', 3, 'm-a', 1));
      await store.applyScenarioStep(player('79000000003', 2, 'm-c', 2));
      const results = await store.scenarioResults('song-vote', { leaderboard: 2 });
      assert.deepEqual(results.leaderboard, [{ subscriber: '79000000002', score: 3 }, { subscriber: '79000000001', score: 2 }]);
      assert.equal(results.entries, 3);
      const entries = await store.scenarioEntries('song-vote');
      assert.deepEqual(entries.map((e) => [e.id, e.subscriber, e.label]), [['m-a/0', '79000000002', 'entry'], ['m-b/0', '79000000001', 'entry'], ['m-c/0', '79000000003', 'entry']]);
      const draw = {
        scenarioId: 'song-vote', drawId: 'final', seed: 'abc', entriesHash: 'h', entryCount: 3,
        winners: [{ id: 'm-a/0', subscriber: '79000000002' }], drawnAt: new Date(at),
      };
      await store.recordScenarioDraw(draw);
      await assert.rejects(store.recordScenarioDraw(draw), /already has a draw "final"/);
      assert.deepEqual((await store.scenarioResults('song-vote', { leaderboard: 0 })).draws, [draw]);
    }));

  test('scenarios: an MO recorded with forward false raises no callback event', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      // With an MO URL, so that only `forward: false` stands between the MO and a callback event.
      await store.applyProvisioning([{
        op: 'client.put',
        client: clientPut('acme', { shortCodes: ['7700'], keywords: [{ shortCode: '4242', keyword: 'VOTE' }], moUrl: 'https://example.test/mo' }),
      }]);
      const outcome = await store.recordMo({ ...mo('acme'), forward: false });
      assert.ok(outcome.kind === 'new');
      assert.equal(outcome.eventId, null);
      assert.deepEqual(await store.claimCallbacks({ owner: 's', limit: 10, perClientLimit: 10, leaseMs: 60_000, scope: everyChannel() }), []);
      const forwarded = await store.recordMo(mo('acme'));
      assert.ok(forwarded.kind === 'new' && forwarded.eventId !== null);
      assert.deepEqual((await store.claimCallbacks({ owner: 's', limit: 10, perClientLimit: 10, leaseMs: 60_000, scope: everyChannel() })).map((e) => e.id), [forwarded.eventId]);
    }));
}
