import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { BindId, ClientId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import type { Binds } from '../../daemon/storage/oracle/aq-session.js';
import { OracleStore } from '../../daemon/storage/oracle/store.js';
import { clientPut, request, route, submission } from '../storage/fixtures.js';
import { FakeAq, type Handler } from './oracle-fake-session.js';

/**
 * Oracle adapter only: every implemented Store method runs once against the fake session, which
 * refuses a bind set that does not match its statement's placeholders (as ORA-01036/ORA-01008
 * would) and a statement name missing from sql/oracle/queries. The handlers answer just enough
 * rows for each method to walk its whole path (a held message, an existing client and route, …).
 */

const bind = 'mts-1/bind/0' as BindId;
const rows = (...list: Record<string, unknown>[]): Handler => () => ({ rows: list, rowsAffected: list.length || 1 });
const affected = (count: number): Handler => () => ({ rows: [], rowsAffected: count });

function fakeWithLedger(): FakeAq {
  const aq = new FakeAq();
  const message = {
    ID: 'm1', CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SEGMENTS: 1, PRIORITY: 1, EXPIRES_AT: new Date(Date.now() + 3_600_000),
    ACCEPTED_AT: new Date(), QUEUE_STATE: 'IN_FLIGHT', BIND_ID: bind, EPOCH: 1, ATTEMPTS: 1, OWNER: 'n', STATUS: 'accepted',
    CLIENT_REF: null, SENDER: 'ACME', RECIPIENT: '7916', ENCODING: 'gsm7', AQ_WAITING: 0, NOT_BEFORE: null, SUBMITTED_AT: null,
    DONE_AT: null, ERROR_CODE: null, REASON: null, TEXT: 'x', DLR_REQUESTED: 1,
  };
  const handlers: [string, Handler][] = [
    ['mt.epochLocked', rows({ EPOCH: 1 })],
    ['mt.epochOf', rows({ EPOCH: 1 })],
    ['mt.held', rows(message)],
    ['mt.claimed', rows(message)],
    ['mt.inDoubtRows', rows({ ...message, QUEUE_STATE: 'IN_DOUBT' })],
    ['mt.expiring', rows({ ID: 'm2' })],
    ['mt.promotable', rows({ ID: 'm3' })],
    ['mt.lapsing', rows({ ID: 'm4', OWNER: 'n', BIND_ID: bind })],
    ['mt.isDemo', rows({ DEMO: 1 })],
    ['mt.usedSegmentsLocked', rows({ SEGMENTS_USED: 3 })],
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
  ];
  aq.handlers = new Map(handlers);
  return aq;
}

test('Oracle statements: every implemented Store method binds exactly the placeholders of statements that exist', async () => {
  const aq = fakeWithLedger();
  const store = new OracleStore(aq.pool(), {
    queue: { maxRetries: 0, retryDelayMs: 1000, retentionMs: 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 10,
  });
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
  await store.loadProvisioning();
  await store.provisioningVersion();
  await store.findNumberOverrides(['79160000000']);
  await store.countNumberOverrides();
  await store.enqueueMt([request('acme', [submission('acme', 'mts-1', { notBefore: new Date(Date.now() + 60_000) })], { idempotencyKey: 'k1' })]);
  await store.acquireBindEpoch(bind);
  await store.currentBindEpoch(bind);
  await store.claimMt({ routeId: 'mts-1' as RouteId, bindId: bind, epoch: 1, owner: 'n', limit: 5, leaseMs: 1000 });
  await store.ackMt(bind, 1, [{ id: 'm1' as MessageId, smscIds: ['abc', 'def'] }]);
  await store.nackMt(bind, 1, [
    { id: 'm1' as MessageId, disposition: { kind: 'retry' } },
    { id: 'm1' as MessageId, disposition: { kind: 'fail', status: 'rejected', errorCode: 11, reason: 'bad number' } },
  ]);
  await store.renewMtLeases(bind, 1, ['m1' as MessageId], 1000);
  await store.resolveInDoubt('mts-1' as RouteId, 'resend');
  const swept = await store.sweepMt();
  assert.deepEqual([swept.expired, swept.promoted, swept.inDoubt], [1, 1, 1]);
  const view = await store.findMessage(acme, { id: 'm1' as MessageId });
  assert.equal(view?.queueState, 'IN_FLIGHT');
  await store.findMessage(acme, { clientRef: 'ref' });
  assert.equal((await store.clientBalance(acme)).demoRemaining, 7);
  await store.queuedByClient();
  const statements = new Set(aq.log.filter((entry) => entry.startsWith('execute')).map((entry) => entry.split(' ')[1]));
  assert.ok(statements.size >= 50, `${statements.size} statements exercised`);
});

test('Oracle statements: a bind set that misses a placeholder is refused by the fake, as by the server', async () => {
  const aq = new FakeAq();
  const session = await aq.pool().acquire();
  const statement = { name: 'x', sql: 'UPDATE t SET a = :a WHERE id = :id' };
  await assert.rejects(session.execute(statement, { a: 1 } satisfies Binds), /ORA-01008/);
  await assert.rejects(session.execute(statement, { a: 1, id: 2, b: 3 }), /ORA-01036/);
});
