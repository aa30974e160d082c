import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BindId, ClientId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import type { Binds } from '../../daemon/storage/oracle/aq-session.js';
import type { ScenarioStepInput } from '../../daemon/storage/scenario-port.js';
import { oracleSqlDir } from '../../daemon/storage/oracle/sql-files.js';
import { OracleStore } from '../../daemon/storage/oracle/store.js';
import { clientPut, request, route, submission } from '../storage/fixtures.js';
import { FakeAq, oracleError, type Handler } from './oracle-fake-session.js';

/**
 * Oracle adapter only: every Store method runs once against the fake session, which
 * refuses a bind set that does not match its statement's placeholders (as ORA-01036/ORA-01008
 * would) and a statement name missing from sql/oracle/queries. The handlers answer just enough
 * rows for each method to walk its whole path (a held message, an existing client and route, …).
 */

const bind = 'mts-1/bind/0' as BindId;
const rows = (...list: Record<string, unknown>[]): Handler => () => ({ rows: list, rowsAffected: list.length || 1 });
const affected = (count: number): Handler => () => ({ rows: [], rowsAffected: count });

/** Every `area.name` of sql/oracle/queries/*.sql. */
function allStatementNames(): string[] {
  const dir = join(oracleSqlDir(), 'queries');
  return readdirSync(dir).filter((file) => file.endsWith('.sql')).flatMap((file) => {
    const area = file.replace(/\.sql$/, '');
    return [...readFileSync(join(dir, file), 'utf8').matchAll(/^-- name: (\w+)/gm)].map((match) => `${area}.${match[1] ?? ''}`);
  });
}

function event(seq: number): Record<string, unknown> {
  return { SEQ: seq, ID: `e${seq}`, CLIENT_ID: 'acme', KIND: 'dlr', URL: 'https://example.test/dlr', KANNEL: 0, PAYLOAD: '{"status":"delivered"}', ATTEMPTS: 0, CREATED_AT: new Date() };
}

const ledgerMessage = {
  ID: 'm1', CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SEGMENTS: 1, PRIORITY: 1, EXPIRES_AT: new Date(Date.now() + 3_600_000),
  ACCEPTED_AT: new Date(), QUEUE_STATE: 'IN_FLIGHT', BIND_ID: bind, EPOCH: 1, ATTEMPTS: 1, OWNER: 'n', STATUS: 'accepted',
  CLIENT_REF: null, SENDER: 'ACME', RECIPIENT: '7916', ENCODING: 'gsm7', AQ_WAITING: 0, NOT_BEFORE: null, SUBMITTED_AT: null,
  DONE_AT: null, ERROR_CODE: null, REASON: null, TEXT: 'x', DLR_REQUESTED: 1,
};

