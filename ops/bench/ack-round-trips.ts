/**
 * Round trips of an ack on PostgreSQL, counted at the `pg` client (every query a pooled connection
 * sends is one round trip: the transaction's BEGIN with its clock read, each statement, COMMIT):
 * an ack of one message, of a group of ten, of one message applying a receipt held for it, and of ten
 * each applying one; and each ack's time (median and p90 of `--repeat` acks, one at a time, on a pool
 * of one connection). In a schema of its own, dropped at the end.
 * Run: npx tsc -p tsconfig.json && node dist/ops/bench/ack-round-trips.js   (server: SMSPROC_BENCH_PG_URL)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { bindIdOf, type BindId, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { MtSubmission } from '../../daemon/storage/port.js';
import { openPostgresStore, type PostgresStore } from '../../daemon/storage/postgres/store.js';
import { benchClient, benchMessage, benchRoute } from './store-fixtures.js';

const url = process.env.SMSPROC_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const { values: args } = parseArgs({ options: { repeat: { type: 'string', default: '50' } } });
const repeat = Math.max(1, Number(args.repeat));
const routeId = 'rt' as RouteId;
const clientId = 'rt' as ClientId;

let queries = 0;
const query = pg.Client.prototype.query;
// Counts what the pool's connections send; the admin connection below is not counted while idle.
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]): unknown {
  queries += 1;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

function message(): MtSubmission {
  return benchMessage(clientId, routeId, 'RT');
}

async function provision(store: PostgresStore): Promise<void> {
  await store.applyProvisioning([
    { op: 'route.put', route: benchRoute(routeId, 1) },
    { op: 'client.put', client: benchClient(clientId, { senders: ['RT'], maxQueued: 1_000_000, dlrUrl: 'http://127.0.0.1:9/dlr' }) },
  ]);
}

interface AckFigure { readonly trips: number; readonly ms: number }

/** Claims `count` messages, holds a receipt for each when `held`, and counts the ack's round trips and time. */
async function ackCase(store: PostgresStore, bindId: BindId, epoch: number, count: number, held: boolean): Promise<AckFigure> {
  const messages = Array.from({ length: count }, message);
  await store.enqueueMt([{ clientId, idempotencyKey: null, requestHash: randomUUID(), messages }]);
  const claimed = await store.claimMt({ routeId, bindId, epoch, owner: 'rt', limit: count, leaseMs: 60_000 });
  const results = claimed.map((m) => ({ id: m.id as MessageId, smscIds: [randomBytes(8).toString('hex')] }));
  if (held) {
    for (const result of results) {
      const outcome = await store.applyReceipt({
        routeId, bindId, smscIdCandidates: result.smscIds, status: 'delivered', stat: 'DELIVRD', errorCode: '000', doneAt: null,
        raw: 'id:x stat:DELIVRD', receiptHoldMs: 60_000,
      });
      if (outcome.kind !== 'held') throw new Error(`receipt not held: ${outcome.kind}`);
    }
    // The receipts' wake-up throttle sends one trailing NOTIFY up to 20 ms later (wakeups.ts): let it
    // go before the ack's round trips are counted.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const before = queries;
  const started = performance.now();
  const outcome = await store.ackMt(bindId, epoch, results);
  const ms = performance.now() - started;
  const trips = queries - before;
  if (outcome.applied.length !== count) throw new Error(`ack applied ${outcome.applied.length} of ${count}`);
  if (held) {
    for (const m of claimed) {
      const view = await store.findMessage(clientId, { id: m.id as MessageId });
      if (view?.status !== 'delivered') throw new Error(`held receipt not applied to ${m.id}: ${view?.status ?? 'missing'}`);
    }
  }
  return { trips, ms };
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const schema = `smsproc_rt_${Date.now().toString(36)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const store = openPostgresStore({
    url, schema, poolSize: 1, applicationName: 'smsproc-ack-round-trips', demoFreeSegments: 0, idempotencyRetentionMs: 3_600_000,
    queue: { maxRetries: 3, retryDelayMs: 1000, retentionMs: 86_400_000 },
  });
  try {
    await store.migrate();
    await provision(store);
    const bindId = bindIdOf(routeId, 0);
    const epoch = await store.acquireBindEpoch(bindId);
    await ackCase(store, bindId, epoch, 1, false);
    for (const [label, count, held] of [['ack of 1 message', 1, false], ['ack of a group of 10', 10, false],
      ['ack of 1 message applying a held receipt', 1, true], ['ack of 10, each applying a held receipt', 10, true]] as const) {
      const figures: AckFigure[] = [];
      for (let n = 0; n < repeat; n += 1) figures.push(await ackCase(store, bindId, epoch, count, held));
      const trips = new Set(figures.map((figure) => figure.trips));
      const ms = figures.map((figure) => figure.ms).sort((a, b) => a - b);
      const at = (p: number): string => (ms[Math.min(ms.length - 1, Math.floor(ms.length * p))] ?? 0).toFixed(2);
      console.log(`${label}: ${[...trips].join('/')} round trips; ${at(0.5)} ms median, ${at(0.9)} ms p90 over ${repeat} acks`);
    }
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

await main();
