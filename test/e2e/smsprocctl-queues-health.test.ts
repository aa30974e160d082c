import { strict as assert } from 'node:assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { QueueHealth } from '../../daemon/storage/postgres/dba-views.js';
import { pgUnreachable, testPgUrl } from '../support/postgres.js';
import { clientPut, request, route, submission } from '../storage/fixtures.js';
import { openTestPostgresStore } from '../storage/postgres-factory.js';

/** `smsprocctl queues --health` as an operator runs it: the DBA views of a PostgreSQL schema, refused on SQLite. */
const mainPath = fileURLToPath(new URL('../../ops/smsprocctl/main.js', import.meta.url));

function ctl(env: Record<string, string>, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [mainPath, ...args], { env: { ...process.env, SMSPROC_LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 30_000 });
}

test('smsprocctl queues --health on SQLite: refused with exit 2, saying it needs PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smsprocctl-health-'));
  try {
    const result = ctl({ SMSPROC_STORE_SQLITE_PATH: join(dir, 'smsproc.db') }, ['queues', '--health']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /needs the PostgreSQL store/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const unreachable = await pgUnreachable();
if (unreachable === null) {
  test('smsprocctl queues --health on PostgreSQL prints queue depth, rates per minute and table health', async () => {
    const { store, database: schema, cleanup } = await openTestPostgresStore();
    try {
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme') }]);
      const outcomes = await store.enqueueMt([request('acme', [submission('acme', 'mts-1'), submission('acme', 'mts-1')])]);
      assert.deepEqual(outcomes.map((outcome) => outcome.kind), ['accepted']);
      const env = { SMSPROC_STORE_KIND: 'postgres', SMSPROC_STORE_POSTGRES_URL: testPgUrl, SMSPROC_STORE_POSTGRES_SCHEMA: schema };

      const json = ctl(env, ['--json', 'queues', '--health']);
      assert.equal(json.status, 0, json.stderr);
      const health = JSON.parse(json.stdout) as QueueHealth;
      assert.deepEqual(health.depth.map((row) => [row.queue, row.state, row.messages]), [['mt', 'READY', 2]]);
      assert.equal(health.routes.find((row) => row.routeId === 'mts-1')?.ready, 2);
      assert.equal(health.rates.length, 15);
      assert.equal(health.rates.reduce((sum, row) => sum + row.mtEnqueued, 0), 2);
      assert.ok(health.tables.some((row) => row.table === 'mt_queue' && typeof row.deadTuples === 'number'));

      const text = ctl(env, ['queues', '--health']);
      assert.equal(text.status, 0, text.stderr);
      for (const title of ['QUEUES', 'ROUTES', 'BINDS', 'RATES PER MINUTE', 'TABLES', 'OPEN TRANSACTIONS']) assert.match(text.stdout, new RegExp(`^${title} `, 'm'));
      assert.match(text.stdout, /^mt\s+READY\s+2\s/m);
      assert.match(text.stdout, /^mt_queue\s/m);
    } finally {
      await cleanup();
    }
  });
} else {
  console.error(`smsprocctl queues --health PostgreSQL test NOT RUN: no server at the test URL: ${unreachable}`);
}