function fakeWithLedger(): FakeAq {
  const aq = new FakeAq();
  const message = ledgerMessage;
  const handlers: [string, Handler][] = [
    ['mt.epochLocked', rows({ EPOCH: 1 })],
    ['mt.epochOf', rows({ EPOCH: 1 })],
    ['mt.held', rows(message)],
    ['mt.claimed', rows(message)],
    ['mt.inDoubtRows', rows({ ...message, QUEUE_STATE: 'IN_DOUBT' })],
    ['mt.expiring', rows({ ID: 'm2' })],
    ['mt.promotable', rows({ ID: 'm3', STATUS: 'scheduled' })],
    ['mt.lapsing', rows({ ID: 'm4', OWNER: 'n', BIND_ID: bind })],
    ['mt.isDemo', rows({ DEMO: 1 })],
    ['mt.usedSegments', rows({ SEGMENTS_USED: 3 })],
    ['mt.findKey', rows()],
    ['mt_views.byId', rows(message)],
    ['mt_views.byClientRef', rows(message)],
    ['mt_views.balance', rows({ DEMO: 1, SEGMENTS_USED: 3, QUEUED: 1 })],
    ['provisioning.clientPortById', rows({ VIRTUAL_PORT: 1000 })],
    ['provisioning.nextPort', rows({ PORT: 1001 })],
    ['provisioning.routeExists', rows({ ID: 'mts-1' })],
    ['provisioning.selectRoutes', rows({ ID: 'mts-1' })],
    ['provisioning.deleteClient', affected(1)],
    ['provisioning.deleteToken', affected(1)],
    ['provisioning.deletePrefix', affected(1)],
    ['schema.version', rows({ VERSION: 1 })],
    ['dlr_events.context', rows({
      ID: 'm1', CLIENT_ID: 'acme', CLIENT_REF: null, RECIPIENT: '7916', SENDER: 'ACME', SEGMENTS: 1, SUBMITTED_AT: new Date(),
      DLR_REQUESTED: 1, KANNEL_DLR_MASK: null, KANNEL_DLR_URL: null, DLR_URL: 'https://example.test/dlr', SMSC_ID: 'abc',
    })],
    ['receipts.findSegment', rows({ MESSAGE_ID: 'm1', SEGMENT_INDEX: 0, ACCEPTED_AT: new Date() })],
    ['receipts.segmentState', rows({ STATUS: 'submitted', SMSC_ID: 'abc', ID: 'm1', CLIENT_ID: 'acme', MESSAGE_STATUS: 'submitted' })],
    ['receipts.segmentStatuses', rows({ STATUS: 'delivered' })],
    ['receipts.heldFor', rows({ ID: 'h1', STATUS: 'delivered', STAT: 'DELIVRD', ERROR_CODE: '000', DONE_AT: null, RAW_TEXT: 'id:abc' })],
    ['receipts.expiredHeld', rows({ ID: 'h2', ROUTE_ID: 'mts-1', BIND_ID: bind, CANDIDATES: '["x"]', STAT: 'DELIVRD', RAW_TEXT: 'id:x', HELD_MS: 5 })],
    ['outbox.liveLeases', rows({ CLIENT_ID: 'acme', N: 1 })],
    ['outbox.dueClients', rows({ CLIENT_ID: 'acme' })],
    ['outbox.dueOfClient', rows(event(2))],
    ['outbox.lapsedLeases', rows(event(1))],
    ['outbox.waitingSmpp', rows({ CLIENT_ID: 'acme', N: 2, OLDEST_DUE_AT: new Date() })],
    ['outbox.leaseOf', rows({ SEQ: 1, STATE: 'leased', LEASE_OWNER: 'sender' })],
    ['outbox.deadAll', rows({ ...event(3), LAST_ERROR: 'HTTP 500', DONE_AT: new Date() })],
    ['mo.moUrlOf', rows({ MO_URL: 'https://example.test/mo' })],
    ['mo.heldParts', rows({
      PART_ID: 'p1', DEDUP_KEY: 'd', ROUTE_ID: 'mts-1', SOURCE: '7916', SHORT_CODE: '4242', REFERENCE: 1, TOTAL: 2, PART_SEQ: 1,
      TEXT: null, RECEIVED_AT: new Date(),
    })],
    ['mt_admin.queueDepth', rows({ ROUTE_ID: 'mts-1', STATE: 'WAITING', MESSAGES: 2, OLDEST_ACCEPTED_AT: new Date() })],
    ['mt_admin.keysById', rows({ ID: 'm1', CLIENT_ID: 'acme' })],
    ['mt_admin.keysByClient', rows({ ID: 'm1', CLIENT_ID: 'acme' })],
    ['mt_admin.keysByRecipient', rows({ ID: 'm1', CLIENT_ID: 'acme' })],
    ['mt_admin.keysByRef', rows({ ID: 'm1', CLIENT_ID: 'acme' })],
    ['mt_admin.target', rows({ ...message, QUEUE_STATE: 'QUEUED', AQ_WAITING: 0, VALIDITY_ENDED: 0 })],
    ['stats.summaryOfClient', rows({ STATUS: 'delivered', MESSAGES: 2, SEGMENTS: 3, SUBMITTED: 2, LATENCY_SUM: 3000, LATENCY_MAX: 2000, LATENCY_N: 2 })],
    ['stats.seriesOfAll', rows({ BUCKET: 3, MESSAGES: 1, SEGMENTS: 1, DELIVERED: 1, FAILED: 0 })],
    ['stats.reportOfClient', rows({ GROUP_KEY: '2026-11-26', MESSAGES: 1, SEGMENTS: 1, DELIVERED: 1, FAILED: 0, EXPIRED: 0, PENDING: 0 })],
    ['stats.search', rows({ ...message, STATUS: 'delivered' })],
    ['stats.callbackDepth', rows({ CLIENT_ID: 'acme', STATE: 'dead', EVENTS: 1, OLDEST_CREATED_AT: new Date() })],
    ['inbound_problems.listKind', rows({ ID: 7, KIND: 'mo-malformed', ROUTE_ID: null, BIND_ID: null, RAW_HEX: null, DETAIL: 'x', AT: new Date() })],
  ];
  aq.handlers = new Map(handlers);
  return aq;
}

