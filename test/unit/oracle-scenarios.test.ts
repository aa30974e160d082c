import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Errors, SmsprocError } from '../../daemon/domain/errors.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { Binds } from '../../daemon/storage/oracle/aq-session.js';
import { OracleStore } from '../../daemon/storage/oracle/store.js';
import type { ScenarioPut, ScenarioStepInput } from '../../daemon/storage/scenario-port.js';
import { mo } from '../storage/fixtures.js';
import { FakeAq, oracleError, type Handler } from './oracle-fake-session.js';

/**
 * Oracle adapter only: the order of the statements of a scenario step, a scenario.put, a payout
 * request and an MO that is not forwarded, against the fake session — what makes a step count once
 * across nodes (the step row first, ORA-00001 a duplicate), a conflict change nothing, and a budget
 * check hold when two nodes request at once (the budget row locked before the check).
 */

const settings = { queue: { maxRetries: 2, retryDelayMs: 30_000, retentionMs: 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 10 };
const affected = (count: number): Handler => () => ({ rows: [], rowsAffected: count });
const rows = (...list: Record<string, unknown>[]): Handler => () => ({ rows: list, rowsAffected: 0 });
const unique = (): Error => oracleError('ORA-00001', 'unique constraint violated');

function storeOn(aq: FakeAq): OracleStore {
  return new OracleStore(aq.pool(), settings);
}

function step(overrides: Partial<ScenarioStepInput> = {}): ScenarioStepInput {
  return {
    scenarioId: 'quiz', moId: 'mo-1', subscriber: '7916', expectedRevision: 0, state: { json: '{}', stateId: 'q2', score: 1 },
    disposition: 'answered', counted: true, tallies: [{ key: 'right', by: 1 }], entries: ['ticket'], replies: ['Correct'], at: new Date(),
    ...overrides,
  };
}

/** The statements and transaction calls of the log, without the release. */
function trail(aq: FakeAq): string[] {
  return aq.log.filter((entry) => entry !== 'release').map((entry) => entry.replace(/^execute /, ''));
}

test('Oracle scenarios: a step writes its key first, then the subscriber, tallies, entries and payouts, in one transaction', async () => {
  const aq = new FakeAq();
  aq.handlers.set('scenarios.insertSubscriber', affected(1));
  aq.handlers.set('scenarios.currentOf', rows({ CLIENT_ID: 'acme' }));
  aq.handlers.set('payouts.lockBudget', rows({ CURRENCY: 'RUB', BUDGET_MINOR: 100 }));
  const inserted: Binds[] = [];
  aq.handlers.set('payouts.insert', (binds) => {
    inserted.push(binds);
    return { rows: [], rowsAffected: 1 };
  });
  const outcome = await storeOn(aq).applyScenarioStep(step({ payouts: [{ amountMinor: 100, currency: 'RUB', reason: 'prize' }] }));
  assert.deepEqual(outcome, { kind: 'applied' });
  assert.deepEqual(trail(aq), [
    'scenarios.insertStep', 'scenarios.insertSubscriber', 'scenarios.addTally', 'executeMany scenarios.insertEntry x1', 'scenarios.currentOf',
    'payouts.find', 'payouts.lockBudget', 'payouts.committed', 'payouts.insert', 'commit',
  ]);
  assert.deepEqual([inserted[0]?.id, inserted[0]?.state, inserted[0]?.mo_id], ['scenario:quiz:mo-1:0', 'requested', 'mo-1']);
});

test('Oracle scenarios: a step whose MO another node applied first is a duplicate that writes nothing', async () => {
  const aq = new FakeAq();
  aq.failNext.set('scenarios.insertStep', unique());
  aq.handlers.set('scenarios.stepOf', rows({ REPLIES: '["Correct"]' }));
  assert.deepEqual(await storeOn(aq).applyScenarioStep(step()), { kind: 'duplicate', replies: ['Correct'] });
  assert.deepEqual(trail(aq), ['scenarios.insertStep', 'scenarios.stepOf', 'commit']);
});

test('Oracle scenarios: a moved revision takes the step back out (the MO id stays free) and adds nothing', async () => {
  const aq = new FakeAq();
  aq.handlers.set('scenarios.updateSubscriber', affected(0));
  assert.deepEqual(await storeOn(aq).applyScenarioStep(step({ expectedRevision: 3 })), { kind: 'conflict' });
  assert.deepEqual(trail(aq), ['scenarios.insertStep', 'scenarios.updateSubscriber', 'scenarios.dropStep', 'commit']);
  // A first step for a subscriber another step created meanwhile (here or on another node): ORA-00001.
  const racing = new FakeAq();
  racing.failNext.set('scenarios.insertSubscriber', unique());
  assert.deepEqual(await storeOn(racing).applyScenarioStep(step()), { kind: 'conflict' });
  assert.deepEqual(trail(racing), ['scenarios.insertStep', 'scenarios.insertSubscriber', 'scenarios.dropStep', 'commit']);
});

test('Oracle scenarios: tallies are added in key order; a MERGE that loses the race for a new key runs again', async () => {
  const aq = new FakeAq();
  aq.handlers.set('scenarios.insertSubscriber', affected(1));
  const keys: unknown[] = [];
  aq.handlers.set('scenarios.addTally', (binds) => (keys.push(binds.tally_key), { rows: [], rowsAffected: 1 }));
  aq.failNext.set('scenarios.addTally', unique());
  const tallies = [{ key: 'b', by: 1 }, { key: 'B', by: 1 }, { key: 'a', by: 2 }];
  assert.deepEqual(await storeOn(aq).applyScenarioStep(step({ entries: [], tallies })), { kind: 'applied' });
  // The first run of 'B' failed before its handler; the second run added it.
  assert.deepEqual(keys, ['B', 'a', 'b']);
  assert.equal(trail(aq).filter((entry) => entry.includes('addTally')).length, 4);
});

test('Oracle scenarios: a step that leaves the state alone writes no subscriber; other failures roll the step back', async () => {
  const aq = new FakeAq();
  assert.deepEqual(await storeOn(aq).applyScenarioStep(step({ state: null, tallies: [], entries: [] })), { kind: 'applied' });
  assert.deepEqual(trail(aq), ['scenarios.insertStep', 'executeMany scenarios.insertEntry x0', 'commit']);
  const broken = new FakeAq();
  broken.failNext.set('scenarios.insertStep', oracleError('ORA-01400', 'cannot insert NULL'));
  await assert.rejects(storeOn(broken).applyScenarioStep(step()), /ORA-01400/);
  assert.deepEqual(trail(broken), ['scenarios.insertStep', 'rollback']);
});

const put: ScenarioPut = {
  id: 'quiz', clientId: 'acme' as ClientId, source: { use: 'quiz' }, disabled: false,
  bindings: [{ shortCode: '7700', keyword: null, forward: false }, { shortCode: '4242', keyword: 'QUIZ', forward: true }],
};

function provisioned(aq: FakeAq): void {
  aq.handlers.set('scenarios.clientCodes', rows({ SHORT_CODES: '["7700"]', KEYWORDS: '[{"shortCode":"4242","keyword":"QUIZ"}]' }));
}

test('Oracle scenarios: a put stores version n+1 and rebinds with NULL for the whole short code; the same put again writes nothing', async () => {
  const aq = new FakeAq();
  provisioned(aq);
  aq.handlers.set('scenarios.currentOf', rows({
    SCENARIO_ID: 'quiz', VERSION: 4, CLIENT_ID: 'acme', SOURCE: '{"use":"vote"}', BINDINGS: '[]', DISABLED: 0, CREATED_AT: new Date(),
  }));
  const versions: Binds[] = [];
  const bindings: Binds[] = [];
  aq.handlers.set('scenarios.insertVersion', (binds) => (versions.push(binds), { rows: [], rowsAffected: 1 }));
  aq.handlers.set('scenarios.insertBinding', (binds) => (bindings.push(binds), { rows: [], rowsAffected: 1 }));
  await storeOn(aq).applyProvisioning([{ op: 'scenario.put', scenario: put }]);
  assert.equal(versions[0]?.version, 5);
  assert.deepEqual(bindings.map((binds) => [binds.short_code, binds.keyword, binds.forward]), [['7700', null, 0], ['4242', 'QUIZ', 1]]);
  const same = new FakeAq();
  provisioned(same);
  same.handlers.set('scenarios.currentOf', rows({
    SCENARIO_ID: 'quiz', VERSION: 5, CLIENT_ID: 'acme', SOURCE: String(versions[0]?.source), BINDINGS: String(versions[0]?.bindings), DISABLED: 0, CREATED_AT: new Date(),
  }));
  await storeOn(same).applyProvisioning([{ op: 'scenario.put', scenario: put }]);
  assert.deepEqual(trail(same), ['provisioning.lockVersion', 'scenarios.clientCodes', 'scenarios.currentOf', 'provisioning.bumpVersion', 'provisioning.selectVersion', 'commit']);
});

test('Oracle scenarios: a put on a binding another scenario holds, or one the client does not own, is PROVISIONING_INVALID and rolls back', async () => {
  const held = new FakeAq();
  provisioned(held);
  held.handlers.set('scenarios.bindingOwner', rows({ SCENARIO_ID: 'vote' }));
  await assert.rejects(storeOn(held).applyProvisioning([{ op: 'scenario.put', scenario: put }]), (error: unknown) => {
    assert.ok(error instanceof SmsprocError);
    assert.equal(error.definition, Errors.PROVISIONING_INVALID);
    assert.match(error.message, /7700 is bound to scenario "vote"/);
    return true;
  });
  assert.ok(held.log.includes('rollback') && !held.log.includes('commit'));
  const foreign = new FakeAq();
  provisioned(foreign);
  await assert.rejects(
    storeOn(foreign).applyProvisioning([{ op: 'scenario.put', scenario: { ...put, bindings: [{ shortCode: '7711', keyword: null, forward: false }] } }]),
    /does not own short code 7711/,
  );
  assert.ok(!foreign.log.includes('execute scenarios.insertVersion'));
});

test('Oracle payouts: the budget row is locked before the check; an id committed meanwhile by another node is a duplicate', async () => {
  const aq = new FakeAq();
  aq.handlers.set('payouts.lockBudget', rows({ CURRENCY: 'RUB', BUDGET_MINOR: 1000 }));
  aq.handlers.set('payouts.committed', rows({ TOTAL: 600 }));
  aq.failNext.set('payouts.insert', unique());
  let finds = 0;
  aq.handlers.set('payouts.find', () => ({ rows: finds++ === 0 ? [] : [{ STATE: 'sent' }], rowsAffected: 0 }));
  const request = { id: 'p1', clientId: 'acme' as ClientId, subscriber: '7916', amountMinor: 400, currency: 'RUB', reason: 'prize', scenarioId: null, moId: null };
  assert.deepEqual(await storeOn(aq).requestPayout(request), { kind: 'duplicate', state: 'sent' });
  assert.deepEqual(trail(aq), ['payouts.find', 'payouts.lockBudget', 'payouts.committed', 'payouts.insert', 'payouts.find', 'commit']);
  await assert.rejects(storeOn(new FakeAq()).requestPayout({ ...request, amountMinor: 0 }), RangeError);
});

test('Oracle payouts: an attempt outcome from a worker that does not hold the lease changes nothing', async () => {
  const aq = new FakeAq();
  aq.handlers.set('payouts.lockPayout', rows({ STATE: 'sent', CLIENT_ID: 'acme', CURRENCY: 'RUB', AMOUNT_MINOR: 5 }));
  const completes: Binds[] = [];
  aq.handlers.set('payouts.complete', (binds) => (completes.push(binds), { rows: [], rowsAffected: binds.owner === 'w1' ? 1 : 0 }));
  const store = storeOn(aq);
  assert.equal(await store.completePayoutAttempt('p1', 'w2', { kind: 'confirmed', providerRef: null }), false);
  assert.equal(await store.completePayoutAttempt('p1', 'w1', { kind: 'confirmed', providerRef: null }), true);
  // Confirming a payout already sent counts no new attempt; a retry keeps its state.
  assert.deepEqual([completes[1]?.state, completes[1]?.attempt_increment], ['confirmed', 0]);
  assert.equal(await store.completePayoutAttempt('p1', 'w1', { kind: 'retry', delayMs: 2500, error: 'x'.repeat(5000) }), true);
  assert.deepEqual([completes[2]?.state, completes[2]?.delay_ms, String(completes[2]?.last_error).length], ['sent', 2500, 1000]);
  assert.equal(await storeOn(new FakeAq()).completePayoutAttempt('nope', 'w1', { kind: 'failed', error: 'x' }), false);
});

test('Oracle MO: an MO not forwarded (a scenario answers it) raises no callback event', async () => {
  const aq = new FakeAq();
  aq.handlers.set('mo.moUrlOf', rows({ MO_URL: 'https://example.test/mo', HAS_SMPP: 0 }));
  const outcome = await storeOn(aq).recordMo(mo('acme', { forward: false }));
  assert.ok(outcome.kind === 'new');
  assert.equal(outcome.eventId, null);
  assert.ok(!aq.log.includes('execute outbox.insert') && !aq.log.includes('execute mo.moUrlOf'));
  const forwarded = new FakeAq();
  forwarded.handlers.set('mo.moUrlOf', rows({ MO_URL: 'https://example.test/mo', HAS_SMPP: 0 }));
  const event = await storeOn(forwarded).recordMo(mo('acme'));
  assert.ok(event.kind === 'new' && event.eventId !== null);
});

test('Oracle schema check: a schema without the scenario and payout tables is refused at start with what to run', async () => {
  const aq = new FakeAq();
  aq.handlers.set('schema.version', rows({ VERSION: 1 }));
  aq.failNext.set('schema.scenarioTables', oracleError('ORA-00942', 'table or view does not exist'));
  await assert.rejects(storeOn(aq).migrate(), /045_scenarios_payouts\.sql/);
  const complete = new FakeAq();
  complete.handlers.set('schema.version', rows({ VERSION: 1 }));
  await storeOn(complete).migrate();
  assert.ok(complete.log.includes('execute schema.scenarioTables'));
});

test('Oracle schema check: a schema without the web session table is refused at start with what to run', async () => {
  const aq = new FakeAq();
  aq.handlers.set('schema.version', rows({ VERSION: 1 }));
  aq.failNext.set('schema.webSessionTable', oracleError('ORA-00942', 'table or view does not exist'));
  await assert.rejects(storeOn(aq).migrate(), /047_web_sessions\.sql/);
});
