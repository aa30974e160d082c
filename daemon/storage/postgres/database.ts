import { createHash } from 'node:crypto';
import pg from 'pg';
import { Errors, SmsprocError } from '../../domain/errors.js';

/**
 * The adapter's connection pool and its one way to run SQL: `query` for a single statement (its own
 * transaction) and `transaction` for a short unit of several statements on one connection. No
 * transaction ever waits on network I/O other than the database's own: callers do their SMPP or
 * HTTP work between calls, never inside one.
 * A failure of the database (connection refused or lost, the server shutting down or starting up,
 * too many connections) rejects with STORE_UNAVAILABLE; the pool replaces broken connections on the
 * next call, so the store keeps working through a server restart. Errors of the statement itself
 * (a constraint, say) are passed on as they are. A deadlock or serialization failure is retried.
 */

export interface Sql {
  /** Runs one statement; rows as plain objects. */
  rows<R>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** Runs one statement; the number of rows it changed. */
  count(text: string, values?: readonly unknown[]): Promise<number>;
}

export interface DatabaseOptions {
  readonly url: string;
  readonly poolSize: number;
  /** Sets search_path on every connection (one schema per test, or per deployment). */
  readonly schema?: string;
  readonly connectTimeoutMs?: number;
  /** Shown in pg_stat_activity, so that DBAs (and tests) can tell our sessions apart. */
  readonly applicationName?: string;
}

/** int8 (counts, sequences, millisecond times) as a JS number: every value we store is below 2^53. */
const int8Oid = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8Oid && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** SQLSTATE classes and codes that mean the database cannot serve now, rather than a bad statement. */
const unavailableStates = /^(08|53|57P0[1-4]|58)/;
const retryableStates = new Set(['40001', '40P01']);
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string') return unavailableStates.test(code) || unavailableErrnos.has(code);
  // node-postgres reports a lost connection, a closed pool or no pooled connection free within
  // connectTimeoutMs (every one busy: the process's share of the node's connections) as plain errors without a code.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Cannot use a pool after calling end/i.test(error.message);
}

export function storeUnavailable(cause: unknown): SmsprocError {
  return new SmsprocError(Errors.STORE_UNAVAILABLE, { retryAfterS: 1 }, { retryAfterS: 1, cause });
}

function sqlStateOf(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function mapped(error: unknown): unknown {
  return isDatabaseUnavailable(error) ? storeUnavailable(error) : error;
}

/**
 * Statements with parameters run as named prepared statements (named by a hash of their text), so
 * that each connection parses and plans a hot statement once rather than on every call.
 */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `smsproc_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

function queryOf(text: string, values: readonly unknown[]): pg.QueryConfig {
  return values.length === 0 ? { text } : { name: statementName(text), text, values: values as unknown[] };
}

class ClientSql implements Sql {
  constructor(private readonly client: pg.PoolClient | pg.Pool) {}

  async rows<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    const result = await this.client.query(queryOf(text, values));
    return result.rows as R[];
  }

  async count(text: string, values: readonly unknown[] = []): Promise<number> {
    const result = await this.client.query(queryOf(text, values));
    return result.rowCount ?? 0;
  }
}

const maxAttempts = 3;

export class Database implements Sql {
  readonly pool: pg.Pool;
  private closed = false;

  constructor(readonly options: DatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      types,
      application_name: options.applicationName ?? 'smsproc',
      // No JIT: our statements are short, and a claim whose estimate is inflated by its per-client
      // LATERAL (claimFair) would otherwise spend ~25 ms compiling for a 3 ms statement.
      options: ['-c jit=off', ...(options.schema === undefined ? [] : [`-c search_path=${options.schema}`])].join(' '),
    });
    // An idle connection the server dropped (restart, pg_terminate_backend) must not crash the
    // process: the pool discards it and the next call connects afresh.
    this.pool.on('error', () => undefined);
  }

  /** One statement on any pooled connection, outside an explicit transaction. */
  async rows<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    return this.retrying(() => new ClientSql(this.pool).rows<R>(text, values));
  }

  async count(text: string, values: readonly unknown[] = []): Promise<number> {
    return this.retrying(() => new ClientSql(this.pool).count(text, values));
  }

  /**
   * Runs `body` in one transaction (READ COMMITTED) with `now`, the database clock in ms at its
   * start. Commits when it resolves, rolls back when it throws. `snapshot` runs it REPEATABLE READ
   * READ ONLY: one consistent view across several reads.
   */
  async transaction<T>(body: (sql: Sql, now: number) => Promise<T>, mode: 'write' | 'snapshot' = 'write'): Promise<T> {
    const begin = mode === 'snapshot' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN';
    return this.retrying(async () => {
      const client = await this.pool.connect();
      let broken = false;
      // A connection lost while checked out emits 'error' on the client; the failing query rejects too.
      const onError = (): void => {
        broken = true;
      };
      client.on('error', onError);
      try {
        const results = (await client.query(`${begin}; SELECT ms_now() AS now`)) as unknown as pg.QueryResult[];
        const now = Number((results[1]?.rows[0] as { now: number } | undefined)?.now);
        try {
          const value = await body(new ClientSql(client), now);
          await client.query('COMMIT');
          return value;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw error;
        }
      } catch (error) {
        if (isDatabaseUnavailable(error)) broken = true;
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    });
  }

  /** A pooled connection for a caller that needs one session (migrations under a session lock). */
  async session<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.retrying(async () => {
      const client = await this.pool.connect();
      let broken = false;
      const onError = (): void => {
        broken = true;
      };
      client.on('error', onError);
      try {
        return await body(client);
      } catch (error) {
        if (isDatabaseUnavailable(error)) broken = true;
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async retrying<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (error) {
        const state = sqlStateOf(error);
        if (attempt < maxAttempts && state !== undefined && retryableStates.has(state)) continue;
        throw mapped(error);
      }
    }
  }
}