const versionRow = {
  SCENARIO_ID: 'song-vote', VERSION: 1, CLIENT_ID: 'acme', SOURCE: '{"use":"vote"}',
  BINDINGS: '[{"shortCode":"4242","keyword":"VOTE","forward":false}]', DISABLED: 0, CREATED_AT: new Date(),
};

function step(overrides: Partial<ScenarioStepInput> = {}): ScenarioStepInput {
  return {
    scenarioId: 'song-vote', moId: 'mo-1', subscriber: '7916', expectedRevision: 0, state: { json: '{}', stateId: 'voted', score: 2 },
    disposition: 'answered', counted: true, tallies: [{ key: 'A', by: 1 }], entries: ['ticket', ''], replies: ['Thanks'], at: new Date(),
    ...overrides,
  };
}

/** scenario.put, the reads, and each way a step ends: applied (with payouts), conflict, duplicate. */
async function walkScenarios(store: OracleStore, aq: FakeAq): Promise<void> {
  aq.handlers.set('scenarios.clientCodes', rows({ SHORT_CODES: '["7700"]', KEYWORDS: '[{"shortCode":"4242","keyword":"VOTE"}]' }));
  aq.handlers.set('scenarios.currentOf', rows(versionRow));
  await store.applyProvisioning([{
    op: 'scenario.put',
    scenario: {
      id: 'song-vote', clientId: 'acme' as ClientId, source: { use: 'vote' }, disabled: false,
      bindings: [{ shortCode: '4242', keyword: 'VOTE', forward: false }, { shortCode: '7700', keyword: null, forward: true }],
    },
  }]);
  aq.handlers.set('scenarios.currentVersions', rows({ ...versionRow, SCENARIO_ID: 'z' }, versionRow));
  const loaded = await store.loadScenarios();
  assert.deepEqual(loaded.map((record) => [record.id, record.bindings[0]?.keyword, record.disabled]), [['song-vote', 'VOTE', false], ['z', 'VOTE', false]]);
  aq.handlers.set('scenarios.versionsOf', rows(versionRow));
  assert.deepEqual((await store.scenarioVersions('song-vote'))[0]?.source, { use: 'vote' });
  aq.handlers.set('scenarios.subscriber', rows({ STATE: '{}', REVISION: 2 }));
  assert.deepEqual(await store.loadScenarioSubscriber('song-vote', '7916'), { state: '{}', revision: 2 });
  aq.handlers.set('scenarios.insertSubscriber', affected(1));
  aq.handlers.set('payouts.lockBudget', rows({ CURRENCY: 'RUB', BUDGET_MINOR: 1000 }));
  aq.handlers.set('payouts.committed', rows({ TOTAL: 400 }));
  const withPayout = step({ payouts: [{ amountMinor: 600, currency: 'RUB', reason: 'prize' }] });
  assert.deepEqual(await store.applyScenarioStep(withPayout), { kind: 'applied' });
  aq.handlers.set('scenarios.updateSubscriber', affected(0));
  assert.deepEqual(await store.applyScenarioStep(step({ moId: 'mo-2', expectedRevision: 1 })), { kind: 'conflict' });
  aq.failNext.set('scenarios.insertStep', oracleError('ORA-00001', 'unique constraint violated'));
  aq.handlers.set('scenarios.stepOf', rows({ REPLIES: '["Thanks"]' }));
  assert.deepEqual(await store.applyScenarioStep(step()), { kind: 'duplicate', replies: ['Thanks'] });
  aq.handlers.set('scenarios.tallies', rows({ TALLY_KEY: 'B', TALLY_COUNT: 2 }, { TALLY_KEY: 'A', TALLY_COUNT: 3 }));
  aq.handlers.set('scenarios.leaderboard', rows({ SUBSCRIBER: '7916', SCORE: 2 }));
  aq.handlers.set('scenarios.entryCount', rows({ N: 2 }));
  aq.handlers.set('scenarios.stateCounts', rows({ STATE_ID: 'voted', N: 1 }));
  aq.handlers.set('scenarios.stepCounts', rows({ DISPOSITION: 'answered', N: 1 }));
  aq.handlers.set('scenarios.draws', rows({
    SCENARIO_ID: 'song-vote', DRAW_ID: 'final', SEED: 'abc', ENTRIES_HASH: 'h', ENTRY_COUNT: 2, WINNERS: '[{"id":"mo-1/0","subscriber":"7916"}]', DRAWN_AT: new Date(),
  }));
  const results = await store.scenarioResults('song-vote', { leaderboard: 5 });
  assert.deepEqual([results.tallies, results.entries, results.draws[0]?.winners], [{ A: 3, B: 2 }, 2, [{ id: 'mo-1/0', subscriber: '7916' }]]);
  aq.handlers.set('scenarios.entries', rows({ ID: 'mo-1/1', SUBSCRIBER: '7916', LABEL: null, AT: new Date() }, { ID: 'mo-1/0', SUBSCRIBER: '7916', LABEL: 'ticket', AT: new Date() }));
  assert.deepEqual((await store.scenarioEntries('song-vote')).map((entry) => [entry.id, entry.label]), [['mo-1/0', 'ticket'], ['mo-1/1', '']]);
  const draw = { scenarioId: 'song-vote', drawId: 'final', seed: 'abc', entriesHash: 'h', entryCount: 2, winners: [], drawnAt: new Date() };
  await store.recordScenarioDraw(draw);
  aq.failNext.set('scenarios.insertDraw', oracleError('ORA-00001', 'unique constraint violated'));
  await assert.rejects(store.recordScenarioDraw(draw), /already has a draw "final"/);
}

