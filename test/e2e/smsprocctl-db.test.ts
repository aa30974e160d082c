import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createTestSchema, dropTestSchema, pgUnreachable, testPgUrl, withAdmin } from '../support/postgres.js';

/** `smsprocctl db status` and `db migrate` on both adapters, run as an operator runs them. */
const mainPath = fileURLToPath(new URL('../../ops/smsprocctl/main.js', import.meta.url));

interface Report { adapter: string; major: number | null; applied: { version: number }[]; pending: number[]; appliedNow: number[] }

function ctl(env: Record<string, string>, args: readonly string[]): Report {
  const result = spawnSync(process.execPath, [mainPath, ...args, '--json'], { env: { ...process.env, SMSPROC_LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Report;
}

test('smsprocctl db: status on a new SQLite file lists every migration pending and creates nothing; migrate applies them once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smsprocctl-db-'));
  try {
    const env = { SMSPROC_STORE_SQLITE_PATH: join(dir, 'smsproc.db') };
    const before = ctl(env, ['db', 'status']);
    assert.equal(before.adapter, 'sqlite');
    assert.ok(before.pending.length >= 4);
    assert.deepEqual(before.applied, []);
    const migrated = ctl(env, ['db', 'migrate']);
    assert.deepEqual(migrated.appliedNow, before.pending);
    assert.deepEqual(migrated.pending, []);
    assert.deepEqual(ctl(env, ['db', 'migrate']).appliedNow, [], 'a second migrate has nothing to do');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const unreachable = await pgUnreachable();
if (unreachable === null) {
  test('smsprocctl db: status and migrate on a PostgreSQL schema', async () => {
    const schema = await createTestSchema('smsproc_ctl');
    try {
      const env = { SMSPROC_STORE_KIND: 'postgres', SMSPROC_STORE_POSTGRES_URL: testPgUrl, SMSPROC_STORE_POSTGRES_SCHEMA: schema };
      const before = ctl(env, ['db', 'status']);
      assert.equal(before.adapter, 'postgres');
      assert.equal(before.major, 1);
      assert.deepEqual(before.applied, []);
      assert.ok(before.pending.includes(1));
      const migrated = ctl(env, ['db', 'migrate']);
      assert.deepEqual(migrated.appliedNow, before.pending);
      assert.deepEqual(ctl(env, ['db', 'status']).pending, []);
      const tables = await withAdmin((client) => client.query(`SELECT to_regclass('${schema}.mt_queue') IS NOT NULL AS present`));
      assert.equal((tables.rows[0] as { present: boolean }).present, true);
    } finally {
      await dropTestSchema(schema);
    }
  });
} else {
  console.error(`smsprocctl db PostgreSQL test NOT RUN: no server at the test URL: ${unreachable}`);
}
