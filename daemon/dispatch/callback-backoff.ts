/**
 * When a failed callback is tried again (docs/callbacks.md, "Retries"): exponential backoff with
 * bounded jitter, capped, for at least `maxAgeMs` after the event was raised; then dead. Pure: time
 * and randomness are arguments.
 */

export interface BackoffSchedule {
  /** The delay after the first failure, before jitter. */
  readonly firstDelayMs: number;
  /** No delay is longer than this. */
  readonly maxDelayMs: number;
  /** A failure once the event is this old makes it dead instead of retried. */
  readonly maxAgeMs: number;
  /** Each delay is shortened by up to this fraction at random, so retries of many events spread out. */
  readonly jitterRatio: number;
}

export const defaultBackoff: BackoffSchedule = {
  firstDelayMs: 10_000,
  maxDelayMs: 3_600_000,
  maxAgeMs: 24 * 3_600_000,
  jitterRatio: 0.2,
};

/**
 * The delay after a failure, given the attempts that failed before it (0 for the first failure):
 * firstDelayMs × 2^failuresBefore, capped at maxDelayMs, times (1 − jitterRatio × random), random in [0, 1).
 */
export function backoffDelayMs(failuresBefore: number, random: number, schedule: BackoffSchedule): number {
  const exponent = Math.min(Math.max(failuresBefore, 0), 52);
  const base = Math.min(schedule.maxDelayMs, schedule.firstDelayMs * 2 ** exponent);
  return Math.round(base * (1 - schedule.jitterRatio * random));
}

export type RetryDecision = { readonly kind: 'retry'; readonly delayMs: number } | { readonly kind: 'dead' };

/**
 * After a retryable failure at `now` of an event raised at `createdAt` with `failuresBefore` earlier
 * failures: dead once the event is maxAgeMs old (so retries go on for at least that long), else a
 * retry after the backoff delay, or after `requestedDelayMs` (a Retry-After) when given, capped at maxDelayMs.
 */
export function retryOrDead(
  createdAt: Date,
  failuresBefore: number,
  now: number,
  random: number,
  schedule: BackoffSchedule,
  requestedDelayMs: number | null,
): RetryDecision {
  if (now - createdAt.getTime() >= schedule.maxAgeMs) return { kind: 'dead' };
  const delayMs =
    requestedDelayMs === null
      ? backoffDelayMs(failuresBefore, random, schedule)
      : Math.min(Math.max(requestedDelayMs, 0), schedule.maxDelayMs);
  return { kind: 'retry', delayMs };
}
