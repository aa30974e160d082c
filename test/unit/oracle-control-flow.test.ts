import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Errors, SmsprocError } from '../../daemon/domain/errors.js';
import type { BindId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import { AqQueues, type Binds } from '../../daemon/storage/oracle/aq-session.js';
import { isUnavailable, oracleErrorCode, storeErrorOf } from '../../daemon/storage/oracle/oracle-errors.js';
import { OracleStore } from '../../daemon/storage/oracle/store.js';
import { request, submission } from '../storage/fixtures.js';
import { FakeAq, oracleError } from './oracle-fake-session.js';

const bind = 'mts-1/bind/0' as BindId;
const settings = { queue: { maxRetries: 2, retryDelayMs: 30_000, retentionMs: 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 10 };

function storeOn(aq: FakeAq): OracleStore {
  return new OracleStore(aq.pool(), settings);
}

/** A fake ledger for claims: the bind is at epoch 1, leased ids are read back by the claim query. */
function claimable(aq: FakeAq): string[] {
  const leased: string[] = [];
  aq.handlers.set('mt.epochLocked', () => ({ rows: [{ EPOCH: 1 }], rowsAffected: 0 }));
  aq.handlers.set('mt.lease', (binds: Binds) => {
    leased.push(String(binds.id));
    return { rows: [], rowsAffected: 1 };
  });
  aq.handlers.set('mt.claimed', () => ({
    rows: leased.map((id) => ({
      ID: id, CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SENDER: 'ACME', RECIPIENT: '7916', TEXT: 'x', ENCODING: 'gsm7', SEGMENTS: 1,
      PRIORITY: 1, EXPIRES_AT: new Date(), DLR_REQUESTED: 0, ATTEMPTS: 1, ACCEPTED_AT: new Date(),
    })),
    rowsAffected: 0,
  }));
  return leased;
}

async function enqueued(aq: FakeAq, count: number, routeId = 'mts-1'): Promise<MessageId[]> {
  const messages = Array.from({ length: count }, () => submission('acme', routeId));
  await storeOn(aq).enqueueMt([request('acme', messages)]);
  return messages.map((message) => message.id);
}

test('Oracle control flow: enqueue writes the ledger rows and the AQ messages in one transaction, visible at commit', async () => {
  const aq = new FakeAq();
  const outcomes = await storeOn(aq).enqueueMt([request('acme', [submission('acme', 'mts-1'), submission('acme', 'mts-2')])]);
  assert.equal(outcomes[0]?.kind, 'accepted');
  assert.deepEqual(aq.log.filter((entry) => !entry.startsWith('execute mt.isDemo')), [
    'executeMany mt.insertMessage x2', `enqueue ${AqQueues.mt} x2`, 'execute mt.addSegments', 'commit', 'release',
  ]);
  assert.deepEqual(aq.visible(AqQueues.mt).map((message) => message.correlation), ['mts-1', 'mts-2']);
});

test('Oracle control flow: an enqueue whose commit fails with NJS-500 rejects STORE_UNAVAILABLE and leaves nothing in AQ', async () => {
  const aq = new FakeAq();
  aq.failNext.set('commit', oracleError('NJS-500', 'connection to the Oracle Database was broken'));
  await assert.rejects(storeOn(aq).enqueueMt([request('acme', [submission('acme', 'mts-1')])]), (error: unknown) => {
    assert.ok(error instanceof SmsprocError);
    assert.equal(error.definition, Errors.STORE_UNAVAILABLE);
    return true;
  });
  assert.ok(aq.log.includes('rollback'));
  assert.equal(aq.visible(AqQueues.mt).length, 0);
});

test('Oracle control flow: a claim dequeues by route, writes the lease, then commits; the messages leave AQ', async () => {
  const aq = new FakeAq();
  await enqueued(aq, 3);
  await enqueued(aq, 1, 'mts-2');
  const leased = claimable(aq);
  aq.log.length = 0;
  const claimed = await storeOn(aq).claimMt({ routeId: 'mts-1' as RouteId, bindId: bind, epoch: 1, owner: 'node-a', limit: 2, leaseMs: 30_000 });
  assert.equal(claimed.length, 2);
  assert.deepEqual(claimed.map((message) => message.id), leased);
  assert.deepEqual(aq.log, [
    'execute mt.epochLocked', `dequeue ${AqQueues.mt} mts-1 max 2`, 'executeMany mt.lease x2', 'execute mt.claimed', 'commit', 'release',
  ]);
  assert.deepEqual(aq.visible(AqQueues.mt).map((message) => message.correlation).sort(), ['mts-1', 'mts-2']);
});

test('Oracle control flow: a claim whose lease write loses the connection rolls back: the messages stay in AQ', async () => {
  const aq = new FakeAq();
  await enqueued(aq, 2);
  claimable(aq);
  aq.log.length = 0;
  aq.failNext.set('mt.lease', oracleError('ORA-03113', 'end-of-file on communication channel'));
  await assert.rejects(
    storeOn(aq).claimMt({ routeId: 'mts-1' as RouteId, bindId: bind, epoch: 1, owner: 'node-a', limit: 10, leaseMs: 30_000 }),
    (error: unknown) => error instanceof SmsprocError && error.definition === Errors.STORE_UNAVAILABLE,
  );
  assert.ok(!aq.log.includes('commit'));
  assert.ok(aq.log.includes('rollback'));
  assert.equal(aq.visible(AqQueues.mt).length, 2);
});

test('Oracle control flow: a failure that is not a connection error is rethrown as it is, after a rollback', async () => {
  const aq = new FakeAq();
  await enqueued(aq, 1);
  claimable(aq);
  const schemaError = oracleError('ORA-00904', '"CLAIM_ID": invalid identifier');
  aq.failNext.set('mt.lease', schemaError);
  await assert.rejects(storeOn(aq).claimMt({ routeId: 'mts-1' as RouteId, bindId: bind, epoch: 1, owner: 'n', limit: 1, leaseMs: 1000 }), (error: unknown) => error === schemaError);
  assert.ok(aq.log.includes('rollback'));
  assert.equal(aq.visible(AqQueues.mt).length, 1);
});

test('Oracle control flow: a claim with a stale epoch dequeues nothing', async () => {
  const aq = new FakeAq();
  await enqueued(aq, 2);
  claimable(aq);
  aq.handlers.set('mt.epochLocked', () => ({ rows: [{ EPOCH: 2 }], rowsAffected: 0 }));
  const claimed = await storeOn(aq).claimMt({ routeId: 'mts-1' as RouteId, bindId: bind, epoch: 1, owner: 'n', limit: 5, leaseMs: 1000 });
  assert.equal(claimed.length, 0);
  assert.ok(!aq.log.some((entry) => entry.startsWith('dequeue')));
  assert.equal(aq.visible(AqQueues.mt).length, 2);
});

function heldAt(aq: FakeAq, attempts: number): void {
  aq.handlers.set('mt.epochLocked', () => ({ rows: [{ EPOCH: 1 }], rowsAffected: 0 }));
  aq.handlers.set('mt.held', (binds: Binds) => ({
    rows: [{
      ID: binds.id, CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SEGMENTS: 1, PRIORITY: 1, EXPIRES_AT: new Date(Date.now() + 3_600_000),
      ACCEPTED_AT: new Date(), QUEUE_STATE: 'IN_FLIGHT', BIND_ID: bind, EPOCH: 1, ATTEMPTS: attempts,
    }],
    rowsAffected: 0,
  }));
}

test('Oracle control flow: a retry nack re-enqueues into the MT queue with the queue retry_delay, in the nack transaction', async () => {
  const aq = new FakeAq();
  heldAt(aq, 1);
  const result = await storeOn(aq).nackMt(bind, 1, [{ id: 'm1' as MessageId, disposition: { kind: 'retry' } }]);
  assert.deepEqual(result.applied, ['m1']);
  const [message] = aq.visible(AqQueues.mt);
  assert.equal(message?.delaySeconds, 30);
  assert.equal(message?.payload.ATTEMPTS, 1);
  assert.equal(aq.visible(AqQueues.mtException).length, 0);
  assert.ok(aq.log.indexOf('execute mt.requeue') < aq.log.indexOf('commit'));
});

test('Oracle control flow: a retry delay under a second holds the message back for that long, not a whole second', async () => {
  const aq = new FakeAq();
  heldAt(aq, 1);
  await storeOn(aq).nackMt(bind, 1, [{ id: 'm1' as MessageId, disposition: { kind: 'retry', delayMs: 80 } }]);
  const session = await aq.pool().acquire();
  assert.equal((await session.dequeue(AqQueues.mt, 'mts-1', 10)).length, 0);
  await session.rollback();
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal((await session.dequeue(AqQueues.mt, 'mts-1', 10)).length, 1);
  await session.rollback();
});

test('Oracle control flow: a retry nack past max_retries moves the message to the exception queue and fails it', async () => {
  const aq = new FakeAq();
  heldAt(aq, 3);
  const finals: Binds[] = [];
  aq.handlers.set('mt.markFinal', (binds) => {
    finals.push(binds);
    return { rows: [], rowsAffected: 1 };
  });
  await storeOn(aq).nackMt(bind, 1, [{ id: 'm1' as MessageId, disposition: { kind: 'retry', delayMs: 1000 } }]);
  assert.equal(aq.visible(AqQueues.mt).length, 0);
  assert.equal(aq.visible(AqQueues.mtException).length, 1);
  assert.equal(finals[0]?.queue_state, 'EXCEPTION');
  assert.equal(finals[0]?.status, 'failed');
});

test('Oracle control flow: a nack with a stale epoch is refused and enqueues nothing', async () => {
  const aq = new FakeAq();
  heldAt(aq, 1);
  aq.handlers.set('mt.epochLocked', () => ({ rows: [{ EPOCH: 2 }], rowsAffected: 0 }));
  const result = await storeOn(aq).nackMt(bind, 1, [{ id: 'm1' as MessageId, disposition: { kind: 'retry' } }]);
  assert.deepEqual(result.refusedStaleEpoch, ['m1']);
  assert.deepEqual(result.applied, []);
  assert.ok(!aq.log.some((entry) => entry.startsWith('enqueue')));
});

test('Oracle control flow: a pool that cannot connect (NJS-503) rejects STORE_UNAVAILABLE', async () => {
  const store = new OracleStore({
    acquire: () => Promise.reject(oracleError('NJS-503', 'connection to host 127.0.0.1 port 1 could not be established')),
    close: async () => undefined,
  }, settings);
  await assert.rejects(store.provisioningVersion(), (error: unknown) => error instanceof SmsprocError && error.definition === Errors.STORE_UNAVAILABLE);
});

test('Oracle errors: connection failures are STORE_UNAVAILABLE, everything else stays as it is', () => {
  for (const code of ['NJS-500', 'NJS-501', 'NJS-503', 'NJS-510', 'NJS-511', 'NJS-521', 'NJS-040', 'ORA-03113', 'ORA-03114', 'ORA-03135', 'ORA-12541', 'ORA-12514', 'ORA-01089', 'DPI-1080']) {
    assert.equal(isUnavailable(oracleError(code)), true, code);
  }
  for (const code of ['ORA-00001', 'ORA-00942', 'ORA-01400', 'NJS-005', 'ORA-25214']) {
    assert.equal(isUnavailable(oracleError(code)), false, code);
  }
  assert.equal(isUnavailable(new Error('plain')), false);
  assert.equal(oracleErrorCode({ message: 'ORA-12541: TNS:no listener' }), 'ORA-12541');
  const mapped = storeErrorOf(oracleError('NJS-500'));
  assert.ok(mapped instanceof SmsprocError && mapped.retryAfterS === 1);
});
