import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import type { Binds } from '../../daemon/storage/oracle/aq-session.js';
import { OracleStore } from '../../daemon/storage/oracle/store.js';
import type { MoInput } from '../../daemon/storage/port.js';
import { FakeAq, type Handler } from './oracle-fake-session.js';

/**
 * Oracle adapter only: the statistics reads and the channel of SMPP clients' events against the fake
 * session: which statement a window picks (one client or all), what it binds, and how rows become
 * the port's values.
 */

const settings = { queue: { maxRetries: 2, retryDelayMs: 30_000, retentionMs: 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 10 };
const acme = 'acme' as ClientId;
const since = new Date('2026-11-26T00:00:00Z');
const until = new Date('2026-11-27T00:00:00Z');

function recordingBinds(aq: FakeAq, name: string, list: Record<string, unknown>[]): Binds[] {
  const seen: Binds[] = [];
  const handler: Handler = (binds) => {
    seen.push(binds);
    return { rows: list, rowsAffected: 0 };
  };
  aq.handlers.set(name, handler);
  return seen;
}

test('Oracle stats: the summary adds the status rows up, rounds latencies to ms, and picks the one-client statement', async () => {
  const aq = new FakeAq();
  const binds = recordingBinds(aq, 'stats.summaryOfClient', [
    { STATUS: 'delivered', MESSAGES: 2, SEGMENTS: 3, SUBMITTED: 2, LATENCY_SUM: 3000.5, LATENCY_MAX: 2000.4, LATENCY_N: 2 },
    { STATUS: 'failed', MESSAGES: 1, SEGMENTS: 1, SUBMITTED: 0, LATENCY_SUM: null, LATENCY_MAX: null, LATENCY_N: 0 },
  ]);
  const summary = await new OracleStore(aq.pool(), settings).statsSummary({ clientId: acme, since, until });
  assert.deepEqual(summary, {
    messages: 3, segments: 4, byStatus: { delivered: 2, failed: 1 }, submitted: 2, deliveryLatencyMeanMs: 1500, deliveryLatencyMaxMs: 2000,
  });
  assert.deepEqual(binds, [{ since, until, client_id: acme }]);
  const none = await new OracleStore(aq.pool(), settings).statsSummary({ clientId: null, since, until });
  assert.deepEqual(none, { messages: 0, segments: 0, byStatus: {}, submitted: 0, deliveryLatencyMeanMs: null, deliveryLatencyMaxMs: null });
  assert.ok(aq.log.includes('execute stats.summaryOfAll'), 'every client: the other statement');
});

test('Oracle stats: series buckets start at since plus bucket × index; reports come sorted by key whatever the NLS sort', async () => {
  const aq = new FakeAq();
  const seriesBinds = recordingBinds(aq, 'stats.seriesOfAll', [{ BUCKET: 2, MESSAGES: 4, SEGMENTS: 5, DELIVERED: 3, FAILED: 1 }]);
  const store = new OracleStore(aq.pool(), settings);
  assert.deepEqual(await store.statsSeries({ clientId: null, since, until, bucketMs: 3_600_000 }), [
    { start: new Date('2026-11-26T02:00:00Z'), messages: 4, segments: 5, delivered: 3, failed: 1 },
  ]);
  assert.deepEqual(seriesBinds, [{ since, until, bucket_ms: 3_600_000 }]);
  const row = { MESSAGES: 1, SEGMENTS: 1, DELIVERED: 0, FAILED: 0, EXPIRED: 0, PENDING: 1 };
  const reportBinds = recordingBinds(aq, 'stats.reportOfClient', [{ ...row, GROUP_KEY: 'beta' }, { ...row, GROUP_KEY: 'Zeta' }, { ...row, GROUP_KEY: 'alpha' }]);
  assert.deepEqual((await store.statsReport('sender', { clientId: acme, since, until })).map((r) => r.key), ['Zeta', 'alpha', 'beta']);
  assert.deepEqual(reportBinds, [{ since, until, kind: 'sender', client_id: acme }]);
});

test('Oracle stats: search binds absent filters as null; callback depths come sorted by client, then state', async () => {
  const aq = new FakeAq();
  const searchBinds = recordingBinds(aq, 'stats.search', []);
  const store = new OracleStore(aq.pool(), settings);
  await store.searchMessages({ clientId: acme, since, until, status: 'delivered', limit: 20 });
  assert.deepEqual(searchBinds, [{
    client_id: acme, since, until, recipient: null, id: null, client_ref: null, sender: null, status: 'delivered', max_rows: 20,
  }]);
  const at = new Date();
  aq.handlers.set('stats.callbackDepth', () => ({
    rows: [{ CLIENT_ID: 'zeta', STATE: 'due', EVENTS: 1, OLDEST_CREATED_AT: at }, { CLIENT_ID: 'acme', STATE: 'leased', EVENTS: 2, OLDEST_CREATED_AT: at }],
    rowsAffected: 0,
  }));
  const depths = await store.callbackDepth();
  assert.deepEqual(depths.map((r) => [r.clientId, r.state, r.events]), [['acme', 'leased', 2], ['zeta', 'due', 1]]);
});

test('Oracle events: a receipt of a message submitted over SMPP goes to smpp:, an MO of a client with SMPP access and no MO URL too', async () => {
  const aq = new FakeAq();
  const store = new OracleStore(aq.pool(), settings);
  const urls: unknown[] = [];
  aq.handlers.set('outbox.insert', (binds) => {
    urls.push(binds.url);
    return { rows: [], rowsAffected: 1 };
  });
  const context = {
    ID: 'm1', CLIENT_ID: 'acme', CLIENT_REF: null, RECIPIENT: '7916', SENDER: 'ACME', SEGMENTS: 1, SUBMITTED_AT: null,
    DLR_REQUESTED: 1, KANNEL_DLR_MASK: null, KANNEL_DLR_URL: null, DLR_URL: 'https://acme.test/dlr', SMSC_ID: null,
  };
  aq.handlers.set('mt_admin.target', () => ({
    rows: [{ ID: 'm1', CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', STATUS: 'accepted', QUEUE_STATE: 'QUEUED', AQ_WAITING: 0, VALIDITY_ENDED: 0 }],
    rowsAffected: 0,
  }));
  for (const source of ['smpp', 'http']) {
    aq.handlers.set('dlr_events.context', () => ({ rows: [{ ...context, SOURCE: source }], rowsAffected: 0 }));
    await store.cancelMt('m1' as MessageId, 'x');
  }
  const mo: MoInput = {
    routeId: 'mts-1' as RouteId, source: '7916', shortCode: '4242', text: 'VOTE', clientId: acme, keyword: 'VOTE', args: '', partial: false,
    missingParts: [], dedupKey: null, dedupUntil: null, receivedAt: new Date(), consumedPartIds: [],
  };
  for (const client of [{ MO_URL: null, HAS_SMPP: 1 }, { MO_URL: 'https://acme.test/mo', HAS_SMPP: 1 }, { MO_URL: null, HAS_SMPP: 0 }]) {
    aq.handlers.set('mo.moUrlOf', () => ({ rows: [client], rowsAffected: 0 }));
    await store.recordMo(mo);
  }
  assert.deepEqual(urls, ['smpp:', 'https://acme.test/dlr', 'smpp:', 'https://acme.test/mo']);
});
