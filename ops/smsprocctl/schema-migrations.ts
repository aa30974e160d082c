import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Config } from '../../daemon/config/schema.js';
import { Database as PgDatabase } from '../../daemon/storage/postgres/database.js';
import { migrate as migratePostgres, migrationStatus, schemaMajor } from '../../daemon/storage/postgres/migrate.js';
import { ensureDayPartitions } from '../../daemon/storage/postgres/day-partitions.js';
import { knownMigrations as knownSqliteMigrations, migrate as migrateSqlite } from '../../daemon/storage/sqlite/migrate.js';

/** The schema of the store a node config names: which migrations it has, which it lacks; and applying them. */

export interface SchemaReport {
  readonly adapter: 'sqlite' | 'postgres';
  /** The file, or the server and schema (without the password). */
  readonly location: string;
  /** PostgreSQL's schema major version this smsprocctl runs; null for SQLite (versions only). */
  readonly major: number | null;
  readonly applied: readonly { readonly version: number; readonly name: string; readonly appliedAt: string }[];
  readonly pending: readonly number[];
  /** Versions applied by this call (db migrate). */
  readonly appliedNow: readonly number[];
}

export async function schemaReport(config: Config, apply: boolean): Promise<SchemaReport> {
  return config.store.kind === 'postgres' ? postgresReport(config, apply) : sqliteReport(config, apply);
}

function withoutPassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

async function postgresReport(config: Config, apply: boolean): Promise<SchemaReport> {
  const url = config.store.postgresUrl ?? '';
  const schema = config.store.postgresSchema;
  const db = new PgDatabase({ url, poolSize: 1, ...(schema === null ? {} : { schema }), applicationName: 'smsprocctl' });
  try {
    const appliedNow = apply ? await migratePostgres(db) : [];
    if (apply) await ensureDayPartitions(db);
    const status = await migrationStatus(db);
    return {
      adapter: 'postgres',
      location: `${withoutPassword(url)}${schema === null ? '' : ` schema ${schema}`}`,
      major: schemaMajor,
      applied: status.applied.map((row) => ({ version: row.version, name: row.name, appliedAt: row.appliedAt.toISOString() })),
      pending: status.pending,
      appliedNow,
    };
  } finally {
    await db.close();
  }
}

async function sqliteReport(config: Config, apply: boolean): Promise<SchemaReport> {
  const path = config.store.sqlitePath;
  const known = knownSqliteMigrations();
  const base = { adapter: 'sqlite', location: path, major: null } as const;
  // Status never creates the file.
  if (!apply && !existsSync(path)) return { ...base, applied: [], pending: known.map((m) => m.version), appliedNow: [] };
  const db = new Database(path, { readonly: !apply });
  try {
    const appliedNow = apply ? migrateSqlite(db, Date.now()) : [];
    const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get() !== undefined;
    const rows = hasTable
      ? db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as { version: number; name: string; applied_at: number }[]
      : [];
    const have = new Set(rows.map((row) => row.version));
    return {
      ...base,
      applied: rows.map((row) => ({ version: row.version, name: row.name, appliedAt: new Date(row.applied_at).toISOString() })),
      pending: known.filter((m) => !have.has(m.version)).map((m) => m.version),
      appliedNow,
    };
  } finally {
    db.close();
  }
}
