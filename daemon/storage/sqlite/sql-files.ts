import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The SQL of this adapter lives in sql/sqlite/: numbered migrations, and queries/<area>.sql files
 * holding named statements, each headed by `-- name: <name>` and a comment of its purpose,
 * parameters and result.
 */

/** This module runs as dist/daemon/storage/sqlite/sql-files.js: the project root is four levels up. */
export function sqliteSqlDir(): string {
  return fileURLToPath(new URL('../../../../sql/sqlite/', import.meta.url));
}

const nameLine = /^-- name: (\w+)\s*$/gm;

/** The named statements of sql/sqlite/queries/<area>.sql; the returned lookup throws on an unknown name. */
export function loadQueries(area: string, dir: string = sqliteSqlDir()): (name: string) => string {
  const path = join(dir, 'queries', `${area}.sql`);
  const text = readFileSync(path, 'utf8');
  const statements = new Map<string, string>();
  const heads = [...text.matchAll(nameLine)];
  heads.forEach((head, index) => {
    const name = head[1] ?? '';
    if (statements.has(name)) throw new Error(`${path}: statement "${name}" is defined twice`);
    const start = (head.index ?? 0) + head[0].length;
    const end = heads[index + 1]?.index ?? text.length;
    statements.set(name, text.slice(start, end).trim());
  });
  return (name: string) => {
    const statement = statements.get(name);
    if (statement === undefined) throw new Error(`${path}: no statement named "${name}"`);
    return statement;
  };
}
