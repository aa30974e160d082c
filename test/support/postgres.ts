import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Finds the PostgreSQL server the tests use (SMSPROC_TEST_PG_URL, else the local trust login that
 * test/services.sh sets up) and gives each test a schema of its own, dropped afterwards.
 */
export const testPgUrl = process.env.SMSPROC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Null when the server answers; otherwise why it does not (for the suite to print). */
export async function pgUnreachable(url: string = testPgUrl): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs statements on a connection of its own (DDL of the tests, pg_terminate_backend, …). */
export async function withAdmin<T>(body: (client: pg.Client) => Promise<T>, url: string = testPgUrl): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, uniquely named schema; returns its name. */
export async function createTestSchema(prefix = 'smsproc_test'): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE SCHEMA ${name}`));
  return name;
}

export async function dropTestSchema(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`));
}
