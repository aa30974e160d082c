import type { MessageStatus } from '../domain/status.js';
import type { StatsSummary } from '../storage/stats-port.js';

/**
 * The figures a client sees (docs/web.md), from two ledger summaries: the last 24 hours and the last
 * few seconds (the current rate). Pure.
 */
export interface ClientFigures {
  readonly accepted: number;
  readonly submitted: number;
  readonly delivered: number;
  /** Ended without delivery, except by expiry: undeliverable, rejected, failed, cancelled. */
  readonly failed: number;
  readonly expired: number;
  /** Not yet final: accepted, scheduled, submitted (awaiting its receipt), in doubt. */
  readonly waiting: number;
  /** Segments per second accepted over the rate window. */
  readonly ratePerS: number;
  readonly reservedTps: number;
  /** Delivered over final messages; null before any is final. */
  readonly deliveryRatio: number | null;
  readonly latencyMeanMs: number | null;
  readonly latencyMaxMs: number | null;
}

const failedStatuses: readonly MessageStatus[] = ['undeliverable', 'rejected', 'failed', 'cancelled'];
const waitingStatuses: readonly MessageStatus[] = ['accepted', 'scheduled', 'submitted', 'in_doubt'];

function count(summary: StatsSummary, statuses: readonly MessageStatus[]): number {
  return statuses.reduce((sum, status) => sum + (summary.byStatus[status] ?? 0), 0);
}

export function clientFigures(day: StatsSummary, recent: StatsSummary, rateWindowMs: number, reservedTps: number): ClientFigures {
  const delivered = day.byStatus.delivered ?? 0;
  const failed = count(day, failedStatuses);
  const expired = day.byStatus.expired ?? 0;
  const final = delivered + failed + expired;
  return {
    accepted: day.messages,
    submitted: day.submitted,
    delivered,
    failed,
    expired,
    waiting: count(day, waitingStatuses),
    ratePerS: Math.round((recent.segments / (rateWindowMs / 1000)) * 10) / 10,
    reservedTps,
    deliveryRatio: final === 0 ? null : Math.round((delivered / final) * 1000) / 1000,
    latencyMeanMs: day.deliveryLatencyMeanMs,
    latencyMaxMs: day.deliveryLatencyMaxMs,
  };
}

/** The chart ranges: how far back and how wide each bar is. */
export const chartRanges = {
  hour: { spanMs: 60 * 60_000, bucketMs: 60_000 },
  day: { spanMs: 24 * 60 * 60_000, bucketMs: 60 * 60_000 },
  month: { spanMs: 30 * 24 * 60 * 60_000, bucketMs: 24 * 60 * 60_000 },
} as const;
export type ChartRange = keyof typeof chartRanges;

export function isChartRange(value: unknown): value is ChartRange {
  return typeof value === 'string' && Object.hasOwn(chartRanges, value);
}

/**
 * The window of a chart ending now, its start aligned down to a whole bucket (UTC) so that bars
 * do not shift as time passes, with one more bucket to hold the current, partial one.
 */
export function chartWindow(range: ChartRange, now: number): { readonly since: Date; readonly until: Date; readonly bucketMs: number; readonly buckets: number } {
  const { spanMs, bucketMs } = chartRanges[range];
  const buckets = spanMs / bucketMs;
  const currentStart = Math.floor(now / bucketMs) * bucketMs;
  const since = currentStart - (buckets - 1) * bucketMs;
  return { since: new Date(since), until: new Date(currentStart + bucketMs), bucketMs, buckets };
}
