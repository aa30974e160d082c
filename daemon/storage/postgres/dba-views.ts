import type { Sql } from './database.js';
import { loadQueries } from './sql-files.js';

/**
 * The DBA views of sql/postgres/004_dba_views.sql, read for `smsprocctl queues --health`. Not part of
 * the Store port (only PostgreSQL has them): a command asks `hasQueueHealth(store)` first.
 * Ages are seconds by the database clock; counts and times are numbers and Dates.
 */

export interface QueueDepthRow { readonly queue: string; readonly state: string; readonly messages: number; readonly oldestAt: Date | null; readonly oldestAgeS: number | null }
export interface RouteBacklogRow {
  readonly routeId: string; readonly ready: number; readonly waiting: number; readonly inFlight: number; readonly inDoubt: number;
  readonly oldestReadyAgeS: number | null; readonly owners: string | null; readonly fencedInFlight: number; readonly bindEpochs: string | null;
}
export interface ConsumerLagRow {
  readonly bindId: string; readonly routeId: string; readonly epoch: number; readonly owner: string | null; readonly inFlight: number;
  readonly leaseLeftS: number | null; readonly inDoubt: number; readonly routeReady: number; readonly lagS: number;
}
export interface MinuteRateRow {
  readonly minute: Date; readonly mtEnqueued: number; readonly mtSubmitted: number; readonly mtExpired: number; readonly mtException: number;
  readonly callbacksDelivered: number; readonly moRecorded: number;
}
export interface TableHealthRow {
  readonly table: string; readonly partitionOf: string | null; readonly liveTuples: number; readonly deadTuples: number; readonly deadRatio: number;
  readonly lastVacuum: Date | null; readonly lastAutovacuum: Date | null;
}
export interface OpenTransactionRow {
  readonly pid: number; readonly user: string | null; readonly application: string | null; readonly state: string | null;
  readonly ageS: number | null; readonly xminAge: number | null;
}

export interface QueueHealth {
  readonly depth: readonly QueueDepthRow[];
  readonly routes: readonly RouteBacklogRow[];
  readonly consumers: readonly ConsumerLagRow[];
  readonly rates: readonly MinuteRateRow[];
  readonly tables: readonly TableHealthRow[];
  readonly transactions: readonly OpenTransactionRow[];
}

/** A store whose database has the DBA views. */
export interface QueueHealthSource {
  queueHealth(): Promise<QueueHealth>;
}

export function hasQueueHealth<S extends object>(store: S): store is S & QueueHealthSource {
  return typeof (store as Partial<QueueHealthSource>).queueHealth === 'function';
}

/** A numeric column (round(…)): pg gives it as a string. */
type Numeric = string | number | null;

function num(value: Numeric): number | null {
  return value === null ? null : Number(value);
}

export class DbaViewsSql {
  private readonly sql = loadQueries('dba_views');

  async read(db: Sql): Promise<QueueHealth> {
    const [depth, routes, consumers, rates, tables, transactions] = await Promise.all([
      db.rows<{ queue: string; state: string; messages: number; oldest_at: number | null; oldest_age_s: Numeric }>(this.sql('depth')),
      db.rows<{
        route_id: string; ready: number; waiting: number; in_flight: number; in_doubt: number; oldest_ready_age_s: Numeric;
        owners: string | null; fenced_in_flight: number; bind_epochs: string | null;
      }>(this.sql('routes')),
      db.rows<{
        bind_id: string; route_id: string; epoch: number; owner: string | null; in_flight: number; lease_left_s: Numeric; in_doubt: number;
        route_ready: number; lag_s: Numeric;
      }>(this.sql('consumers')),
      db.rows<{
        minute: Date; mt_enqueued: number; mt_submitted: number; mt_expired: number; mt_exception: number; callbacks_delivered: number; mo_recorded: number;
      }>(this.sql('rates')),
      db.rows<{
        table_name: string; partition_of: string | null; n_live_tup: number; n_dead_tup: number; dead_ratio: Numeric;
        last_vacuum: Date | null; last_autovacuum: Date | null;
      }>(this.sql('tables')),
      db.rows<{ pid: number; usename: string | null; application_name: string | null; state: string | null; xact_age_s: Numeric; xmin_age: number | null }>(this.sql('transactions')),
    ]);
    return {
      depth: depth.map((row) => ({
        queue: row.queue, state: row.state, messages: row.messages, oldestAt: row.oldest_at === null ? null : new Date(row.oldest_at), oldestAgeS: num(row.oldest_age_s),
      })),
      routes: routes.map((row) => ({
        routeId: row.route_id, ready: row.ready, waiting: row.waiting, inFlight: row.in_flight, inDoubt: row.in_doubt,
        oldestReadyAgeS: num(row.oldest_ready_age_s), owners: row.owners, fencedInFlight: row.fenced_in_flight, bindEpochs: row.bind_epochs,
      })),
      consumers: consumers.map((row) => ({
        bindId: row.bind_id, routeId: row.route_id, epoch: row.epoch, owner: row.owner, inFlight: row.in_flight, leaseLeftS: num(row.lease_left_s),
        inDoubt: row.in_doubt, routeReady: row.route_ready, lagS: num(row.lag_s) ?? 0,
      })),
      rates: rates.map((row) => ({
        minute: row.minute, mtEnqueued: row.mt_enqueued, mtSubmitted: row.mt_submitted, mtExpired: row.mt_expired, mtException: row.mt_exception,
        callbacksDelivered: row.callbacks_delivered, moRecorded: row.mo_recorded,
      })),
      tables: tables.map((row) => ({
        table: row.table_name, partitionOf: row.partition_of, liveTuples: row.n_live_tup, deadTuples: row.n_dead_tup, deadRatio: num(row.dead_ratio) ?? 0,
        lastVacuum: row.last_vacuum, lastAutovacuum: row.last_autovacuum,
      })),
      transactions: transactions.map((row) => ({
        pid: row.pid, user: row.usename, application: row.application_name, state: row.state, ageS: num(row.xact_age_s), xminAge: row.xmin_age,
      })),
    };
  }
}
