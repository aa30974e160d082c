import { createHash, randomBytes } from 'node:crypto';
import { testPgUrl, withAdmin } from '../support/postgres.js';

/**
 * Which store the delivery e2e tests run on: SQLite at the test's path, or, when
 * SMSPROC_TEST_PG_RUN is set (deliver-postgres.test.ts sets it), a PostgreSQL schema named after the
 * run and the path, so that a restarted node (or a child process) reopens the same database.
 */
export const pgRunVariable = 'SMSPROC_TEST_PG_RUN';

export function schemaPrefixOf(run: string): string {
  return `smsproc_e2e_${run}_`;
}

/** The store config for `dbPath` on PostgreSQL (its schema created when missing), or null for SQLite. */
export async function postgresStoreFor(dbPath: string): Promise<{ kind: 'postgres'; postgresUrl: string; postgresSchema: string } | null> {
  const run = process.env[pgRunVariable];
  if (run === undefined || run === '') return null;
  const schema = `${schemaPrefixOf(run)}${createHash('sha1').update(dbPath).digest('hex').slice(0, 16)}`;
  await withAdmin((client) => client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
  return { kind: 'postgres', postgresUrl: testPgUrl, postgresSchema: schema };
}

/** Starts a run of delivery tests on PostgreSQL (postgresStoreFor's schemas from now on); returns its name. */
export function startPgRun(tag = ''): string {
  const run = `${tag}${process.pid}_${randomBytes(3).toString('hex')}`;
  process.env[pgRunVariable] = run;
  return run;
}

/** Drops every schema of `run`. */
export function dropPgRun(run: string): Promise<void> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [schemaPrefixOf(run)]);
    for (const row of rows) await client.query(`DROP SCHEMA ${row.nspname} CASCADE`);
  });
}
