/**
 * PostgreSQL store figures: enqueue rate (one message per call, and batched calls), and claim + ack
 * rate (binds claiming a window and acking it at once, with plain and with fair claims), in a schema of its own that is dropped at the
 * end, with the once-a-second sweep running as on a node. Each phase is bounded by a message count and a time limit, so a run stays under a minute.
 * Run: npm run bench:postgres   (server: SMSPROC_BENCH_PG_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { bindIdOf, newMessageId, type BindId, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { EnqueueRequest, MtSubmission } from '../../daemon/storage/port.js';
import { openPostgresStore, type PostgresStore } from '../../daemon/storage/postgres/store.js';

const url = process.env.SMSPROC_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const phaseLimitMs = 15_000;
const routeId = 'bench' as RouteId;
const clientId = 'bench' as ClientId;

function message(): MtSubmission {
  return {
    id: newMessageId(), clientId, clientRef: null, routeId, sender: 'BENCH', recipient: '79160000000', text: 'Your code is 1234',
    encoding: 'gsm7', segments: 1, priority: 1, notBefore: null, expiresAt: new Date(Date.now() + 3_600_000), dlrRequested: true,
    kannelDlrMask: null, kannelDlrUrl: null, source: 'http',
  };
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

async function run(store: PostgresStore): Promise<Figure[]> {
  await store.applyProvisioning([
    {
      op: 'route.put',
      route: {
        id: routeId, host: '127.0.0.1', port: 2775, tls: false, systemId: 'b', password: 'b', systemType: '', bindMode: 'transceiver',
        binds: 4, windowSize: 100, tps: 100_000, defaultDataCoding: 0, gsmPacking: 'unpacked', concatenation: 'udh8',
        receiptIdFormat: 'auto', inDoubtPolicy: 'hold', sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1, disabled: false,
      },
    },
    {
      op: 'client.put',
      client: {
        id: clientId, name: 'bench', login: 'bench', passwordHash: null, urlToken: 'bench', virtualPort: null, disabled: false, demo: false,
        allowedIps: [], senders: ['BENCH'], reservedTps: 0, maxTps: null, maxQueued: 10_000_000, dlrUrl: null, moUrl: null,
        callbackFormat: 'post-json', callbackSecret: 'x', shortCodes: [], keywords: [], moReplyAllowed: false, smpp: null,
      },
    },
  ]);
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
  return figures;
}

const schema = `smsproc_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const store = openPostgresStore({
  url, schema, poolSize: 16, applicationName: 'smsproc-bench',
  queue: { maxRetries: 5, retryDelayMs: 30_000, retentionMs: 7 * 86_400_000 }, idempotencyRetentionMs: 86_400_000, demoFreeSegments: 0,
});
try {
  await store.migrate();
  // As on a node: the once-a-second sweep runs alongside (it also keeps the queue table's statistics fresh).
  const sweeper = setInterval(() => void store.sweepMt().catch(() => undefined), 1000);
  const figures = await run(store).finally(() => clearInterval(sweeper));
  console.log(`${'phase'.padEnd(52)}  ${'messages'.padStart(8)}  ${'seconds'.padStart(7)}  ${'per second'.padStart(10)}`);
  for (const figure of figures) {
    console.log(`${figure.phase.padEnd(52)}  ${String(figure.messages).padStart(8)}  ${figure.seconds.toFixed(1).padStart(7)}  ${Math.round(figure.messages / figure.seconds).toString().padStart(10)}`);
  }
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
