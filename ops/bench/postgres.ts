/**
 * PostgreSQL store figures: enqueue rate (one message per call, and batched calls), and claim + ack
 * rate (binds claiming a window and acking it at once, with plain and with fair claims), and the
 * callback outbox's claim + complete rate with one node's senders and with four nodes' (each its own
 * pool, as in a cluster; the claims share one lock), in a schema of its own that is dropped at the
 * end, with the once-a-second sweep running as on a node. Each phase is bounded by a message count and a time limit, so a run stays under a minute.
 * Run: npm run bench:postgres   (server: SMSPROC_BENCH_PG_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 *
 * Steady mode (`-- --steady-minutes N --rate R`): R messages per second enqueued for N minutes while
 * four binds claim (polling every 10 ms when a claim comes back short) and ack, as on a node; prints
 * the claim latency per minute (p50, p99 of the claims that returned messages), the ratio of the
 * last minute's p99 to the second minute's (does latency drift as dead tuples accumulate?), and the
 * tables' dead tuples and last autovacuum at the end, from the DBA views. It prints whether the
 * server's autovacuum is on; `--vacuum-every S` runs `VACUUM mt_queue` every S seconds itself, to
 * stand in for autovacuum on a server where it is off (the CI server of this machine).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { bindIdOf, type BindId, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { EnqueueRequest, MoInput, MtSubmission } from '../../daemon/storage/port.js';
import { openPostgresStore, type PostgresStore } from '../../daemon/storage/postgres/store.js';
import { benchClient, benchMessage, benchRoute } from './store-fixtures.js';

const url = process.env.SMSPROC_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const phaseLimitMs = 15_000;
const routeId = 'bench' as RouteId;
const clientId = 'bench' as ClientId;
/** The client whose MO callbacks the outbox phases send. */
const moClientId = 'bench-mo' as ClientId;

function message(): MtSubmission {
  return benchMessage(clientId, routeId, 'BENCH');
}

function requestOf(messages: readonly MtSubmission[]): EnqueueRequest {
  return { clientId, idempotencyKey: null, requestHash: randomUUID(), messages };
}

interface Figure { readonly phase: string; readonly messages: number; readonly seconds: number }

