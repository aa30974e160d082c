import type { ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { MessageStatus } from '../../domain/status.js';
import type {
  CallbackQueueDepth,
  MessageSearch,
  MessageSummary,
  ReportKind,
  ReportRow,
  StatsBucket,
  StatsSeriesRequest,
  StatsSummary,
  StatsWindow,
} from '../stats-port.js';
import type { Sql } from './database.js';
import { loadQueries } from './sql-files.js';

/**
 * Statistics reads over the ledger, the MT queue and the callback outbox (stats-port.ts); the same
 * figures as the SQLite adapter's stats.ts. Every windowed read names the window's days too, so that
 * PostgreSQL reads only those days' ledger partitions (stats.sql).
 */

const DAY_MS = 86_400_000;

interface SummaryRow { status: string; messages: number; segments: number; submitted: number; latency_sum: number | null; latency_max: number | null; latency_n: number }
interface SeriesRow { bucket: number; messages: number; segments: number; delivered: number; failed: number }
interface ReportSqlRow { key: string; messages: number; segments: number; delivered: number; failed: number; expired: number; pending: number }
interface SearchRow {
  id: string; client_ref: string | null; route_id: string; sender: string; recipient: string; segments: number; status: string;
  accepted_at: number; submitted_at: number | null; done_at: number | null; error_code: number | null;
}

/** since, until (ms) and the first and last day of the ledger partitions they cover. */
function windowOf(window: { readonly since: Date; readonly until: Date }): [number, number, number, number] {
  const since = window.since.getTime();
  const until = window.until.getTime();
  return [since, until, Math.floor(since / DAY_MS), Math.floor((until - 1) / DAY_MS)];
}

export class StatsSql {
  private readonly sql = loadQueries('stats');

  /** The read for one client (its id first) or its twin for every client. */
  private run<R>(db: Sql, name: string, clientId: ClientId | null, params: readonly unknown[]): Promise<R[]> {
    return clientId === null ? db.rows<R>(this.sql(`${name}OfAll`), params) : db.rows<R>(this.sql(`${name}OfClient`), [clientId, ...params]);
  }

  async summaryOf(db: Sql, window: StatsWindow): Promise<StatsSummary> {
    const rows = await this.run<SummaryRow>(db, 'summary', window.clientId, windowOf(window));
    const byStatus: Partial<Record<MessageStatus, number>> = {};
    let messages = 0, segments = 0, submitted = 0, latencySum = 0, latencyN = 0;
    let latencyMax: number | null = null;
    for (const row of rows) {
      byStatus[row.status as MessageStatus] = row.messages;
      messages += row.messages;
      segments += row.segments;
      submitted += row.submitted;
      latencySum += row.latency_sum ?? 0;
      latencyN += row.latency_n;
      if (row.latency_max !== null) latencyMax = Math.max(latencyMax ?? 0, row.latency_max);
    }
    return {
      messages, segments, byStatus, submitted,
      deliveryLatencyMeanMs: latencyN === 0 ? null : Math.round(latencySum / latencyN),
      deliveryLatencyMaxMs: latencyMax,
    };
  }

  async seriesOf(db: Sql, request: StatsSeriesRequest): Promise<StatsBucket[]> {
    const since = request.since.getTime();
    const rows = await this.run<SeriesRow>(db, 'series', request.clientId, [...windowOf(request), request.bucketMs]);
    return rows.map((row) => ({
      start: new Date(since + row.bucket * request.bucketMs),
      messages: row.messages,
      segments: row.segments,
      delivered: row.delivered,
      failed: row.failed,
    }));
  }

  async reportOf(db: Sql, kind: ReportKind, window: StatsWindow): Promise<ReportRow[]> {
    const rows = (await this.run<ReportSqlRow>(db, 'report', window.clientId, [...windowOf(window), kind])).map((row) => ({
      ...row,
      key: kind === 'day' ? new Date(Number(row.key) * DAY_MS).toISOString().slice(0, 10) : row.key,
    }));
    return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async find(db: Sql, search: MessageSearch): Promise<MessageSummary[]> {
    const rows = await db.rows<SearchRow>(this.sql('search'), [
      search.clientId, ...windowOf(search), search.recipient ?? null, search.id ?? null, search.clientRef ?? null,
      search.sender ?? null, search.status ?? null, search.limit,
    ]);
    return rows.map((row) => ({
      id: row.id as MessageId,
      clientRef: row.client_ref,
      routeId: row.route_id as RouteId,
      sender: row.sender,
      recipient: row.recipient,
      segments: row.segments,
      status: row.status as MessageStatus,
      acceptedAt: new Date(row.accepted_at),
      submittedAt: row.submitted_at === null ? null : new Date(row.submitted_at),
      doneAt: row.done_at === null ? null : new Date(row.done_at),
      errorCode: row.error_code,
    }));
  }

  async callbackDepth(db: Sql): Promise<CallbackQueueDepth[]> {
    const rows = await db.rows<{ client_id: string; state: 'due' | 'leased' | 'dead'; events: number; oldest_created_at: number }>(this.sql('callbackDepth'));
    return rows.map((row) => ({
      clientId: row.client_id as ClientId, state: row.state, events: row.events, oldestCreatedAt: new Date(row.oldest_created_at),
    }));
  }
}
