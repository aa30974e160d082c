import { fileURLToPath } from 'node:url';
import { loadQueries as loadNamedQueries } from '../sqlite/sql-files.js';

/**
 * The SQL of this adapter lives in sql/postgres/: numbered migrations, and queries/<area>.sql with
 * named statements (`-- name: <name>`, then purpose, parameters and result), in the same format as
 * sql/sqlite/, read by the same loader.
 */

/** This module runs as dist/daemon/storage/postgres/sql-files.js: the project root is four levels up. */
export function postgresSqlDir(): string {
  return fileURLToPath(new URL('../../../../sql/postgres/', import.meta.url));
}

/** The named statements of sql/postgres/queries/<area>.sql; the lookup throws on an unknown name. */
export function loadQueries(area: string): (name: string) => string {
  return loadNamedQueries(area, postgresSqlDir());
}
