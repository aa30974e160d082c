import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Errors, SmsprocError } from '../../daemon/domain/errors.js';
import type { BindId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import { AqQueues, type Binds } from '../../daemon/storage/oracle/aq-session.js';
import { oracleQueries } from '../../daemon/storage/oracle/sql-files.js';
import { OracleStore } from '../../daemon/storage/oracle/store.js';
import { request, submission } from '../storage/fixtures.js';
import { FakeAq, oracleError, type Handler } from './oracle-fake-session.js';

/**
 * Oracle adapter only: the operators' cancel and resend against the fake queue: what each writes,
 * in which order, what it leaves in AQ, and what it refuses without writing anything.
 */

const bind = 'mts-1/bind/0' as BindId;
const settings = { queue: { maxRetries: 2, retryDelayMs: 30_000, retentionMs: 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 10 };
const rows = (...list: Record<string, unknown>[]): Handler => () => ({ rows: list, rowsAffected: list.length });

function storeOn(aq: FakeAq): OracleStore {
  return new OracleStore(aq.pool(), settings);
}

/** The ledger row the target query answers for message `id`. */
function target(id: string, fields: Record<string, unknown>): Handler {
  return rows({
    ID: id, CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SEGMENTS: 2, PRIORITY: 0, EXPIRES_AT: new Date(Date.now() + 3_600_000),
    ACCEPTED_AT: new Date(Date.now() - 60_000), STATUS: 'accepted', QUEUE_STATE: 'QUEUED', AQ_WAITING: 0, VALIDITY_ENDED: 0, ...fields,
  });
}

/** What the transaction did besides reading (statements, AQ operations, commit or rollback). */
function writes(aq: FakeAq): string[] {
  return aq.log.filter((entry) => !/^execute (mt_admin\.target|dlr_events\.context)$/.test(entry) && entry !== 'release');
}

test('Oracle admin: a cancel locks the ledger row, ends it cancelled with history and DLR event, and leaves AQ as it is', async () => {
  const aq = new FakeAq();
  const message = submission('acme', 'mts-1');
  await storeOn(aq).enqueueMt([request('acme', [message])]);
  aq.handlers.set('mt_admin.target', target(message.id, {}));
  aq.handlers.set('dlr_events.context', rows({
    ID: message.id, CLIENT_ID: 'acme', CLIENT_REF: null, RECIPIENT: '7916', SENDER: 'ACME', SEGMENTS: 1, SUBMITTED_AT: null,
    DLR_REQUESTED: 1, KANNEL_DLR_MASK: null, KANNEL_DLR_URL: null, SOURCE: 'http', DLR_URL: 'https://acme.test/dlr', SMSC_ID: null,
  }));
  let reason: unknown = null;
  aq.handlers.set('mt_admin.cancel', (binds: Binds) => {
    reason = binds.reason;
    return { rows: [], rowsAffected: 1 };
  });
  aq.log.length = 0;
  assert.deepEqual(await storeOn(aq).cancelMt(message.id, 'wrong text'), { kind: 'done', status: 'cancelled' });
  assert.equal(aq.log[0], 'execute mt_admin.target', 'the row is locked before anything changes');
  assert.match(oracleQueries('mt_admin')('target').sql, /\bFOR UPDATE$/);
  assert.match(oracleQueries('mt_admin')('cancel').sql, /AND queue_state = 'QUEUED'$/, 'and only a QUEUED row is cancelled');
  assert.match(oracleQueries('mt')('lease').sql, /AND queue_state = 'QUEUED'/, 'a claim leases only QUEUED rows: it drops a cancelled copy');
  assert.deepEqual(writes(aq), ['execute mt_admin.cancel', 'execute mt.addEvent', 'execute outbox.insert', 'commit']);
  assert.equal(reason, 'wrong text');
  assert.equal(aq.visible(AqQueues.mt).length, 1, 'the AQ message stays until a claim dequeues it');
});

test('Oracle admin: the claim that dequeues a cancelled message drops it: nothing claimed, gone from AQ at commit', async () => {
  const aq = new FakeAq();
  await storeOn(aq).enqueueMt([request('acme', [submission('acme', 'mts-1')])]);
  aq.handlers.set('mt.epochLocked', rows({ EPOCH: 1 }));
  // The ledger row is PROCESSED: the lease, which takes only QUEUED rows, changes nothing.
  aq.handlers.set('mt.lease', () => ({ rows: [], rowsAffected: 0 }));
  const claimed = await storeOn(aq).claimMt({ routeId: 'mts-1' as RouteId, bindId: bind, epoch: 1, owner: 'node-a', limit: 5, leaseMs: 30_000 });
  assert.deepEqual(claimed, []);
  assert.equal(aq.visible(AqQueues.mt).length, 0);
});

test('Oracle admin: a cancel of a message in flight, final or unknown changes nothing', async () => {
  const aq = new FakeAq();
  const store = storeOn(aq);
  aq.handlers.set('mt_admin.target', target('m1', { QUEUE_STATE: 'IN_FLIGHT' }));
  assert.deepEqual(await store.cancelMt('m1' as MessageId, 'x'), { kind: 'refused', status: 'accepted', why: 'it is being submitted now' });
  aq.handlers.set('mt_admin.target', target('m1', { QUEUE_STATE: 'PROCESSED', STATUS: 'delivered' }));
  assert.deepEqual(await store.cancelMt('m1' as MessageId, 'x'), { kind: 'refused', status: 'delivered', why: 'it is no longer queued' });
  aq.handlers.set('mt_admin.target', rows());
  assert.deepEqual(await store.cancelMt('m1' as MessageId, 'x'), { kind: 'not_found' });
  assert.deepEqual(writes(aq), ['commit', 'commit', 'commit']);
});

test('Oracle admin: a resend enqueues the message READY with attempts from 0, then opens the ledger row, in one transaction', async () => {
  for (const queueState of ['EXCEPTION', 'PROCESSED', 'IN_DOUBT']) {
    const aq = new FakeAq();
    aq.handlers.set('mt_admin.target', target('m1', { STATUS: queueState === 'IN_DOUBT' ? 'in_doubt' : 'failed', QUEUE_STATE: queueState }));
    assert.deepEqual(await storeOn(aq).requeueMt('m1' as MessageId, 'resent by ops'), { kind: 'done', status: 'accepted' }, queueState);
    assert.deepEqual(writes(aq), [`enqueue ${AqQueues.mt} x1`, 'execute mt_admin.requeue', 'execute mt.addEvent', 'commit']);
    const [queued, ...more] = aq.visible(AqQueues.mt);
    assert.deepEqual(more, []);
    assert.deepEqual(
      [queued?.correlation, queued?.priority, queued?.delaySeconds, queued?.payload.ATTEMPTS, queued?.payload.READY_AT, queued?.payload.SEGMENTS],
      ['mts-1', 0, 0, 0, null, 2],
    );
  }
});

test('Oracle admin: a resend refuses other statuses, ended validity and rows in the queue, without writing', async () => {
  const aq = new FakeAq();
  const store = storeOn(aq);
  const cases: [Record<string, unknown>, string][] = [
    [{ STATUS: 'accepted' }, 'only failed or in-doubt messages are resent'],
    [{ STATUS: 'failed', QUEUE_STATE: 'EXCEPTION', VALIDITY_ENDED: 1 }, 'its validity period has ended'],
    [{ STATUS: 'in_doubt', QUEUE_STATE: 'QUEUED', AQ_WAITING: 1 }, 'its queue row is WAITING'],
    [{ STATUS: 'failed', QUEUE_STATE: 'IN_FLIGHT' }, 'its queue row is IN_FLIGHT'],
  ];
  for (const [fields, why] of cases) {
    aq.handlers.set('mt_admin.target', target('m1', fields));
    const outcome = await store.requeueMt('m1' as MessageId, 'x');
    assert.equal(outcome.kind === 'refused' && outcome.why, why);
  }
  assert.deepEqual(writes(aq), ['commit', 'commit', 'commit', 'commit']);
  assert.equal(aq.visible(AqQueues.mt).length, 0);
});

test('Oracle admin: a resend whose enqueue loses the connection rejects STORE_UNAVAILABLE and rolls back', async () => {
  const aq = new FakeAq();
  aq.handlers.set('mt_admin.target', target('m1', { STATUS: 'failed', QUEUE_STATE: 'PROCESSED' }));
  aq.failNext.set('enqueue', oracleError('NJS-500', 'connection to the Oracle Database was broken'));
  await assert.rejects(storeOn(aq).requeueMt('m1' as MessageId, 'x'), (error: unknown) => {
    assert.ok(error instanceof SmsprocError);
    assert.equal(error.definition, Errors.STORE_UNAVAILABLE);
    return true;
  });
  assert.deepEqual(writes(aq), [`enqueue ${AqQueues.mt} x1`, 'rollback']);
  assert.equal(aq.visible(AqQueues.mt).length, 0);
});
