import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { bindIdOf, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { ClaimedMt } from '../../daemon/storage/port.js';
import { openPostgresStore, type PostgresStore } from '../../daemon/storage/postgres/store.js';
import { createTestSchema, dropTestSchema, pgUnreachable, testPgUrl, withAdmin } from '../support/postgres.js';
import { clientPut, request, route, submission } from './fixtures.js';
import { defaultStoreTestOptions } from './store-factory.js';

/**
 * PostgreSQL only: the fair claim (claimFair in sql/postgres/queries/mt_queue.sql) between nodes.
 * The conformance suite checks its order and shares on one node; here two nodes claim one route at
 * once, and a row locked elsewhere is skipped.
 */

const mts = 'mts-1' as RouteId;
const clients = ['flood', 'steady', 'rare'] as const;

function storeIn(schema: string, index: number): PostgresStore {
  return openPostgresStore({
    url: testPgUrl,
    schema,
    poolSize: 4,
    applicationName: `smsproc-test-${schema}-${index}`,
    queue: defaultStoreTestOptions.queue,
    idempotencyRetentionMs: defaultStoreTestOptions.idempotencyRetentionMs,
    demoFreeSegments: 0,
  });
}

async function withTwoNodes(body: (a: PostgresStore, b: PostgresStore, schema: string) => Promise<void>): Promise<void> {
  const schema = await createTestSchema();
  const a = storeIn(schema, 0);
  const b = storeIn(schema, 1);
  try {
    await a.migrate();
    await body(a, b, schema);
  } finally {
    await a.close();
    await b.close();
    await dropTestSchema(schema);
  }
}

/** 200 messages of flood, 40 of steady, 10 of rare, on one route; returns every id. */
async function provisionAndEnqueue(store: PostgresStore): Promise<MessageId[]> {
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    ...clients.map((id) => ({ op: 'client.put' as const, client: clientPut(id, { login: `login-${id}`, urlToken: `url-${id}` }) })),
  ]);
  const ids: MessageId[] = [];
  for (const [clientId, count] of [['flood', 200], ['steady', 40], ['rare', 10]] as const) {
    const messages = Array.from({ length: count }, () => submission(clientId, 'mts-1'));
    await store.enqueueMt([request(clientId, messages)]);
    ids.push(...messages.map((message) => message.id));
  }
  return ids;
}

const unreachable = await pgUnreachable();
if (unreachable === null) {
  test('PostgreSQL only: two nodes taking fair claims on one route at once never get the same message, and each claim is fair', () =>
    withTwoNodes(async (a, b) => {
      const ids = await provisionAndEnqueue(a);
      const bindA = bindIdOf(mts, 0);
      const bindB = bindIdOf(mts, 1);
      const [epochA, epochB] = [await a.acquireBindEpoch(bindA), await b.acquireBindEpoch(bindB)];
      const batches: ClaimedMt[][] = [];
      const claimer = async (store: PostgresStore, bindId: typeof bindA, epoch: number): Promise<void> => {
        for (;;) {
          const batch = await store.claimMt({ routeId: mts, bindId, epoch, owner: bindId, limit: 9, leaseMs: 60_000, perClientLimit: 3 });
          if (batch.length === 0) return;
          batches.push([...batch]);
        }
      };
      await Promise.all([claimer(a, bindA, epochA), claimer(b, bindB, epochB), claimer(a, bindA, epochA), claimer(b, bindB, epochB)]);
      const claimed = batches.flat().map((m) => m.id);
      assert.equal(new Set(claimed).size, claimed.length, 'no message claimed twice');
      assert.deepEqual([...claimed].sort(), [...ids].sort(), 'every message claimed');
      for (const batch of batches) {
        const perClient = new Map<string, number>();
        for (const message of batch) perClient.set(message.clientId, (perClient.get(message.clientId) ?? 0) + 1);
        assert.ok([...perClient.values()].every((n) => n <= 3), 'no client above its share in one claim');
      }
      // Oldest first, rare's 10 (enqueued last) would come in the last two of about 28 claims; fair, at
      // most 3 per claim, in the first few whichever node makes them.
      const lastWithRare = batches.reduce((last, batch, index) => (batch.some((m) => m.clientId === 'rare') ? index : last), -1);
      assert.ok(lastWithRare >= 3 && lastWithRare < 10, `rare served among the first claims, not after the flood (last claim with it: ${lastWithRare} of ${batches.length})`);
    }));

  test('PostgreSQL only: a fair claim skips a row locked elsewhere rather than wait, and takes that client\'s next one', () =>
    withTwoNodes(async (a, _b, schema) => {
      await provisionAndEnqueue(a);
      const bindA = bindIdOf(mts, 0);
      const epoch = await a.acquireBindEpoch(bindA);
      await withAdmin(async (client) => {
        await client.query('BEGIN');
        const { rows } = await client.query<{ seq: string }>(
          `SELECT seq FROM ${schema}.mt_queue WHERE client_id = 'rare' AND state = 'READY' ORDER BY priority, seq LIMIT 1 FOR UPDATE`,
        );
        assert.equal(rows.length, 1);
        const started = Date.now();
        const batch = await a.claimMt({
          routeId: mts, bindId: bindA, epoch, owner: 'a', limit: 6, leaseMs: 60_000, perClientLimit: 2,
          heldByClient: new Map([['steady' as ClientId, 1]]),
        });
        assert.ok(Date.now() - started < 2000, 'the claim did not wait for the lock');
        assert.deepEqual(batch.map((m) => m.clientId).sort(), ['flood', 'flood', 'rare', 'rare', 'steady'], 'rare\'s share taken past its locked row');
        await client.query('ROLLBACK');
      });
    }));
} else {
  console.error(`PostgreSQL fair-claim tests NOT RUN: no server at the test URL: ${unreachable}`);
}
