/**
 * The read side of the Store for statistics (docs/web.md): client figures, charts, message search,
 * reports and the queue view of the operator dashboard. Every method only reads; figures come from
 * the message ledger, so they cover what the ledger keeps (queue.retentionMs, 7 days by default).
 * Times are the acceptance time of messages unless a field says otherwise. `clientId: null` means
 * every client (the operator's view).
 */
import type { ClientId, MessageId, RouteId } from '../domain/ids.js';
import type { MessageStatus } from '../domain/status.js';

export interface StatsWindow {
  readonly clientId: ClientId | null;
  /** Inclusive start of the acceptance-time window. */
  readonly since: Date;
  /** Exclusive end of the acceptance-time window. */
  readonly until: Date;
}

/** Messages accepted in a window, by their current status, with segments and delivery latency. */
export interface StatsSummary {
  readonly messages: number;
  readonly segments: number;
  /** Messages per current status; statuses with no message are absent. */
  readonly byStatus: Readonly<Partial<Record<MessageStatus, number>>>;
  /** Messages that reached the operator (submitted_at set), whatever their status now. */
  readonly submitted: number;
  /** Over delivered messages: mean and largest time from acceptance to the delivery receipt; null with none. */
  readonly deliveryLatencyMeanMs: number | null;
  readonly deliveryLatencyMaxMs: number | null;
}

/** One bucket of a chart: messages accepted in [start, start + bucketMs), by outcome so far. */
export interface StatsBucket {
  readonly start: Date;
  readonly messages: number;
  readonly segments: number;
  readonly delivered: number;
  /** undeliverable, rejected, failed, expired, cancelled. */
  readonly failed: number;
}

export interface StatsSeriesRequest extends StatsWindow {
  readonly bucketMs: number;
}

/** How a report groups messages: UTC day of acceptance, sender, route (operator), status or client. */
export type ReportKind = 'day' | 'sender' | 'route' | 'status' | 'client';

export interface ReportRow {
  /** The group: `YYYY-MM-DD` for days, else the sender, route id, status or client id. */
  readonly key: string;
  readonly messages: number;
  readonly segments: number;
  readonly delivered: number;
  readonly failed: number;
  readonly expired: number;
  /** Not final yet. */
  readonly pending: number;
}

export interface MessageSearch {
  readonly clientId: ClientId;
  readonly since: Date;
  readonly until: Date;
  /** Exact matches; absent fields do not filter. */
  readonly recipient?: string;
  readonly id?: MessageId;
  readonly clientRef?: string;
  readonly sender?: string;
  readonly status?: MessageStatus;
  /** Newest first; at most this many. */
  readonly limit: number;
}

export interface MessageSummary {
  readonly id: MessageId;
  readonly clientRef: string | null;
  readonly routeId: RouteId;
  readonly sender: string;
  readonly recipient: string;
  readonly segments: number;
  readonly status: MessageStatus;
  readonly acceptedAt: Date;
  readonly submittedAt: Date | null;
  readonly doneAt: Date | null;
  readonly errorCode: number | null;
}

/** Callback outbox events per client and state (due, leased, dead; delivered ones are not counted). */
export interface CallbackQueueDepth {
  readonly clientId: ClientId;
  readonly state: 'due' | 'leased' | 'dead';
  readonly events: number;
  readonly oldestCreatedAt: Date;
}

export interface StatsStore {
  statsSummary(window: StatsWindow): Promise<StatsSummary>;
  /** Buckets from `since` in steps of bucketMs; buckets with no message are absent. */
  statsSeries(request: StatsSeriesRequest): Promise<readonly StatsBucket[]>;
  /** One row per group, ordered by key. */
  statsReport(kind: ReportKind, window: StatsWindow): Promise<readonly ReportRow[]>;
  /** A client's messages matching the filter, newest first; history comes from findMessage. */
  searchMessages(search: MessageSearch): Promise<readonly MessageSummary[]>;
  /** Callback events not delivered, per client and state with the oldest, ordered by client then state (the MT side is the Store's queueDepth). */
  callbackDepth(): Promise<readonly CallbackQueueDepth[]>;
}
