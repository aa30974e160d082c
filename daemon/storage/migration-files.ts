import { readdirSync, readFileSync } from 'node:fs';

/** One numbered schema migration file of an adapter: sql/<adapter>/NNN_name.sql. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const fileNamePattern = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/**
 * The migrations in `dir`, in order; their numbers must run 1, 2, 3… without a gap, since each
 * adapter applies "everything after the recorded version". `label` names the folder in errors.
 */
export function readMigrationFiles(dir: string, label: string): readonly Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = fileNamePattern.exec(file);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name: match[2] ?? file, sql: readFileSync(`${dir}/${file}`, 'utf8') });
  }
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`${label}: expected migration ${index + 1}, found ${migration.version}_${migration.name}`);
  });
  return migrations;
}
