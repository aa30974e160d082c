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
import type { Binds, NamedSql, OracleSession } from './aq-session.js';
import { oracleQueries } from './sql-files.js';

/**
 * Statistics reads over the ledger and the callback outbox (stats-port.ts), with the SQLite store's
 * rules (daemon/storage/sqlite/stats.ts). Each read of a window has a statement for one client and
 * one for every client, so that each uses its own index.
 */

interface SummaryRow { STATUS: string; MESSAGES: number; SEGMENTS: number; SUBMITTED: number; LATENCY_SUM: number | null; LATENCY_MAX: number | null; LATENCY_N: number }
interface SeriesRow { BUCKET: number; MESSAGES: number; SEGMENTS: number; DELIVERED: number; FAILED: number }
interface ReportSqlRow { GROUP_KEY: string; MESSAGES: number; SEGMENTS: number; DELIVERED: number; FAILED: number; EXPIRED: number; PENDING: number }
interface SearchRow {
  ID: string; CLIENT_REF: string | null; ROUTE_ID: string; SENDER: string; RECIPIENT: string; SEGMENTS: number; STATUS: string;
  ACCEPTED_AT: Date; SUBMITTED_AT: Date | null; DONE_AT: Date | null; ERROR_CODE: number | null;
}

const sql = oracleQueries('stats');

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Runs the one-client statement (`<name>OfClient`) or the every-client one (`<name>OfAll`). */
async function ofWindow<Row>(session: OracleSession, name: string, window: StatsWindow, binds: Binds = {}): Promise<readonly Row[]> {
  const range = { since: window.since, until: window.until, ...binds };
  const statement: NamedSql = sql(window.clientId === null ? `${name}OfAll` : `${name}OfClient`);
  return (await session.execute<Row>(statement, window.clientId === null ? range : { ...range, client_id: window.clientId })).rows;
}

export async function statsSummary(session: OracleSession, window: StatsWindow): Promise<StatsSummary> {
  const byStatus: Partial<Record<MessageStatus, number>> = {};
  let messages = 0, segments = 0, submitted = 0, latencySum = 0, latencyN = 0;
  let latencyMax: number | null = null;
  for (const row of await ofWindow<SummaryRow>(session, 'summary', window)) {
    byStatus[row.STATUS as MessageStatus] = row.MESSAGES;
    messages += row.MESSAGES;
    segments += row.SEGMENTS;
    submitted += row.SUBMITTED;
    latencySum += row.LATENCY_SUM ?? 0;
    latencyN += row.LATENCY_N;
    if (row.LATENCY_MAX !== null) latencyMax = Math.max(latencyMax ?? 0, row.LATENCY_MAX);
  }
  return {
    messages, segments, byStatus, submitted,
    deliveryLatencyMeanMs: latencyN === 0 ? null : Math.round(latencySum / latencyN),
    // Oracle timestamps carry microseconds; the port counts whole milliseconds.
    deliveryLatencyMaxMs: latencyMax === null ? null : Math.round(latencyMax),
  };
}

export async function statsSeries(session: OracleSession, request: StatsSeriesRequest): Promise<StatsBucket[]> {
  const since = request.since.getTime();
  return (await ofWindow<SeriesRow>(session, 'series', request, { bucket_ms: request.bucketMs })).map((row) => ({
    start: new Date(since + row.BUCKET * request.bucketMs),
    messages: row.MESSAGES,
    segments: row.SEGMENTS,
    delivered: row.DELIVERED,
    failed: row.FAILED,
  }));
}

export async function statsReport(session: OracleSession, kind: ReportKind, window: StatsWindow): Promise<ReportRow[]> {
  const rows = (await ofWindow<ReportSqlRow>(session, 'report', window, { kind })).map((row) => ({
    key: row.GROUP_KEY,
    messages: row.MESSAGES,
    segments: row.SEGMENTS,
    delivered: row.DELIVERED,
    failed: row.FAILED,
    expired: row.EXPIRED,
    pending: row.PENDING,
  }));
  // Ordered here, not by the session's NLS_SORT, which may be linguistic.
  return rows.sort((a, b) => byKey(a.key, b.key));
}

export async function searchMessages(session: OracleSession, search: MessageSearch): Promise<MessageSummary[]> {
  const rows = await session.execute<SearchRow>(sql('search'), {
    client_id: search.clientId,
    since: search.since,
    until: search.until,
    recipient: search.recipient ?? null,
    id: search.id ?? null,
    client_ref: search.clientRef ?? null,
    sender: search.sender ?? null,
    status: search.status ?? null,
    max_rows: search.limit,
  });
  return rows.rows.map((row) => ({
    id: row.ID as MessageId,
    clientRef: row.CLIENT_REF,
    routeId: row.ROUTE_ID as RouteId,
    sender: row.SENDER,
    recipient: row.RECIPIENT,
    segments: row.SEGMENTS,
    status: row.STATUS as MessageStatus,
    acceptedAt: row.ACCEPTED_AT,
    submittedAt: row.SUBMITTED_AT,
    doneAt: row.DONE_AT,
    errorCode: row.ERROR_CODE,
  }));
}

export async function callbackDepth(session: OracleSession): Promise<CallbackQueueDepth[]> {
  const callbacks = await session.execute<{ CLIENT_ID: string; STATE: 'due' | 'leased' | 'dead'; EVENTS: number; OLDEST_CREATED_AT: Date }>(
    sql('callbackDepth'), {},
  );
  return callbacks.rows
    .map((row) => ({ clientId: row.CLIENT_ID as ClientId, state: row.STATE, events: row.EVENTS, oldestCreatedAt: row.OLDEST_CREATED_AT }))
    .sort((a, b) => byKey(a.clientId, b.clientId) || byKey(a.state, b.state));
}
