import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import pg from 'pg';
import { SmsprocError } from '../../daemon/domain/errors.js';
import { bindIdOf, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import { finalStatuses, kannelDlrBitOf, MessageStatus } from '../../daemon/domain/status.js';
import type { CallbackOutcome } from '../../daemon/storage/port.js';
import { Database } from '../../daemon/storage/postgres/database.js';
import { dayMs, dayOf } from '../../daemon/storage/postgres/day-partitions.js';
import { knownMigrations, migrate, migrationStatus, SchemaTooNewError } from '../../daemon/storage/postgres/migrate.js';
import { loadQueries } from '../../daemon/storage/postgres/sql-files.js';
import { openPostgresStore, type PostgresStore } from '../../daemon/storage/postgres/store.js';
import { createTestSchema, dropTestSchema, testPgUrl, withAdmin } from '../support/postgres.js';
import { clientPut, mo, receipt, request, route, sleep, submission } from './fixtures.js';
import { defaultStoreTestOptions } from './store-factory.js';

const acme = 'acme' as ClientId;
const mts = 'mts-1' as RouteId;

function storeIn(schema: string, applicationName = 'smsproc-test', poolSize = 4): PostgresStore {
  return openPostgresStore({
    url: testPgUrl,
    schema,
    poolSize,
    applicationName,
    queue: defaultStoreTestOptions.queue,
    idempotencyRetentionMs: defaultStoreTestOptions.idempotencyRetentionMs,
    demoFreeSegments: 0,
  });
}

/** Runs `body` with `count` stores (separate pools, as separate nodes would have) on one fresh schema. */
async function withNodes(count: number, body: (stores: PostgresStore[], schema: string) => Promise<void>, migrated = true): Promise<void> {
  const schema = await createTestSchema();
  const stores = Array.from({ length: count }, (_, index) => storeIn(schema, `smsproc-test-${schema}-${index}`));
  try {
    if (migrated) await stores[0]?.migrate();
    await body(stores, schema);
  } finally {
    for (const store of stores) await store.close();
    await dropTestSchema(schema);
  }
}

async function provisionAndEnqueue(store: PostgresStore, count: number): Promise<MessageId[]> {
  await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme') }]);
  const messages = Array.from({ length: count }, () => submission('acme', 'mts-1'));
  await store.enqueueMt([request('acme', messages)]);
  return messages.map((message) => message.id);
}

const isUnavailable = (error: unknown): boolean => error instanceof SmsprocError && error.definition.name === 'STORE_UNAVAILABLE';

export function definePostgresOnlyTests(): void {
  test('PostgreSQL only: migrations started by four nodes at once apply each version exactly once (advisory lock)', () =>
    withNodes(4, async (stores) => {
      await Promise.all(stores.map((store) => store.migrate()));
      const [first] = stores;
      assert.ok(first);
      const rows = await first.db.rows<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((row) => row.version), knownMigrations().map((migration) => migration.version));
      const status = await migrationStatus(first.db);
      assert.deepEqual(status.pending, []);
      assert.equal(await first.provisioningVersion(), 0);
    }, false));

  test('PostgreSQL only: a schema from a newer major version is refused; a newer migration of the same major is run alongside', () =>
    withNodes(1, async ([store], schema) => {
      assert.ok(store);
      await withAdmin((client) => client.query(`INSERT INTO ${schema}.schema_migrations (version, name, major) VALUES (900, 'later_additive', 1)`));
      await store.migrate();
      assert.equal(await store.provisioningVersion(), 0, 'an old node keeps working on an additive newer schema');
      await withAdmin((client) => client.query(`INSERT INTO ${schema}.schema_migrations (version, name, major) VALUES (901, 'breaking', 2)`));
      await assert.rejects(store.migrate(), (error: unknown) => error instanceof SchemaTooNewError && error.databaseMajor === 2);
      const db = new Database({ url: testPgUrl, schema, poolSize: 1 });
      try {
        await assert.rejects(migrate(db), SchemaTooNewError);
      } finally {
        await db.close();
      }
    }));

  test('PostgreSQL only: two nodes claiming one route at once never get the same message, and a locked row is skipped, not waited for', () =>
    withNodes(2, async ([a, b], schema) => {
      assert.ok(a && b);
      const ids = await provisionAndEnqueue(a, 300);
      const bindA = bindIdOf(mts, 0);
      const bindB = bindIdOf(mts, 1);
      const [epochA, epochB] = [await a.acquireBindEpoch(bindA), await b.acquireBindEpoch(bindB)];
      const claimer = (store: PostgresStore, bindId: typeof bindA, epoch: number) => async (): Promise<MessageId[]> => {
        const got: MessageId[] = [];
        for (;;) {
          const batch = await store.claimMt({ routeId: mts, bindId, epoch, owner: bindId, limit: 7, leaseMs: 60_000 });
          if (batch.length === 0) return got;
          got.push(...batch.map((m) => m.id));
        }
      };
      const claimed = (await Promise.all([
        claimer(a, bindA, epochA)(), claimer(b, bindB, epochB)(), claimer(a, bindA, epochA)(), claimer(b, bindB, epochB)(),
      ])).flat();
      assert.equal(new Set(claimed).size, claimed.length, 'no message claimed twice');
      assert.deepEqual([...claimed].sort(), [...ids].sort());

      // A row locked by another transaction (an operator's session, say) is skipped by the claim.
      const more = await provisionAndEnqueue(a, 2);
      await withAdmin(async (client) => {
        await client.query('BEGIN');
        await client.query(`SELECT seq FROM ${schema}.mt_queue WHERE state = 'READY' ORDER BY seq LIMIT 1 FOR UPDATE`);
        const started = Date.now();
        const batch = await a.claimMt({ routeId: mts, bindId: bindA, epoch: epochA, owner: 'a', limit: 10, leaseMs: 60_000 });
        assert.deepEqual(batch.map((m) => m.id), [more[1]]);
        assert.ok(Date.now() - started < 2000, 'the claim did not wait for the lock');
        await client.query('ROLLBACK');
      });
    }));

  test('PostgreSQL only: concurrent enqueues share transactions; a call that fails in a shared group rejects alone', () =>
    withNodes(1, async ([store]) => {
      assert.ok(store);
      const [existing] = await provisionAndEnqueue(store, 1);
      assert.ok(existing);
      const good = Array.from({ length: 300 }, () => submission('acme', 'mts-1'));
      const bad = [submission('acme', 'mts-1'), submission('acme', 'mts-1', { id: existing })];
      const calls = good.map((message) => store.enqueueMt([request('acme', [message])]));
      calls.splice(150, 0, store.enqueueMt([request('acme', bad)]));
      const results = await Promise.allSettled(calls);
      assert.deepEqual(results.map((r) => r.status).filter((s) => s === 'rejected'), ['rejected']);
      assert.equal(results[150]?.status, 'rejected');
      assert.equal(await store.findMessage(acme, { id: bad[0]?.id ?? ('' as MessageId) }), null);
      assert.equal((await store.clientBalance(acme)).queued, 301);
      const [transactions] = await store.db.rows<{ n: number }>('SELECT COUNT(DISTINCT xmin::text) AS n FROM mt_queue');
      assert.ok((transactions?.n ?? 0) < 300, `${transactions?.n} transactions for 301 messages`);
    }));

  test('PostgreSQL only: retention drops a past day whose messages are all final as whole partitions, and keeps a day with a queued message', () =>
    withNodes(1, async ([store], schema) => {
      assert.ok(store);
      await provisionAndEnqueue(store, 1);
      const today = dayOf(Date.now());
      const [done, queued] = [today - 10, today - 9];
      await withAdmin(async (client) => {
        await client.query(`SET search_path = ${schema}`);
        for (const day of [done, queued]) {
          for (const table of ['messages', 'message_events', 'smsc_ids', 'receipt_keys']) {
            await client.query(`CREATE TABLE ${table}_d${day} PARTITION OF ${table} FOR VALUES FROM (${day}) TO (${day + 1})`);
          }
        }
        const old = (day: number): number => day * dayMs + 3_600_000;
        const insert = `INSERT INTO messages (day, id, client_id, route_id, sender, recipient, text, encoding, segments, priority, expires_at,
          dlr_requested, source, status, accepted_at, queue_state, queue_done_at)
          VALUES ($1, $2, 'acme', 'mts-1', 'ACME', '7916', 'x', 'gsm7', 1, 1, $3, true, 'http', $4, $3, $5, $6) RETURNING seq`;
        const finished = await client.query(insert, [done, 'old-done', old(done), 'submitted', 'PROCESSED', old(done)]);
        await client.query(`INSERT INTO message_events (day, message_seq, at, status) VALUES ($1, $2, $3, 'submitted')`, [done, finished.rows[0].seq, old(done)]);
        const waiting = await client.query(insert, [queued, 'old-queued', old(queued), 'in_doubt', null, null]);
        await client.query(`INSERT INTO mt_queue (seq, day, route_id, client_id, state, priority, expires_at) VALUES ($1, $2, 'mts-1', 'acme', 'IN_DOUBT', 1, $3)`,
          [waiting.rows[0].seq, queued, old(queued)]);
      });
      const swept = await store.sweepMt();
      assert.equal(swept.purged, 1, 'the one message of the finished day');
      const tables = await store.db.rows<{ relname: string }>(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname LIKE '%\\_d' || $2`,
        [schema, String(done)],
      );
      assert.deepEqual(tables, [], 'the four partitions of the finished day are gone');
      assert.equal((await store.findMessage(acme, { id: 'old-queued' as MessageId }))?.queueState, 'IN_DOUBT', 'a day with a queued message is kept');
      assert.equal(await store.findMessage(acme, { id: 'old-done' as MessageId }), null);
    }));

  test('regression (PostgreSQL): a receipt racing the ack of its message on another node is applied, never left held', () =>
    withNodes(2, async ([a, b], schema) => {
      assert.ok(a && b);
      const [id] = await provisionAndEnqueue(a, 1);
      assert.ok(id);
      const bindId = bindIdOf(mts, 0);
      const epoch = await a.acquireBindEpoch(bindId);
      await a.claimMt({ routeId: mts, bindId, epoch, owner: 'a', limit: 1, leaseMs: 60_000 });
      // Widen the race: the receipt's transaction dawdles after finding no segment, before it commits its hold.
      await withAdmin((client) => client.query(`
        CREATE FUNCTION ${schema}.dawdle() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$;
        CREATE TRIGGER dawdle BEFORE INSERT ON ${schema}.held_receipts FOR EACH ROW EXECUTE FUNCTION ${schema}.dawdle();`));
      const receiptDone = b.applyReceipt(receipt(['smsc-1'], 'delivered'));
      await sleep(100);
      await a.ackMt(bindId, epoch, [{ id, smscIds: ['smsc-1'] }]);
      assert.deepEqual(await receiptDone, { kind: 'held' });
      assert.equal((await a.findMessage(acme, { id }))?.status, 'delivered', 'the ack applied the receipt held meanwhile');
    }));

  test('PostgreSQL only: an ack is one round trip whatever it applies (008), and the events it raises have UUIDv7 ids of the database clock', () =>
    withNodes(1, async ([store]) => {
      assert.ok(store);
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme') }]);
      // Kannel's dlr-mask 1 + 8: an event for the submit and one for the delivery.
      const kannel = submission('acme', 'mts-1', { source: 'kannel', kannelDlrUrl: 'http://kannel.test/dlr?type=%d', kannelDlrMask: 9 });
      const others = Array.from({ length: 9 }, () => submission('acme', 'mts-1'));
      await store.enqueueMt([request('acme', [kannel, ...others])]);
      const bindId = bindIdOf(mts, 0);
      const epoch = await store.acquireBindEpoch(bindId);
      await store.claimMt({ routeId: mts, bindId, epoch, owner: 'a', limit: 10, leaseMs: 60_000 });
      assert.deepEqual(await store.applyReceipt(receipt(['held-1'], 'delivered')), { kind: 'held' });
      const [before] = await store.db.rows<{ now: number }>('SELECT ms_now() AS now');
      const query = pg.Client.prototype.query;
      let queries = 0;
      pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]): unknown {
        queries += 1;
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof pg.Client.prototype.query;
      let ack;
      try {
        ack = await store.ackMt(bindId, epoch, [kannel, ...others].map((m, n) => ({ id: m.id, smscIds: [n === 0 ? 'held-1' : `s-${n}`] })));
      } finally {
        pg.Client.prototype.query = query;
      }
      assert.equal(queries, 1, 'ten messages, a held receipt applied and two events raised in one round trip');
      assert.deepEqual(ack, { applied: [kannel, ...others].map((m) => m.id), refusedStaleEpoch: [] });
      assert.equal((await store.findMessage(acme, { id: kannel.id }))?.status, 'delivered');
      const events = await store.db.rows<{ id: string; status: string; created_at: number }>(
        "SELECT id, payload->>'status' AS status, created_at FROM callback_outbox ORDER BY seq");
      assert.deepEqual(events.map((event) => event.status), ['submitted', 'delivered']);
      for (const event of events) {
        assert.match(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        const ms = parseInt(event.id.replace('-', '').slice(0, 12), 16);
        assert.ok(before !== undefined && ms >= before.now && ms === event.created_at, 'the id carries the ack\'s clock');
      }
    }));

  test('PostgreSQL only: the receipt functions plan their statements per call: a key lookup planned while the day was young still uses the key once the day holds thousands', () =>
    withNodes(1, async ([store], schema) => {
      assert.ok(store);
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }]);
      // One session, as a pooled connection keeps its plans; auto_explain hands it the nested statements' plans.
      const session = new pg.Client({ connectionString: testPgUrl });
      await session.connect();
      const plans: string[] = [];
      session.on('notice', (notice) => {
        if (notice.message?.includes('FROM receipt_keys') === true) plans.push(notice.message);
      });
      try {
        await session.query(`SET search_path = ${schema}`);
        await session.query("LOAD 'auto_explain'");
        await session.query('SET auto_explain.log_min_duration = 0');
        await session.query('SET auto_explain.log_nested_statements = on');
        await session.query('SET client_min_messages = log');
        /** A receipt no key names (it would be held): rolled back, only its plan is kept. */
        const unmatchedReceipt = async (n: number): Promise<void> => {
          await session.query('BEGIN');
          await session.query("SELECT * FROM apply_receipt('mts-1', 'mts-1/0', ARRAY[$1], 'delivered', 'DELIVRD', '000', NULL, 'raw', 1000, $2)", [`none-${n}`, `0190a1b2-c3d4-7e5f-8a9b-${String(n).padStart(12, '0')}`]);
          await session.query('ROLLBACK');
        };
        const addKeys = (from: number, to: number): Promise<unknown> => session.query(`INSERT INTO receipt_keys (day, route_id, match_key, message_seq, segment_index)
          SELECT $1, 'mts-1', 'key-' || g, g, 0 FROM generate_series($2::int, $3::int) AS g`, [dayOf(Date.now()), from, to]);
        // A young day: a few keys, more than the five custom plans after which PostgreSQL may keep a generic one.
        await addKeys(1, 20);
        for (let n = 0; n < 8; n++) await unmatchedReceipt(n);
        await addKeys(21, 5000);
        plans.length = 0;
        await unmatchedReceipt(8);
        const [plan] = plans;
        assert.ok(plan !== undefined, 'auto_explain showed the key lookup');
        assert.match(plan, /Index Cond: \(\(route_id = .*\) AND \(match_key = ANY/, plan);
        assert.doesNotMatch(plan, /Filter: \(match_key/, 'the day\'s keys are not scanned and filtered');
      } finally {
        await session.end();
      }
    }));

  test('PostgreSQL only: the receipt functions (007) use the final statuses, Kannel bits and ISO times of the TypeScript domain', () =>
    withNodes(1, async ([store]) => {
      assert.ok(store);
      const statuses = Object.values(MessageStatus);
      const rules = await store.db.rows<{ status: string; final: boolean; bit: number | null }>(
        'SELECT s AS status, message_status_final(s) AS final, kannel_dlr_bit(s) AS bit FROM unnest($1::text[]) AS s', [statuses]);
      assert.deepEqual(rules, statuses.map((status) => ({ status, final: finalStatuses.has(status), bit: kannelDlrBitOf[status] })));
      const times = [0, 951_782_400_001, 1_764_151_082_123, 1_764_151_082_999, 4_102_444_799_999];
      const iso = await store.db.rows<{ iso: string }>('SELECT ms_iso(t) AS iso FROM unnest($1::bigint[]) AS t', [times]);
      assert.deepEqual(iso.map((row) => row.iso), times.map((ms) => new Date(ms).toISOString()));
      // A Kannel receipt event: its times as the TypeScript raise wrote them (toISOString, whole seconds).
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme') }]);
      const message = submission('acme', 'mts-1', { source: 'kannel', kannelDlrUrl: 'http://kannel.test/dlr?type=%d', kannelDlrMask: 1 });
      await store.enqueueMt([request('acme', [message])]);
      const bindId = bindIdOf(mts, 0);
      const epoch = await store.acquireBindEpoch(bindId);
      await store.claimMt({ routeId: mts, bindId, epoch, owner: 'a', limit: 1, leaseMs: 60_000 });
      await store.ackMt(bindId, epoch, [{ id: message.id, smscIds: ['k-1'] }]);
      const doneAt = new Date(1_764_151_082_999);
      const outcome = await store.applyReceipt(receipt(['k-1'], 'delivered', { doneAt }));
      assert.ok(outcome.kind === 'matched' && outcome.eventId !== null);
      const [event] = await store.db.rows<{ payload: Record<string, unknown> }>('SELECT payload FROM callback_outbox WHERE id = $1', [outcome.eventId]);
      const submittedAt = (await store.findMessage(acme, { id: message.id }))?.submittedAt;
      assert.ok(submittedAt);
      assert.deepEqual(
        [event?.payload.doneAt, event?.payload.submittedAt, event?.payload.time, event?.payload.dlrType, event?.payload.smscId],
        [doneAt.toISOString(), submittedAt.toISOString(), Math.floor(doneAt.getTime() / 1000), 1, 'k-1'],
      );
    }));

  test('PostgreSQL only: sweeps on three nodes at once turn each lapsed lease IN_DOUBT once', () =>
    withNodes(3, async (stores) => {
      const [a] = stores;
      assert.ok(a);
      const ids = await provisionAndEnqueue(a, 50);
      const bindId = bindIdOf(mts, 0);
      const epoch = await a.acquireBindEpoch(bindId);
      await a.claimMt({ routeId: mts, bindId, epoch, owner: 'dead-node', limit: 50, leaseMs: 30 });
      await sleep(80);
      const results = await Promise.all(stores.map((store) => store.sweepMt()));
      assert.equal(results.reduce((sum, result) => sum + result.inDoubt, 0), 50);
      const view = await a.findMessage(acme, { id: ids[0] ?? ('' as MessageId) });
      assert.equal(view?.queueState, 'IN_DOUBT');
      assert.equal(view?.history.filter((event) => event.status === 'in_doubt').length, 1);
    }));

  test('PostgreSQL only: callback claims from four nodes at once give a client no more than its limit in flight, and no event twice', () =>
    withNodes(4, async (stores) => {
      const [a] = stores;
      assert.ok(a);
      await a.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme', { moUrl: 'https://acme.test/mo' }) }]);
      const raised = new Set<string>();
      for (let n = 0; n < 40; n += 1) {
        const outcome = await a.recordMo(mo('acme', { text: `VOTE ${n}` }));
        if (outcome.kind === 'new' && outcome.eventId !== null) raised.add(outcome.eventId);
      }
      // Three claims in flight on each node, as senders waking on every finished request make.
      const claimRound = async (): Promise<{ owner: string; id: string }[]> => (await Promise.all(stores.flatMap((store, node) => [0, 1, 2].map(async () => {
        const owner = `node-${node}`;
        return (await store.claimCallbacks({ owner, limit: 10, perClientLimit: 8, leaseMs: 60_000, scope: { http: true, smppClients: [] } })).map((event) => ({ owner, id: event.id }));
      })))).flat();
      const first = await claimRound();
      assert.equal(first.length, 8, 'the client\'s 8 slots, whichever nodes claimed them');
      for (const { owner, id } of first.slice(0, 5)) await a.completeCallback(id, owner, { kind: 'delivered' });
      const second = await claimRound();
      assert.equal(second.length, 5, 'the 5 slots freed, no more');
      const ids = [...first, ...second].map((claimed) => claimed.id);
      assert.equal(new Set(ids).size, ids.length, 'no event claimed twice');
      assert.ok(ids.every((id) => raised.has(id)));
    }));

  test('PostgreSQL only: concurrent callback completions share statements; each is committed before its call resolves, and each applies its own outcome', () =>
    withNodes(1, async ([store]) => {
      assert.ok(store);
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme', { moUrl: 'https://acme.test/mo' }) }]);
      for (let n = 0; n < 120; n += 1) await store.recordMo(mo('acme', { text: `VOTE ${n}` }));
      const leased = await store.claimCallbacks({ owner: 'node-a', limit: 120, perClientLimit: 120, leaseMs: 60_000, scope: { http: true, smppClients: [] } });
      assert.equal(leased.length, 120);
      const outcomes = leased.map((event, index): { id: string; owner: string; outcome: CallbackOutcome } => {
        const owner = index % 4 === 3 ? 'node-b' : 'node-a';
        if (index % 4 === 1) return { id: event.id, owner, outcome: { kind: 'retry', delayMs: 60_000 + index, error: `HTTP 503 #${index}` } };
        if (index % 4 === 2) return { id: event.id, owner, outcome: { kind: 'dead', error: `HTTP 404 #${index}` } };
        return { id: event.id, owner, outcome: { kind: 'delivered' } };
      });
      // A call with an outcome the database refuses (a delay that is no number) fails alone.
      const bad = outcomes[5];
      assert.ok(bad !== undefined && bad.outcome.kind === 'retry');
      const [before] = await store.db.rows<{ now: number }>('SELECT ms_now() AS now');
      const stateOf = async (id: string): Promise<string> =>
        (await store.db.rows<{ state: string }>('SELECT state FROM callback_outbox WHERE id = $1', [id]))[0]?.state ?? 'missing';
      // Every call, as soon as it resolves, reads its event from another connection: committed by then.
      const settled = await Promise.allSettled(outcomes.map(async ({ id, owner, outcome }) => {
        await store.completeCallback(id, owner, id === bad.id ? { ...outcome, delayMs: Number.NaN } as CallbackOutcome : outcome);
        return stateOf(id);
      }));
      assert.deepEqual(settled.flatMap((result, index) => (result.status === 'rejected' ? [index] : [])), [5], 'only the bad call rejects');
      const rows = new Map((await store.db.rows<{ id: string; state: string; attempts: number; last_error: string | null; next_attempt_at: number; done_at: number | null; lease_owner: string | null; tx: string }>(
        'SELECT id, state, attempts, last_error, next_attempt_at, done_at, lease_owner, xmin::text AS tx FROM callback_outbox',
      )).map((row) => [row.id, row]));
      const applied = new Set<string>();
      outcomes.forEach(({ id, owner, outcome }, index) => {
        const row = rows.get(id);
        assert.ok(row);
        const seen = settled[index];
        if (owner === 'node-b' || id === bad.id) {
          assert.deepEqual([row.state, row.attempts, row.lease_owner], ['leased', 0, 'node-a'], `#${index}: not applied`);
          return;
        }
        applied.add(row.tx);
        assert.equal(row.attempts, 1, `#${index}`);
        assert.equal(row.lease_owner, null, `#${index}`);
        if (outcome.kind === 'delivered') {
          assert.deepEqual([row.state, row.last_error], ['delivered', null], `#${index}`);
          assert.ok((row.done_at ?? 0) >= (before?.now ?? Infinity), `#${index}: done_at`);
        } else if (outcome.kind === 'retry') {
          assert.deepEqual([row.state, row.last_error, row.done_at], ['due', outcome.error, null], `#${index}`);
          assert.ok(row.next_attempt_at >= (before?.now ?? Infinity) + outcome.delayMs, `#${index}: its own delay`);
          assert.ok(row.next_attempt_at < (before?.now ?? 0) + outcome.delayMs + 60_000, `#${index}: from the database's now`);
        } else {
          assert.deepEqual([row.state, row.last_error], ['dead', outcome.error], `#${index}`);
        }
        assert.deepEqual(seen, { status: 'fulfilled', value: row.state }, `#${index}: committed when its call resolved`);
      });
      assert.ok(applied.size < 20, `${applied.size} statements (transactions) carried 89 completions`);
    }));

  test('PostgreSQL only: the grouped callback completion reads the events it names or the leased ones, never the due backlog or the delivered events', () =>
    withNodes(1, async (_stores, schema) => {
      const plan = await withAdmin(async (client) => {
        await client.query(`SET search_path = ${schema}`);
        // An outbox under load: delivered events retention keeps, a due backlog, a few hundred leased.
        await client.query(`INSERT INTO callback_outbox (id, client_id, kind, url, kannel, payload, state, next_attempt_at, created_at, lease_owner, lease_until, done_at)
          SELECT 'e' || n, 'acme', 'mo', 'https://acme.test/mo', false, '{}', s, 0, 0,
            CASE WHEN s = 'leased' THEN 'node-a' END, CASE WHEN s = 'leased' THEN 60000 END, CASE WHEN s = 'delivered' THEN 1 END
          FROM generate_series(1, 30000) n, LATERAL (SELECT CASE WHEN n % 100 = 0 THEN 'leased' WHEN n % 3 = 0 THEN 'due' ELSE 'delivered' END AS s) state`);
        await client.query('ANALYZE callback_outbox');
        // The generic plan is what the prepared statement runs with after its first executions.
        await client.query('SET plan_cache_mode = force_generic_plan');
        await client.query(`PREPARE complete AS ${loadQueries('outbox')('complete')}`);
        const result = await client.query<{ 'QUERY PLAN': string }>('EXPLAIN EXECUTE complete(\'{e100,e200}\', \'{node-a,node-a}\', \'{delivered,due}\', \'{NULL,5}\', \'{NULL,x}\')');
        return result.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      assert.match(plan, /Index Scan using callback_outbox_(id_key|leased) /, 'the named events by id, or the leased ones');
      assert.doesNotMatch(plan, /Seq Scan|callback_outbox_(backlog|due|delivered)/, 'no due or delivered event read');
    }));

  test('PostgreSQL only: the one-statement callback claim probes each client\'s due events per channel by callback_outbox_due_channel, never a table scan', () =>
    withNodes(1, async (_stores, schema) => {
      const plan = await withAdmin(async (client) => {
        await client.query(`SET search_path = ${schema}`);
        // The generic plan is what a prepared claim runs with; a bare table must not tempt a seq scan.
        await client.query('SET plan_cache_mode = force_generic_plan');
        await client.query('SET enable_seqscan = off');
        await client.query(`PREPARE claim AS ${loadQueries('outbox')('claim')}`);
        const result = await client.query<{ 'QUERY PLAN': string }>('EXPLAIN EXECUTE claim(0, true, \'{acme}\', 32, 32, \'node-a\', 1)');
        return result.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      assert.match(plan, /Index Scan using callback_outbox_due_channel/, 'due events by client and channel');
      assert.match(plan, /One-Time Filter: \$2/, 'the clients\' loose index scan runs only with HTTP in scope');
      assert.doesNotMatch(plan, /Seq Scan/);
    }));

  test('PostgreSQL only: when the server drops our connections, calls fail with STORE_UNAVAILABLE at worst and work again after', () =>
    withNodes(1, async ([store], schema) => {
      assert.ok(store);
      await provisionAndEnqueue(store, 1);
      const appName = `smsproc-test-${schema}-0`;
      const terminate = (): Promise<unknown> =>
        withAdmin((client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]));
      const accepted: MessageId[] = [];
      let unavailable = 0;
      const writer = async (): Promise<void> => {
        for (let i = 0; i < 200; i += 1) {
          const message = submission('acme', 'mts-1');
          try {
            await store.enqueueMt([request('acme', [message])]);
            accepted.push(message.id);
          } catch (error) {
            assert.ok(isUnavailable(error), `unexpected ${String(error)}`);
            unavailable += 1;
          }
        }
      };
      const killer = async (): Promise<void> => {
        for (let i = 0; i < 5; i += 1) {
          await sleep(20);
          await terminate();
        }
      };
      await Promise.all([writer(), writer(), killer()]);
      await terminate();
      // The pool replaces the dropped connections: the next calls work.
      let recovered = false;
      for (let attempt = 0; attempt < 5 && !recovered; attempt += 1) {
        recovered = await store.provisioningVersion().then(() => true, (error: unknown) => {
          assert.ok(isUnavailable(error));
          return false;
        });
      }
      assert.ok(recovered, 'the store works again after the connections were dropped');
      for (const id of accepted) assert.ok(await store.findMessage(acme, { id }), `accepted ${id} is stored`);
      assert.ok(accepted.length + unavailable === 400);
      assert.ok(accepted.length > 0);
    }));
}