const payoutRow = {
  SEQ: 1, ID: 'p1', CLIENT_ID: 'acme', SUBSCRIBER: '7916', AMOUNT_MINOR: 500, CURRENCY: 'RUB', REASON: null, SCENARIO_ID: null, MO_ID: null,
  STATE: 'requested', ATTEMPTS: 0, PROVIDER_REF: null, LAST_ERROR: null, CREATED_AT: new Date(), UPDATED_AT: new Date(),
};

/** Requests (new, over budget, duplicate), the budget, a claim, each attempt outcome, listing, retry. */
async function walkPayouts(store: OracleStore, aq: FakeAq): Promise<void> {
  const acme = 'acme' as ClientId;
  const request = { id: 'p1', clientId: acme, subscriber: '7916', amountMinor: 500, currency: 'RUB', reason: '', scenarioId: null, moId: null };
  assert.deepEqual(await store.requestPayout(request), { kind: 'requested' });
  assert.deepEqual(await store.requestPayout({ ...request, id: 'p2', amountMinor: 700 }), { kind: 'over-budget' });
  aq.handlers.set('payouts.find', rows(payoutRow));
  assert.deepEqual(await store.requestPayout(request), { kind: 'duplicate', state: 'requested' });
  await store.setPayoutBudget(acme, 'RUB', 2000);
  aq.handlers.set('payouts.budgetOf', rows({ CURRENCY: 'RUB', BUDGET_MINOR: 1000 }));
  assert.deepEqual(await store.payoutBudget(acme), { clientId: acme, currency: 'RUB', budgetMinor: 1000, committedMinor: 400 });
  aq.handlers.set('payouts.due', rows(payoutRow));
  assert.deepEqual((await store.claimPayouts({ owner: 'w', limit: 5, leaseMs: 30_000 })).map((payout) => [payout.id, payout.reason]), [['p1', '']]);
  aq.handlers.set('payouts.lockPayout', rows({ STATE: 'requested', CLIENT_ID: 'acme', CURRENCY: 'RUB', AMOUNT_MINOR: 500 }));
  aq.handlers.set('payouts.complete', affected(1));
  assert.equal(await store.completePayoutAttempt('p1', 'w', { kind: 'sent', providerRef: 'ref', recheckAfterMs: 5000 }), true);
  assert.equal(await store.completePayoutAttempt('p1', 'w', { kind: 'confirmed', providerRef: null }), true);
  assert.equal(await store.completePayoutAttempt('p1', 'w', { kind: 'retry', delayMs: 1000, error: 'HTTP 503' }), true);
  aq.handlers.set('payouts.complete', affected(0));
  assert.equal(await store.completePayoutAttempt('p1', 'other', { kind: 'failed', error: 'rejected' }), false);
  aq.handlers.set('payouts.list', rows({ ...payoutRow, STATE: 'failed', LAST_ERROR: 'over budget' }));
  assert.equal((await store.listPayouts({ clientId: acme, state: 'failed', limit: 5 }))[0]?.lastError, 'over budget');
  await store.listPayouts({ limit: 5 });
  assert.equal(await store.retryPayout('p1'), 'not-failed');
  aq.handlers.set('payouts.lockPayout', rows({ STATE: 'failed', CLIENT_ID: 'acme', CURRENCY: 'RUB', AMOUNT_MINOR: 500 }));
  assert.equal(await store.retryPayout('p1'), 'requested');
}

