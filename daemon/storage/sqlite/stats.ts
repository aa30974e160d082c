import type Database from 'better-sqlite3';
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
import { loadQueries } from './sql-files.js';

/** Statistics reads over the ledger, the MT queue and the callback outbox (stats-port.ts). */

const DAY_MS = 86_400_000;

interface Window { since: number; until: number }
interface SummaryRow { status: string; messages: number; segments: number; submitted: number; latency_sum: number | null; latency_max: number | null; latency_n: number }
interface SeriesRow { bucket: number; messages: number; segments: number; delivered: number; failed: number }
interface ReportSqlRow { key: string; messages: number; segments: number; delivered: number; failed: number; expired: number; pending: number }
interface SearchRow {
  id: string; client_ref: string | null; route_id: string; sender: string; recipient: string; segments: number; status: string;
  accepted_at: number; submitted_at: number | null; done_at: number | null; error_code: number | null;
}
interface SearchParams {
  client: string; since: number; until: number; recipient: string | null; id: string | null; clientRef: string | null;
  sender: string | null; status: string | null; limit: number;
}

/** A statement for one client and its twin for every client. */
interface Pair<P, R> {
  readonly ofClient: Database.Statement<[P & { client: string }], R>;
  readonly ofAll: Database.Statement<[P], R>;
}

export class StatsSql {
  private readonly summary: Pair<Window, SummaryRow>;
  private readonly series: Pair<Window & { bucket: number }, SeriesRow>;
  private readonly report: Pair<Window & { kind: ReportKind }, ReportSqlRow>;
  private readonly search: Database.Statement<[SearchParams], SearchRow>;
  private readonly callbackDepth: Database.Statement<[], { client_id: string; state: 'due' | 'leased' | 'dead'; events: number; oldest_created_at: number }>;

  constructor(db: Database.Database) {
    const sql = loadQueries('stats');
    const pair = <P extends object, R>(name: string): Pair<P, R> => ({
      ofClient: db.prepare<[P & { client: string }], R>(sql(`${name}OfClient`)),
      ofAll: db.prepare<[P], R>(sql(`${name}OfAll`)),
    });
    this.summary = pair('summary');
    this.series = pair('series');
    this.report = pair('report');
    this.search = db.prepare(sql('search'));
    this.callbackDepth = db.prepare(sql('callbackDepth'));
  }

  private run<P, R>(statement: Pair<P, R>, clientId: ClientId | null, params: P): R[] {
    return clientId === null ? statement.ofAll.all(params) : statement.ofClient.all({ ...params, client: clientId });
  }

  summaryOf(window: StatsWindow): StatsSummary {
    const rows = this.run(this.summary, window.clientId, windowOf(window));
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

  seriesOf(request: StatsSeriesRequest): StatsBucket[] {
    const since = request.since.getTime();
    return this.run(this.series, request.clientId, { ...windowOf(request), bucket: request.bucketMs }).map((row) => ({
      start: new Date(since + row.bucket * request.bucketMs),
      messages: row.messages,
      segments: row.segments,
      delivered: row.delivered,
      failed: row.failed,
    }));
  }

  reportOf(kind: ReportKind, window: StatsWindow): ReportRow[] {
    const rows = this.run(this.report, window.clientId, { ...windowOf(window), kind }).map((row) => ({
      ...row,
      key: kind === 'day' ? new Date(Number(row.key) * DAY_MS).toISOString().slice(0, 10) : row.key,
    }));
    return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  find(search: MessageSearch): MessageSummary[] {
    return this.search.all({
      client: search.clientId,
      ...windowOf(search),
      recipient: search.recipient ?? null,
      id: search.id ?? null,
      clientRef: search.clientRef ?? null,
      sender: search.sender ?? null,
      status: search.status ?? null,
      limit: search.limit,
    }).map((row) => ({
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

  callbackDepths(): CallbackQueueDepth[] {
    return this.callbackDepth.all().map((row) => ({
      clientId: row.client_id as ClientId, state: row.state, events: row.events, oldestCreatedAt: new Date(row.oldest_created_at),
    }));
  }
}

function windowOf(window: { readonly since: Date; readonly until: Date }): Window {
  return { since: window.since.getTime(), until: window.until.getTime() };
}
