import { readdirSync, readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { sqliteSqlDir } from './sql-files.js';

/**
 * Versioned schema migrations: sql/sqlite/NNN_name.sql, applied in order, each in its own
 * transaction, recorded in schema_migrations. A database whose schema is newer than the files this
 * code ships is refused rather than used half-understood.
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const fileNamePattern = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function knownMigrations(dir: string = sqliteSqlDir()): readonly Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = fileNamePattern.exec(file);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name: match[2] ?? file, sql: readFileSync(`${dir}/${file}`, 'utf8') });
  }
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`sql/sqlite: expected migration ${index + 1}, found ${migration.version}_${migration.name}`);
  });
  return migrations;
}

export class SchemaTooNewError extends Error {
  constructor(readonly databaseVersion: number, readonly codeVersion: number) {
    super(`the database schema is at version ${databaseVersion} but this smsproc knows only up to ${codeVersion}; run a newer smsproc`);
    this.name = 'SchemaTooNewError';
  }
}

/** Applies the missing migrations; returns the versions applied (empty when the schema was current). */
export function migrate(db: Database.Database, now: number, migrations: readonly Migration[] = knownMigrations()): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT');
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations').get() as { version: number };
  const known = migrations.length;
  if (row.version > known) throw new SchemaTooNewError(row.version, known);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const migration of migrations.slice(row.version)) {
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