/** Create, find (with its row mapped back), extend, language, delete; the purge runs in sweepMt. */
async function walkWebSessions(store: OracleStore, aq: FakeAq): Promise<void> {
  const expiresAt = new Date(Date.now() + 60_000);
  const record = { idSha256: 'a'.repeat(64), kind: 'admin', subject: 'ops', csrfToken: 'c', lang: null, createdAt: new Date(), expiresAt } as const;
  await store.createWebSession(record);
  aq.handlers.set('web_sessions.live', rows({
    ID_SHA256: record.idSha256, KIND: 'admin', SUBJECT: 'ops', CSRF_TOKEN: 'c', LANG: null, CREATED_AT: record.createdAt, EXPIRES_AT: expiresAt,
  }));
  assert.deepEqual(await store.findWebSession(record.idSha256, 'admin', new Date()), record);
  await store.extendWebSession(record.idSha256, new Date(expiresAt.getTime() + 60_000));
  await store.setWebSessionLang(record.idSha256, 'ru');
  await store.deleteWebSession(record.idSha256);
  aq.handlers.set('web_sessions.live', rows());
  assert.equal(await store.findWebSession(record.idSha256, 'admin', new Date()), null);
}

/** The store with a record of the methods called on it. */
function recording(store: OracleStore, called: Set<string>): OracleStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      called.add(property);
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}

