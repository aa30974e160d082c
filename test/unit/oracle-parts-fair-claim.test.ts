import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { BindId, ClientId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import { mtQueueMessage } from '../../daemon/storage/oracle/aq-message.js';
import { AqQueues, type AqIncoming, type Binds } from '../../daemon/storage/oracle/aq-session.js';
import { fairQuotas, interleaveRounds } from '../../daemon/storage/oracle/fair-claim.js';
import { dequeueCondition } from '../../daemon/storage/oracle/oracledb-session.js';
import { OracleStore } from '../../daemon/storage/oracle/store.js';
import { FakeAq, type Handler } from './oracle-fake-session.js';

/**
 * Oracle adapter only: fair per-client claims (quotas from the ledger, one dequeue per client, rounds
 * interleaved, nothing dequeued beyond what is claimed) and per-part detail (recordSegmentIds records
 * without acking, a message stays open until every submit_sm of its submission has a final receipt),
 * against the fake session.
 */

const bind = 'mts-1/bind/0' as BindId;
const settings = { queue: { maxRetries: 2, retryDelayMs: 30_000, retentionMs: 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 10 };
const rows = (...list: Record<string, unknown>[]): Handler => () => ({ rows: list, rowsAffected: list.length || 1 });
const t0 = Date.parse('2026-11-26T04:00:00Z');

const waitingClient = (clientId: string, ready: number, firstPriority: number, firstAcceptedMs: number) =>
  ({ clientId: clientId as ClientId, ready, firstPriority, firstAcceptedAt: new Date(t0 + firstAcceptedMs) });

test('Oracle fair claim: quotas are each client\'s share less what the bind holds, handed out round by round', () => {
  const waiting = [waitingClient('a', 1000, 1, 0), waitingClient('b', 3, 1, 5), waitingClient('c', 1, 1, 10), waitingClient('d', 7, 1, 20)];
  const held = new Map([['a' as ClientId, 1], ['d' as ClientId, 4]]);
  // Shares: a 4-1=3, b 3, c 1, d 4-4=0. Round 0: a b c; round 1: a b; round 2: a (oldest first) — limit 6.
  assert.deepEqual([...fairQuotas(waiting, { limit: 6, perClientLimit: 4, heldByClient: held })], [['a', 3], ['b', 2], ['c', 1]]);
  // Without a limit in the way every share is taken whole; a client holding its share gets nothing.
  assert.deepEqual([...fairQuotas(waiting, { limit: 100, perClientLimit: 4, heldByClient: held })], [['a', 3], ['b', 3], ['c', 1]]);
  // A priority message puts its client first within a round.
  const urgent = [waitingClient('a', 10, 1, 0), waitingClient('b', 10, 0, 50)];
  assert.deepEqual([...fairQuotas(urgent, { limit: 1, perClientLimit: 5 })], [['b', 1]]);
  assert.deepEqual([...fairQuotas([], { limit: 5, perClientLimit: 5 })], []);
});

function incoming(id: string, clientId: string, priority: number, acceptedMs: number): AqIncoming {
  return {
    payload: { MESSAGE_ID: id, CLIENT_ID: clientId, ROUTE_ID: 'mts-1', SEGMENTS: 1, ATTEMPTS: 0, ACCEPTED_AT: new Date(t0 + acceptedMs), READY_AT: null },
    correlation: 'mts-1', priority, msgId: id,
  };
}

test('Oracle fair claim: rounds interleave the clients, each round by priority, then age', () => {
  const a = [incoming('a1', 'a', 1, 0), incoming('a2', 'a', 1, 1), incoming('a3', 'a', 1, 2)];
  const b = [incoming('b1', 'b', 1, 5), incoming('b2', 'b', 0, 6)];
  const c = [incoming('c1', 'c', 0, 9)];
  assert.deepEqual(interleaveRounds([a, b, c]).map((message) => message.msgId), ['c1', 'a1', 'b1', 'b2', 'a2', 'a3']);
});

test('Oracle fair claim: the dequeue condition names the client as a quoted literal', () => {
  const ready = 'tab.user_data.ready_at IS NULL OR tab.user_data.ready_at <= SYSTIMESTAMP';
  assert.equal(dequeueCondition(), ready);
  assert.equal(dequeueCondition("o'hara"), `(${ready}) AND tab.user_data.client_id = 'o''hara'`);
});

/** AQ holding `count` messages of a client on mts-1, oldest first, and a ledger that reads back what was leased. */
function fairLedger(aq: FakeAq, backlog: Record<string, number>): string[] {
  let accepted = 0;
  for (const [clientId, count] of Object.entries(backlog)) {
    for (let index = 1; index <= count; index++) {
      const fields = {
        id: `${clientId}${index}` as MessageId, clientId: clientId as ClientId, routeId: 'mts-1' as RouteId, segments: 1, priority: 1,
        expiresAt: new Date(Date.now() + 3_600_000), acceptedAt: new Date(t0 + accepted++), attempts: 0,
      };
      aq.queues.set(AqQueues.mt, [...aq.visible(AqQueues.mt), mtQueueMessage(fields, Date.now(), Date.now())]);
    }
  }
  aq.handlers.set('mt.readyClients', rows(...Object.entries(backlog).map(([clientId, count], index) => ({
    CLIENT_ID: clientId, READY: count, FIRST_PRIORITY: 1, FIRST_ACCEPTED_AT: new Date(t0 + index),
  }))));
  const leased: string[] = [];
  aq.handlers.set('mt.epochLocked', rows({ EPOCH: 1 }));
  aq.handlers.set('mt.lease', (binds: Binds) => {
    leased.push(String(binds.id));
    return { rows: [], rowsAffected: 1 };
  });
  aq.handlers.set('mt.claimed', () => ({
    rows: leased.map((id) => ({
      ID: id, CLIENT_ID: id.slice(0, 1), ROUTE_ID: 'mts-1', SENDER: 'S', RECIPIENT: '7916', TEXT: 'x', ENCODING: 'gsm7', SEGMENTS: 1,
      PRIORITY: 1, EXPIRES_AT: new Date(Date.now() + 3_600_000), DLR_REQUESTED: 0, ATTEMPTS: 1, ACCEPTED_AT: new Date(t0),
    })),
    rowsAffected: 0,
  }));
  return leased;
}

test('Oracle fair claim: a flooding client gets its share, the others theirs, and AQ keeps the rest in place', async () => {
  const aq = new FakeAq();
  fairLedger(aq, { a: 50, b: 2, c: 1 });
  const store = new OracleStore(aq.pool(), settings);
  const claimed = await store.claimMt({
    routeId: 'mts-1' as RouteId, bindId: bind, epoch: 1, owner: 'n', limit: 6, leaseMs: 30_000, perClientLimit: 3,
    heldByClient: new Map([['b' as ClientId, 1]]),
  });
  // Shares: a 3, b 3-1=2, c 1; six in rounds (a b c, a b, a).
  assert.deepEqual(claimed.map((message) => message.id), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  assert.deepEqual(aq.log, [
    'execute mt.epochLocked', 'execute mt.readyClients',
    `dequeue ${AqQueues.mt} mts-1 client a max 3`, `dequeue ${AqQueues.mt} mts-1 client b max 2`, `dequeue ${AqQueues.mt} mts-1 client c max 1`,
    'executeMany mt.lease x6', 'execute mt.claimed', 'commit', 'release',
  ]);
  // Nothing was dequeued beyond the claim and nothing re-enqueued: a's other 47 wait in their order.
  const left = aq.visible(AqQueues.mt).map((message) => message.payload.MESSAGE_ID);
  assert.deepEqual(left, Array.from({ length: 47 }, (_, index) => `a${index + 4}`));
});

test('Oracle fair claim: a stale epoch claims nothing and reads no ledger counts', async () => {
  const aq = new FakeAq();
  fairLedger(aq, { a: 2 });
  const claimed = await new OracleStore(aq.pool(), settings).claimMt({
    routeId: 'mts-1' as RouteId, bindId: bind, epoch: 2, owner: 'n', limit: 6, leaseMs: 30_000, perClientLimit: 3,
  });
  assert.deepEqual(claimed, []);
  assert.equal(aq.log.includes('execute mt.readyClients'), false);
  assert.equal(aq.visible(AqQueues.mt).length, 2);
});

/** A two-part message m1, IN_FLIGHT under another epoch; segments as recorded so far. */
function partsLedger(aq: FakeAq, statuses: string[]): { readonly recorded: Binds[]; readonly finished: Binds[] } {
  const recorded: Binds[] = [];
  const finished: Binds[] = [];
  aq.handlers.set('mt.held', rows({
    ID: 'm1', CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SEGMENTS: 2, PRIORITY: 1, EXPIRES_AT: new Date(Date.now() + 3_600_000), ACCEPTED_AT: new Date(),
    KANNEL_DLR_MASK: null, QUEUE_STATE: 'IN_DOUBT', BIND_ID: bind, EPOCH: 1, ATTEMPTS: 1,
  }));
  aq.handlers.set('mt.recordSmscId', (binds) => {
    recorded.push(binds);
    return { rows: [], rowsAffected: 1 };
  });
  aq.handlers.set('receipts.segmentState', rows({ STATUS: 'submitted', SMSC_ID: 'def', PARTS: 2, ID: 'm1', CLIENT_ID: 'acme', MESSAGE_STATUS: 'in_doubt' }));
  aq.handlers.set('receipts.segmentStatuses', rows(...statuses.map((status) => ({ STATUS: status }))));
  aq.handlers.set('receipts.finishMessage', (binds) => {
    finished.push(binds);
    return { rows: [], rowsAffected: 1 };
  });
  return { recorded, finished };
}

test('Oracle parts: recordSegmentIds records one segment of its parts and applies its held receipt, without acking the message', async () => {
  const aq = new FakeAq();
  const { recorded, finished } = partsLedger(aq, ['delivered']);
  aq.handlers.set('receipts.heldFor', rows({ ID: 'h1', STATUS: 'delivered', STAT: 'DELIVRD', ERROR_CODE: '000', DONE_AT: null, RAW_TEXT: 'id:def' }));
  await new OracleStore(aq.pool(), settings).recordSegmentIds([{ id: 'm1' as MessageId, index: 1, parts: 2, smscId: 'def', smscMatchKeys: ['def', '3567'] }]);
  assert.deepEqual(recorded, [{ message_id: 'm1', segment_index: 1, route_id: 'mts-1', smsc_id: 'def', parts: 2 }]);
  assert.ok(aq.log.includes('executeMany receipts.recordKey x2'));
  assert.ok(aq.log.includes('execute receipts.setSegment'), 'the held receipt is applied to the segment');
  assert.ok(aq.log.includes('execute receipts.dropHeld'));
  // Segment 0's id was never recorded: one of two parts known, so the message is not final.
  assert.deepEqual(finished, []);
  for (const ack of ['execute mt.markSubmitted', 'execute receipts.settleQueueRow']) assert.equal(aq.log.includes(ack), false, ack);
  assert.equal(aq.log.at(-2), 'commit');
});

test('Oracle parts: a message goes final once every submit_sm of its submission has a final receipt', async () => {
  const aq = new FakeAq();
  const { finished } = partsLedger(aq, ['delivered', 'undeliverable']);
  aq.handlers.set('receipts.findSegment', rows({ MESSAGE_ID: 'm1', SEGMENT_INDEX: 1, ACCEPTED_AT: new Date() }));
  const outcome = await new OracleStore(aq.pool(), settings).applyReceipt({
    routeId: 'mts-1' as RouteId, bindId: bind, smscIdCandidates: ['def'], status: 'undeliverable', stat: 'UNDELIV', errorCode: '001',
    doneAt: null, raw: 'id:def stat:UNDELIV', receiptHoldMs: 60_000,
  });
  assert.equal(outcome.kind === 'matched' && outcome.final, true);
  assert.deepEqual(finished.map((binds) => binds.status), ['undeliverable']);
  assert.ok(aq.log.includes('execute receipts.settleQueueRow'));
});

test('Oracle parts: findMessageParts maps the recorded segments, null where older rows lack the detail', async () => {
  const aq = new FakeAq();
  const done = new Date(t0 + 5000);
  aq.handlers.set('mt_views.parts', rows(
    { SEGMENT_INDEX: 0, PARTS: null, SMSC_ID: 'abc', STATUS: 'delivered', STAT: 'DELIVRD', ERROR_CODE: '000', SUBMITTED_AT: null, DONE_AT: done },
    { SEGMENT_INDEX: 1, PARTS: 2, SMSC_ID: 'def', STATUS: 'submitted', STAT: null, ERROR_CODE: null, SUBMITTED_AT: new Date(t0), DONE_AT: null },
  ));
  const parts = await new OracleStore(aq.pool(), settings).findMessageParts('acme' as ClientId, 'm1' as MessageId);
  assert.deepEqual(parts, [
    { index: 0, of: null, smscId: 'abc', status: 'delivered', stat: 'DELIVRD', errorCode: '000', submittedAt: null, doneAt: done },
    { index: 1, of: 2, smscId: 'def', status: 'submitted', stat: null, errorCode: null, submittedAt: new Date(t0), doneAt: null },
  ]);
});
