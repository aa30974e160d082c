import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadQueries } from '../sqlite/sql-files.js';
import type { NamedSql } from './aq-session.js';

/**
 * The SQL of the Oracle adapter lives in sql/oracle/: admin/ (run by a DBA as SYSDBA), schema/
 * (numbered install files, run as the schema owner) and queries/<area>.sql (named statements, in
 * the same `-- name:` format as the SQLite adapter's, read with the same loader).
 */

/** This module runs as dist/daemon/storage/oracle/sql-files.js: the project root is four levels up. */
export function oracleSqlDir(): string {
  return fileURLToPath(new URL('../../../../sql/oracle/', import.meta.url));
}

/** The named statements of sql/oracle/queries/<area>.sql; the lookup throws on an unknown name. */
export function oracleQueries(area: string, dir: string = oracleSqlDir()): (name: string) => NamedSql {
  const sql = loadQueries(area, dir);
  return (name: string) => ({ name: `${area}.${name}`, sql: sql(name) });
}

/** One statement of an install script, as SQL*Plus would send it. */
export interface ScriptStatement {
  readonly file: string;
  readonly index: number;
  readonly sql: string;
}

/**
 * Splits an install script into its statements: each ends with a line holding only "/" (the
 * SQL*Plus terminator, valid after SQL and PL/SQL alike). Comment lines between statements are
 * dropped; a statement keeps its inner comments, as the server receives them.
 */
export function splitScript(file: string, text: string): ScriptStatement[] {
  const statements: ScriptStatement[] = [];
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '/') {
      const sql = lines.join('\n').trim();
      if (sql !== '') statements.push({ file, index: statements.length + 1, sql });
      lines = [];
      continue;
    }
    if (lines.length === 0 && (line.trim() === '' || line.trimStart().startsWith('--'))) continue;
    lines.push(line.replace(/\s+$/, ''));
  }
  const rest = lines.join('\n').trim();
  if (rest !== '') throw new Error(`${file}: text after the last "/" terminator: ${rest.slice(0, 60)}`);
  return statements;
}

/** The statements of sql/oracle/<folder>/*.sql in file order (schema/ is what the schema owner runs). */
export function scriptStatements(folder: 'admin' | 'schema', dir: string = oracleSqlDir()): ScriptStatement[] {
  const files = readdirSync(join(dir, folder)).filter((name) => name.endsWith('.sql')).sort();
  return files.flatMap((name) => splitScript(`${folder}/${name}`, readFileSync(join(dir, folder, name), 'utf8')));
}

/** The schema version the install files create and this adapter needs (030_ledger.sql). */
export const ORACLE_SCHEMA_VERSION = 1;