test('Oracle statements: every Store method binds exactly the placeholders of statements that exist, and every statement is used', async () => {
  const aq = fakeWithLedger();
  const called = new Set<string>();
  const store = recording(new OracleStore(aq.pool(), {
    queue: { maxRetries: 0, retryDelayMs: 1000, retentionMs: 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 10,
  }), called);
  const acme = 'acme' as ClientId;
  await store.migrate();
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    { op: 'client.put', client: clientPut('acme') },
    { op: 'apiToken.add', clientId: acme, token: { id: 't1', sha256: 'a'.repeat(64), createdAt: new Date(), label: '' } },
    { op: 'apiToken.remove', clientId: acme, tokenId: 't1' },
    { op: 'prefix.put', prefix: { prefix: '7916', routeId: 'mts-1' as RouteId } },
    { op: 'prefix.delete', prefix: '7916' },
    { op: 'overrides.replace', overrides: [{ msisdn: '79160000000', routeId: 'mts-1' as RouteId }] },
    { op: 'client.delete', id: acme },
  ]);
  // A new client gets the next virtual port; a route no one uses can go.
  aq.handlers.set('provisioning.clientPortById', rows());
  await store.applyProvisioning([
    { op: 'client.put', client: { ...clientPut('zeta'), virtualPort: null } },
    { op: 'route.delete', id: 'mts-1' as RouteId },
  ]);
  aq.handlers.set('provisioning.clientPortById', rows({ VIRTUAL_PORT: 1000 }));
  await store.loadProvisioning();
  await store.provisioningVersion();
  await store.findNumberOverrides(['79160000000']);
  await store.countNumberOverrides();
  await store.enqueueMt([request('acme', [submission('acme', 'mts-1', { notBefore: new Date(Date.now() + 60_000) })], { idempotencyKey: 'k1' })]);
  await store.enqueueMt([request('acme', [submission('acme', 'mts-1')])]);
  await store.acquireBindEpoch(bind);
  await store.currentBindEpoch(bind);
  await store.claimMt({ routeId: 'mts-1' as RouteId, bindId: bind, epoch: 1, owner: 'n', limit: 5, leaseMs: 1000 });
  aq.handlers.set('mt.readyClients', rows({ CLIENT_ID: 'acme', READY: 3, FIRST_PRIORITY: 1, FIRST_ACCEPTED_AT: new Date() }));
  await store.claimMt({ routeId: 'mts-1' as RouteId, bindId: bind, epoch: 1, owner: 'n', limit: 5, leaseMs: 1000, perClientLimit: 2 });
  assert.ok(aq.log.includes('dequeue SMSPROC_MT_Q mts-1 client acme max 2'), 'a fair claim dequeues the client\'s share');
  await store.recordSegmentIds([{ id: 'm1' as MessageId, index: 1, parts: 2, smscId: 'def', smscMatchKeys: ['def', '3567'] }]);
  await store.ackMt(bind, 1, [{ id: 'm1' as MessageId, smscIds: ['abc', 'def'] }]);
  await store.nackMt(bind, 1, [
    { id: 'm1' as MessageId, disposition: { kind: 'retry' } },
    { id: 'm1' as MessageId, disposition: { kind: 'fail', status: 'rejected', errorCode: 11, reason: 'bad number' } },
  ]);
  const retrying = new OracleStore(aq.pool(), {
    queue: { maxRetries: 5, retryDelayMs: 1000, retentionMs: 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 10,
  });
  assert.deepEqual((await retrying.nackMt(bind, 1, [{ id: 'm1' as MessageId, disposition: { kind: 'retry', delayMs: 50 } }])).applied, ['m1']);
  await store.renewMtLeases(bind, 1, ['m1' as MessageId], 1000);
  await store.resolveInDoubt('mts-1' as RouteId, 'resend');
  const swept = await store.sweepMt();
  assert.deepEqual([swept.expired, swept.promoted, swept.inDoubt, swept.receiptsUnmatched], [1, 1, 1, 1]);
  const view = await store.findMessage(acme, { id: 'm1' as MessageId });
  assert.equal(view?.queueState, 'IN_FLIGHT');
  await store.findMessage(acme, { clientRef: 'ref' });
  aq.handlers.set('mt_views.parts', rows({
    SEGMENT_INDEX: 0, PARTS: 2, SMSC_ID: 'abc', STATUS: 'delivered', STAT: 'DELIVRD', ERROR_CODE: '000', SUBMITTED_AT: new Date(), DONE_AT: new Date(),
  }));
  assert.deepEqual((await store.findMessageParts(acme, 'm1' as MessageId)).map((part) => [part.index, part.of, part.status]), [[0, 2, 'delivered']]);
  assert.equal((await store.clientBalance(acme)).demoRemaining, 7);
  await store.queuedByClient();
  const matched = await store.applyReceipt({
    routeId: 'mts-1' as RouteId, bindId: bind, smscIdCandidates: ['abc', '2748'], status: 'delivered', stat: 'DELIVRD', errorCode: '000',
    doneAt: null, raw: 'id:abc stat:DELIVRD', receiptHoldMs: 60_000,
  });
  assert.equal(matched.kind, 'matched');
  aq.handlers.set('receipts.findSegment', rows());
  const held = await store.applyReceipt({
    routeId: 'mts-1' as RouteId, bindId: bind, smscIdCandidates: ['fff', '4095'], status: 'delivered', stat: 'DELIVRD', errorCode: '000',
    doneAt: null, raw: 'id:fff stat:DELIVRD', receiptHoldMs: 60_000,
  });
  assert.equal(held.kind, 'held');
  const claimed = await store.claimCallbacks({ owner: 'sender', limit: 10, perClientLimit: 2, leaseMs: 30_000, scope: { http: true, smppClients: [acme] } });
  // perClientLimit 2 less the client's one live lease: one event, the oldest.
  assert.deepEqual(claimed.map((callback) => callback.id), ['e1']);
  await store.completeCallback('e1', 'sender', { kind: 'delivered' });
  await store.completeCallback('e1', 'sender', { kind: 'retry', delayMs: 1500, error: 'HTTP 503' });
  await store.completeCallback('e1', 'sender', { kind: 'dead', error: 'HTTP 410' });
  assert.equal((await store.listDeadCallbacks({ limit: 5 }))[0]?.lastError, 'HTTP 500');
  await store.listDeadCallbacks({ clientId: acme, limit: 5 });
  await store.replayDeadCallbacks({ eventIds: ['e3', 'e3'] });
  await store.replayDeadCallbacks({ clientId: acme });
  await store.callbackBacklog();
  await store.deadLetterUnclaimedSmppCallbacks(86_400_000, 'no receiving SMPP bind');
  assert.equal((await store.waitingSmppCallbacks()).get(acme)?.events, 2);
  await store.holdMoPart({ routeId: 'mts-1' as RouteId, source: '7916', shortCode: '4242', reference: 1, total: 2, seq: 1, text: 'VOTE', dedupKey: 'd', receivedAt: new Date() });
  assert.equal((await store.loadHeldMoParts())[0]?.text, '');
  const recorded = await store.recordMo({
    routeId: 'mts-1' as RouteId, source: '7916', shortCode: '4242', text: 'VOTE 1', clientId: acme, keyword: 'VOTE', args: '1',
    partial: false, missingParts: [], dedupKey: 'd', dedupUntil: new Date(Date.now() + 60_000), receivedAt: new Date(), consumedPartIds: ['p1'],
  });
  assert.equal(recorded.kind, 'new');
  await store.recordInboundProblem({ kind: 'pdu-malformed', routeId: null, bindId: null, rawHex: '00', detail: 'short PDU' });
  await store.listInboundProblems({ limit: 5 });
  assert.equal((await store.listInboundProblems({ limit: 5, kind: 'mo-malformed' }))[0]?.id, '7');
  assert.equal((await store.queueDepth())[0]?.state, 'WAITING');
  assert.equal((await store.lookupMessages({ id: 'm1' as MessageId }))[0]?.id, 'm1');
  await store.lookupMessages({ clientId: acme, limit: 5 });
  await store.lookupMessages({ clientId: acme, recipient: '7916', limit: 5 });
  assert.equal((await store.lookupMessages({ clientId: acme, clientRef: 'ref', recipient: '7916', limit: 5 })).length, 1);
  assert.deepEqual(await store.cancelMt('m1' as MessageId, 'by ops'), { kind: 'done', status: 'cancelled' });
  aq.handlers.set('mt_admin.target', rows({ ...ledgerMessage, STATUS: 'failed', QUEUE_STATE: 'EXCEPTION', AQ_WAITING: 0, VALIDITY_ENDED: 0 }));
  assert.deepEqual(await store.requeueMt('m1' as MessageId, 'by ops'), { kind: 'done', status: 'accepted' });
  const hour = { since: new Date(Date.now() - 3_600_000), until: new Date() };
  assert.equal((await store.statsSummary({ clientId: acme, ...hour })).deliveryLatencyMeanMs, 1500);
  await store.statsSummary({ clientId: null, ...hour });
  assert.equal((await store.statsSeries({ clientId: null, ...hour, bucketMs: 60_000 }))[0]?.start.getTime(), hour.since.getTime() + 180_000);
  await store.statsSeries({ clientId: acme, ...hour, bucketMs: 60_000 });
  for (const kind of ['day', 'sender', 'route', 'status', 'client'] as const) {
    await store.statsReport(kind, { clientId: acme, ...hour });
    await store.statsReport(kind, { clientId: null, ...hour });
  }
  assert.equal((await store.searchMessages({ clientId: acme, ...hour, recipient: '7916', sender: 'ACME', status: 'delivered', limit: 5 }))[0]?.status, 'delivered');
  await store.searchMessages({ clientId: acme, ...hour, id: 'm1' as MessageId, clientRef: 'ref', limit: 5 });
  assert.equal((await store.callbackDepth())[0]?.state, 'dead');
  await walkScenarios(store, aq);
  await walkPayouts(store, aq);
  await walkWebSessions(store, aq);
  const statements = new Set(aq.log.filter((entry) => entry.startsWith('execute')).map((entry) => entry.split(' ')[1]));
  assert.ok(statements.size >= 110, `${statements.size} statements exercised`);
  const unexercised = allStatementNames().filter((name) => !statements.has(name));
  assert.deepEqual(unexercised, [], 'every named statement of sql/oracle/queries is run by some Store method');
  assert.equal(store.queueSettings().maxRetries, 0);
  await store.close();
  const methods = Object.getOwnPropertyNames(OracleStore.prototype).filter((name) => name !== 'constructor');
  assert.ok(methods.length >= 40, `${methods.length} methods`);
  assert.deepEqual(methods.filter((name) => !called.has(name)), [], 'every Store method is walked');
});

test('Oracle statements: a bind set that misses a placeholder is refused by the fake, as by the server', async () => {
  const aq = new FakeAq();
  const session = await aq.pool().acquire();
  const statement = { name: 'x', sql: 'UPDATE t SET a = :a WHERE id = :id' };
  await assert.rejects(session.execute(statement, { a: 1 } satisfies Binds), /ORA-01008/);
  await assert.rejects(session.execute(statement, { a: 1, id: 2, b: 3 }), /ORA-01036/);
});
