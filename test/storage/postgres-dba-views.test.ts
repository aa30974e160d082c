import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { bindIdOf, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import { hasQueueHealth, type QueueHealth } from '../../daemon/storage/postgres/dba-views.js';
import type { PostgresStore } from '../../daemon/storage/postgres/store.js';
import { pgUnreachable, withAdmin } from '../support/postgres.js';
import { clientPut, HOUR_MS, mo, moPart, request, route, submission } from './fixtures.js';
import { openTestPostgresStore } from './postgres-factory.js';

/**
 * The DBA views of sql/postgres/004_dba_views.sql on a real server: what they count for a known set
 * of messages, and the smsproc_monitor role that may read them but not the tables.
 */

const mts = 'mts-1' as RouteId;
const bind0 = bindIdOf(mts, 0);
const views = ['dba_queue_depth', 'dba_route_backlog', 'dba_consumer_lag', 'dba_queue_rates', 'dba_table_health', 'dba_oldest_transactions'];

async function enqueue(store: PostgresStore, routeId: string, overrides: Parameters<typeof submission>[2] = {}): Promise<MessageId> {
  const message = submission('acme', routeId, overrides);
  const [outcome] = await store.enqueueMt([request('acme', [message])]);
  assert.equal(outcome?.kind, 'accepted');
  return message.id;
}

/** Moves a message's acceptance time `seconds` into the past, as if it had waited that long. */
async function age(schema: string, id: MessageId, seconds: number): Promise<void> {
  await withAdmin((client) => client.query(`UPDATE ${schema}.messages SET accepted_at = accepted_at - $2 WHERE id = $1`, [id, seconds * 1000]));
}

function near(actual: number | null | undefined, expected: number, what: string): void {
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) <= 5, `${what}: ${String(actual)} s, expected about ${expected} s`);
}

function health(store: PostgresStore): Promise<QueueHealth> {
  assert.ok(hasQueueHealth(store));
  return store.queueHealth();
}