/** `workers` loops, each running `step` (which returns how many messages it handled) until the count or the time limit. */
async function measure(phase: string, target: number, workers: number, step: () => Promise<number>): Promise<Figure> {
  let done = 0;
  const started = performance.now();
  const loop = async (): Promise<void> => {
    while (done < target && performance.now() - started < phaseLimitMs) {
      const handled = await step();
      if (handled === 0) return;
      done += handled;
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  return { phase, messages: done, seconds: (performance.now() - started) / 1000 };
}

async function provision(store: PostgresStore): Promise<void> {
  await store.applyProvisioning([
    { op: 'route.put', route: benchRoute(routeId, 4) },
    { op: 'client.put', client: benchClient(clientId, { senders: ['BENCH'] }) },
    { op: 'client.put', client: benchClient(moClientId, { name: 'bench mo', moUrl: 'http://127.0.0.1:9/mo', shortCodes: ['4242'] }) },
  ]);
}

function moOf(n: number): MoInput {
  return {
    routeId, source: '79161234567', shortCode: '4242', text: `VOTE ${n}`, clientId: moClientId, keyword: 'VOTE', args: String(n),
    partial: false, missingParts: [], dedupKey: null, dedupUntil: null, receivedAt: new Date(), consumedPartIds: [],
  };
}

/**
 * `events` MO callbacks raised, then `nodes` stores each with four senders claiming (at most 32 in
 * flight for the client, as the sender's default) and completing every event delivered at once.
 */
async function callbackPhase(stores: readonly PostgresStore[], events: number): Promise<Figure> {
  const [first] = stores;
  if (first === undefined) throw new Error('no store');
  for (let n = 0; n < events; n += 100) await Promise.all(Array.from({ length: Math.min(100, events - n) }, (_, i) => first.recordMo(moOf(n + i))));
  let next = 0;
  return measure(`callback claim + complete, ${stores.length} node(s) x 4 senders`, events, stores.length * 4, async () => {
    const index = next++ % stores.length;
    const store = stores[index] as PostgresStore;
    const owner = `node-${index}`;
    const claimed = await store.claimCallbacks({ owner, limit: 32, perClientLimit: 32, leaseMs: 60_000, scope: { http: true, smppClients: [] } });
    await Promise.all(claimed.map((event) => store.completeCallback(event.id, owner, { kind: 'delivered' })));
    return claimed.length;
  });
}

async function run(store: PostgresStore, nodes: readonly PostgresStore[]): Promise<Figure[]> {
  await provision(store);
  const figures: Figure[] = [];
  figures.push(await measure('enqueue, 1 message per call, 256 calls in flight', 60_000, 256, async () => {
    await store.enqueueMt([requestOf([message()])]);
    return 1;
  }));
  figures.push(await measure('enqueue, 500 requests per call, 4 calls in flight', 200_000, 4, async () => {
    await store.enqueueMt(Array.from({ length: 500 }, () => requestOf([message()])));
    return 500;
  }));
  const binds: BindId[] = [0, 1, 2, 3].map((n) => bindIdOf(routeId, n));
  const epochs = new Map<BindId, number>();
  for (const bindId of binds) epochs.set(bindId, await store.acquireBindEpoch(bindId));
  let next = 0;
  figures.push(await measure('claim + ack, 4 binds, window 100', 200_000, binds.length, async () => {
    const bindId = binds[next++ % binds.length] as BindId;
    const epoch = epochs.get(bindId) ?? 0;
    const claimed = await store.claimMt({ routeId, bindId, epoch, owner: 'bench', limit: 100, leaseMs: 60_000 });
    if (claimed.length === 0) return 0;
    await store.ackMt(bindId, epoch, claimed.map((m) => ({ id: m.id as MessageId, smscIds: [randomBytes(8).toString('hex')] })));
    return claimed.length;
  }));
  // What dispatch does (bind-loop.ts): fair claims, each client's share twice the window.
  figures.push(await measure('claim + ack, fair claims, 4 binds, window 100', 200_000, binds.length, async () => {
    const bindId = binds[next++ % binds.length] as BindId;
    const epoch = epochs.get(bindId) ?? 0;
    const claimed = await store.claimMt({ routeId, bindId, epoch, owner: 'bench', limit: 100, leaseMs: 60_000, perClientLimit: 200 });
    if (claimed.length === 0) return 0;
    await store.ackMt(bindId, epoch, claimed.map((m) => ({ id: m.id as MessageId, smscIds: [randomBytes(8).toString('hex')] })));
    return claimed.length;
  }));
  figures.push(await callbackPhase([store], 10_000));
  figures.push(await callbackPhase(nodes, 10_000));
  return figures;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/** R messages per second for N minutes, claimed and acked by four binds; claim latency per minute, dead tuples at the end. */
interface SteadyOptions { readonly minutes: number; readonly rate: number; readonly vacuumEveryS: number | null }

async function steady(store: PostgresStore, options: SteadyOptions): Promise<void> {
  const { minutes, rate } = options;
  await provision(store);
  const autovacuum = (await admin.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]?.autovacuum;
  console.log(`server autovacuum: ${autovacuum ?? '?'}; VACUUM mt_queue by the benchmark: ${options.vacuumEveryS === null ? 'no' : `every ${options.vacuumEveryS} s`}`);
  const binds: BindId[] = [0, 1, 2, 3].map((n) => bindIdOf(routeId, n));
  const epochs = new Map<BindId, number>();
  for (const bindId of binds) epochs.set(bindId, await store.acquireBindEpoch(bindId));
  const latencies: number[][] = Array.from({ length: minutes }, () => []);
  const started = performance.now();
  const endAt = started + minutes * 60_000;
  let enqueued = 0;
  let acked = 0;
  const produce = async (): Promise<void> => {
    // Every 100 ms, what the schedule owes so far: the rate holds even when a call is slow.
    while (performance.now() < endAt) {
      const owed = Math.floor(((performance.now() - started) / 1000) * rate) - enqueued;
      if (owed > 0) {
        await store.enqueueMt(Array.from({ length: owed }, () => requestOf([message()])));
        enqueued += owed;
      }
      await sleep(100);
    }
  };
  const consume = async (bindId: BindId): Promise<void> => {
    const epoch = epochs.get(bindId) ?? 0;
    while (performance.now() < endAt) {
      const before = performance.now();
      const claimed = await store.claimMt({ routeId, bindId, epoch, owner: 'bench', limit: 100, leaseMs: 60_000 });
      const minute = Math.floor((before - started) / 60_000);
      if (claimed.length > 0) {
        latencies[minute]?.push(performance.now() - before);
        await store.ackMt(bindId, epoch, claimed.map((m) => ({ id: m.id as MessageId, smscIds: [randomBytes(8).toString('hex')] })));
        acked += claimed.length;
      }
      if (claimed.length < 100) await sleep(10);
    }
  };
  let vacuums = 0;
  let vacuumMs = 0;
  const vacuum = async (everyS: number): Promise<void> => {
    while (performance.now() + everyS * 1000 < endAt) {
      await sleep(everyS * 1000);
      const before = performance.now();
      await admin.query(`VACUUM ${schema}.mt_queue`);
      vacuumMs += performance.now() - before;
      vacuums += 1;
    }
  };
  await Promise.all([produce(), ...binds.map(consume), ...(options.vacuumEveryS === null ? [] : [vacuum(options.vacuumEveryS)])]);
  console.log(`steady run: ${rate} messages/s for ${minutes} min; enqueued ${enqueued}, claimed and acked ${acked}`);
  if (vacuums > 0) console.log(`VACUUM mt_queue: ${vacuums} times, ${(vacuumMs / vacuums).toFixed(0)} ms on average`);
  console.log(`${'minute'.padStart(6)}  ${'claims'.padStart(7)}  ${'p50 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}`);
  const p99s = latencies.map((list) => {
    const sorted = [...list].sort((a, b) => a - b);
    return { claims: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  });
  p99s.forEach((figure, index) => {
    console.log(`${String(index + 1).padStart(6)}  ${String(figure.claims).padStart(7)}  ${figure.p50.toFixed(1).padStart(7)}  ${figure.p99.toFixed(1).padStart(7)}`);
  });
  const second = p99s[1]?.p99 ?? 0;
  const last = p99s[p99s.length - 1]?.p99 ?? 0;
  console.log(`p99 last minute / p99 second minute: ${second > 0 ? (last / second).toFixed(2) : 'n/a'}`);
  const health = await store.queueHealth();
  console.log(`${'table'.padEnd(24)}  ${'live'.padStart(9)}  ${'dead'.padStart(9)}  last autovacuum`);
  for (const table of health.tables.filter((row) => row.liveTuples + row.deadTuples > 0)) {
    console.log(`${table.table.padEnd(24)}  ${String(table.liveTuples).padStart(9)}  ${String(table.deadTuples).padStart(9)}  ${table.lastAutovacuum?.toISOString() ?? '-'}`);
  }
}

const args = parseArgs({ options: { 'steady-minutes': { type: 'string' }, rate: { type: 'string', default: '2000' }, 'vacuum-every': { type: 'string' } } }).values;
const steadyMinutes = args['steady-minutes'] === undefined ? null : Number(args['steady-minutes']);
const schema = `smsproc_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const open = (poolSize: number): PostgresStore => openPostgresStore({
  url, schema, poolSize, applicationName: 'smsproc-bench',
  queue: { maxRetries: 5, retryDelayMs: 30_000, retentionMs: 7 * 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 0,
});
const store = open(16);
// Three more nodes for the outbox phase (the first is `store`): each its own pool, as in a cluster.
const others = steadyMinutes === null ? [open(4), open(4), open(4)] : [];
try {
  await store.migrate();
  // As on a node: the once-a-second sweep runs alongside (it also keeps the queue table's statistics fresh).
  const sweeper = setInterval(() => void store.sweepMt().catch(() => undefined), 1000);
  if (steadyMinutes !== null) {
    const vacuumEveryS = args['vacuum-every'] === undefined ? null : Number(args['vacuum-every']);
    await steady(store, { minutes: steadyMinutes, rate: Number(args.rate), vacuumEveryS }).finally(() => clearInterval(sweeper));
  } else {
    const figures = await run(store, [store, ...others]).finally(() => clearInterval(sweeper));
    console.log(`${'phase'.padEnd(52)}  ${'messages'.padStart(8)}  ${'seconds'.padStart(7)}  ${'per second'.padStart(10)}`);
    for (const figure of figures) {
      console.log(`${figure.phase.padEnd(52)}  ${String(figure.messages).padStart(8)}  ${figure.seconds.toFixed(1).padStart(7)}  ${Math.round(figure.messages / figure.seconds).toString().padStart(10)}`);
    }
  }
} finally {
  await Promise.all(others.map((other) => other.close()));
  await store.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
