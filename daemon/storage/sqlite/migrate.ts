import type Database from 'better-sqlite3';
import { sqliteSqlDir } from './sql-files.js';
import { readMigrationFiles, type Migration } from '../migration-files.js';

/**
 * Versioned schema migrations: sql/sqlite/NNN_name.sql, applied in order, each in its own
 * transaction, recorded in schema_migrations. A database whose schema is newer than the files this
 * code ships is refused rather than used half-understood.
 */

export function knownMigrations(dir: string = sqliteSqlDir()): readonly Migration[] {
  return readMigrationFiles(dir, 'sql/sqlite');
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