const unreachable = await pgUnreachable();
if (unreachable === null) {
  test('PostgreSQL DBA views: depth, ages, route owners, consumer lag and rates of a known set of messages', async () => {
    const { store, database: schema, cleanup } = await openTestPostgresStore();
    try {
      const present = await withAdmin((client) => client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.views WHERE table_schema = $1 ORDER BY 1`, [schema]));
      for (const view of views) assert.ok(present.rows.some((row) => row.name === view), `${view} exists after migrate`);
      const empty = await health(store);
      assert.deepEqual(empty.depth, []);
      assert.equal(empty.rates.length, 15);
      assert.equal(empty.rates.reduce((sum, row) => sum + row.mtEnqueued, 0), 0);

      await store.applyProvisioning([
        { op: 'route.put', route: route('mts-1') },
        { op: 'route.put', route: route('beeline') },
        { op: 'client.put', client: clientPut('acme', { moUrl: 'https://example.test/mo' }) },
      ]);
      const sent = await enqueue(store, 'mts-1');
      const inFlight = await enqueue(store, 'mts-1');
      const ready = await enqueue(store, 'mts-1');
      const waiting = await enqueue(store, 'mts-1', { notBefore: new Date(Date.now() + HOUR_MS) });
      await enqueue(store, 'beeline');
      const epoch = await store.acquireBindEpoch(bind0);
      const claimed = await store.claimMt({ routeId: mts, bindId: bind0, epoch, owner: 'node-a', limit: 2, leaseMs: 60_000 });
      assert.deepEqual(claimed.map((message) => message.id).sort(), [sent, inFlight].sort());
      await store.ackMt(bind0, epoch, [{ id: sent, smscIds: ['smsc-1'] }]);
      await store.holdMoPart(moPart(1));
      assert.equal((await store.recordMo(mo('acme'))).kind, 'new');
      await age(schema, inFlight, 300);
      await age(schema, ready, 120);
      await age(schema, waiting, 60);

      const seen = await health(store);
      const depth = new Map(seen.depth.filter((row) => row.queue === 'mt').map((row) => [row.state, row]));
      assert.deepEqual([...depth.keys()].sort(), ['IN_FLIGHT', 'READY', 'WAITING']);
      assert.equal(depth.get('IN_FLIGHT')?.messages, 1);
      near(depth.get('IN_FLIGHT')?.oldestAgeS, 300, 'oldest in flight');
      assert.equal(depth.get('READY')?.messages, 2, 'one READY on each route');
      near(depth.get('READY')?.oldestAgeS, 120, 'oldest READY');
      near(depth.get('WAITING')?.oldestAgeS, 60, 'oldest WAITING');
      const parts = seen.depth.find((row) => row.queue === 'mo_parts');
      assert.equal(parts?.messages, 1);
      const outbox = await withAdmin((client) => client.query<{ queue: string; state: string; n: number | string }>(
        `SELECT 'callback_' || kind AS queue, state, count(*) AS n FROM ${schema}.callback_outbox GROUP BY 1, 2 ORDER BY 1, 2`));
      assert.ok(outbox.rows.length > 0, 'the MO raised a callback event');
      assert.deepEqual(
        seen.depth.filter((row) => row.queue.startsWith('callback_')).map((row) => [row.queue, row.state, row.messages]),
        outbox.rows.map((row) => [row.queue, row.state, Number(row.n)]),
      );

      const mtsRow = seen.routes.find((row) => row.routeId === 'mts-1');
      assert.deepEqual({ ...mtsRow, oldestReadyAgeS: null }, {
        routeId: 'mts-1', ready: 1, waiting: 1, inFlight: 1, inDoubt: 0, oldestReadyAgeS: null, owners: 'node-a', fencedInFlight: 0, bindEpochs: `${bind0}@${epoch}`,
      });
      near(mtsRow?.oldestReadyAgeS, 120, 'route mts-1 oldest READY');
      const beeline = seen.routes.find((row) => row.routeId === 'beeline');
      assert.equal(beeline?.ready, 1);
      assert.equal(beeline?.owners, null);

      assert.equal(seen.consumers.length, 1);
      const consumer = seen.consumers[0];
      assert.equal(consumer?.bindId, bind0);
      assert.equal(consumer?.routeId, 'mts-1');
      assert.equal(consumer?.epoch, epoch);
      assert.equal(consumer?.owner, 'node-a');
      assert.equal(consumer?.inFlight, 1);
      near(consumer?.leaseLeftS, 60, 'lease left');
      assert.equal(consumer?.routeReady, 1);
      near(consumer?.lagS, 120, 'consumer lag');

      assert.equal(seen.rates.reduce((sum, row) => sum + row.mtEnqueued, 0), 5, 'five enqueued within the window');
      assert.equal(seen.rates.reduce((sum, row) => sum + row.mtSubmitted, 0), 1, 'one submitted');
      assert.equal(seen.rates[0]?.mtSubmitted, 1, 'submitted in the current minute, the first row');
      assert.equal(seen.rates.reduce((sum, row) => sum + row.moRecorded, 0), 1, 'one MO recorded');

      const tables = new Map(seen.tables.map((row) => [row.table, row]));
      assert.ok(tables.has('mt_queue') && tables.has('callback_outbox'));
      assert.ok(seen.tables.some((row) => row.partitionOf === 'messages' && row.table.startsWith('messages_d')), 'ledger partitions are listed');

      // A new epoch fences the old lease out: the route has no current owner, its row counts as fenced.
      const next = await store.acquireBindEpoch(bind0);
      const fenced = await health(store);
      assert.equal(fenced.routes.find((row) => row.routeId === 'mts-1')?.owners, null);
      assert.equal(fenced.routes.find((row) => row.routeId === 'mts-1')?.fencedInFlight, 1);
      assert.equal(fenced.consumers[0]?.epoch, next);
      assert.equal(fenced.consumers[0]?.inFlight, 0);
    } finally {
      await cleanup();
    }
  });

  test('PostgreSQL DBA views: an open transaction shows in dba_oldest_transactions with its age', async () => {
    const { store, cleanup } = await openTestPostgresStore();
    try {
      await withAdmin(async (client) => {
        const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
        await client.query('BEGIN');
        await client.query('SELECT txid_current()');
        await client.query('SELECT pg_sleep(1.1)');
        const open = (await health(store)).transactions.find((row) => row.pid === pid);
        await client.query('COMMIT');
        assert.ok(open !== undefined, 'the open transaction is listed');
        assert.ok((open.ageS ?? 0) >= 1, `open for ${String(open.ageS)} s`);
      });
    } finally {
      await cleanup();
    }
  });

  test('PostgreSQL DBA views: smsproc_monitor (NOLOGIN) may read every view but no table', async () => {
    const { store, database: schema, cleanup } = await openTestPostgresStore();
    const login = `smsproc_test_monitor_${randomBytes(4).toString('hex')}`;
    try {
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme') }]);
      await enqueue(store, 'mts-1');
      await withAdmin(async (client) => {
        const role = (await client.query<{ rolcanlogin: boolean }>(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'smsproc_monitor'`)).rows;
        assert.deepEqual(role, [{ rolcanlogin: false }]);
        await client.query(`CREATE ROLE ${login} LOGIN`);
        try {
          await client.query(`GRANT smsproc_monitor TO ${login}`);
          await client.query(`SET ROLE ${login}`);
          for (const view of views) await client.query(`SELECT * FROM ${schema}.${view}`);
          const depth = await client.query<{ messages: number | string }>(`SELECT messages FROM ${schema}.dba_queue_depth WHERE queue = 'mt' AND state = 'READY'`);
          assert.equal(Number(depth.rows[0]?.messages), 1, 'the monitor sees the depth through the view');
          for (const table of ['mt_queue', 'messages', 'clients', 'bind_epochs', 'callback_outbox']) {
            await assert.rejects(client.query(`SELECT 1 FROM ${schema}.${table} LIMIT 1`), (error: { code?: string }) => error.code === '42501', `${table} is not readable`);
          }
          await assert.rejects(client.query(`DELETE FROM ${schema}.mt_queue`), (error: { code?: string }) => error.code === '42501');
        } finally {
          await client.query('RESET ROLE');
          await client.query(`DROP ROLE ${login}`);
        }
      });
    } finally {
      await cleanup();
    }
  });
} else {
  console.error(`PostgreSQL DBA view tests NOT RUN: no server at the test URL: ${unreachable}`);
}
