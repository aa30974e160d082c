import type { Database } from './database.js';
import { postgresSqlDir } from './sql-files.js';
import { readMigrationFiles, type Migration } from '../migration-files.js';

/**
 * Versioned schema migrations: sql/postgres/NNN_name.sql, applied in order, each in its own
 * transaction, recorded in schema_migrations with the major version they belong to. Every node may
 * call migrate() at start: an advisory lock (per schema) lets one apply while the others wait, then
 * find nothing to do.
 * Within a major version migrations are additive (new tables, columns with defaults, indexes), so an
 * older node keeps working on a newer schema during a rolling upgrade. A schema whose major version
 * is newer than this code's is refused.
 */

/** The schema's major version this code is written for; raised only by a change old nodes cannot run on. */
export const schemaMajor = 1;

export interface MigrationStatus {
  readonly major: number;
  /** Versions recorded in the database, oldest first. */
  readonly applied: readonly { readonly version: number; readonly name: string; readonly major: number; readonly appliedAt: Date }[];
  /** Versions this code ships that the database does not have yet. */
  readonly pending: readonly number[];
}

export function knownMigrations(dir: string = postgresSqlDir()): readonly Migration[] {
  return readMigrationFiles(dir, 'sql/postgres');
}

export class SchemaTooNewError extends Error {
  constructor(readonly databaseMajor: number, readonly codeMajor: number) {
    super(`the database schema is at major version ${databaseMajor} but this smsproc runs major version ${codeMajor}; run a newer smsproc`);
    this.name = 'SchemaTooNewError';
  }
}

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY, name text NOT NULL, major integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
/** One lock per schema, so that test schemas and separate deployments in one database do not wait on each other. */
const lockKey = `hashtextextended('smsproc.migrate.' || current_schema(), 0)`;

interface AppliedRow { version: number; name: string; major: number; applied_at: Date }

/** Applies the missing migrations under the advisory lock; returns the versions applied. */
export async function migrate(db: Database, migrations: readonly Migration[] = knownMigrations(), major: number = schemaMajor): Promise<number[]> {
  return db.session(async (client) => {
    await client.query(`SELECT pg_advisory_lock(${lockKey})`);
    try {
      await client.query(createTable);
      const rows = (await client.query<AppliedRow>('SELECT version, name, major, applied_at FROM schema_migrations ORDER BY version')).rows;
      const databaseMajor = Math.max(0, ...rows.map((row) => row.major));
      if (databaseMajor > major) throw new SchemaTooNewError(databaseMajor, major);
      const have = new Set(rows.map((row) => row.version));
      const applied: number[] = [];
      for (const migration of migrations) {
        if (have.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, major) VALUES ($1, $2, $3)', [migration.version, migration.name, major]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        applied.push(migration.version);
      }
      return applied;
    } finally {
      // A lost connection releases the session lock by itself.
      await client.query(`SELECT pg_advisory_unlock(${lockKey})`).catch(() => undefined);
    }
  });
}

/** What is applied and what is pending, without changing anything. */
export async function migrationStatus(db: Database, migrations: readonly Migration[] = knownMigrations()): Promise<MigrationStatus> {
  const exists = await db.rows<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  const rows = exists[0]?.present === true ? await db.rows<AppliedRow>('SELECT version, name, major, applied_at FROM schema_migrations ORDER BY version') : [];
  const have = new Set(rows.map((row) => row.version));
  return {
    major: schemaMajor,
    applied: rows.map((row) => ({ version: row.version, name: row.name, major: row.major, appliedAt: row.applied_at })),
    pending: migrations.filter((migration) => !have.has(migration.version)).map((migration) => migration.version),
  };
}
