/**
 * What one delivery attempt's result means for the event (docs/callbacks.md, "Retries"):
 * 2xx delivered; 408, 429, 5xx, a network error or a timeout retried with backoff (dead past the
 * maximum age); any other status (3xx: redirects are not followed; 4xx: the URL or the request is
 * wrong and repeating it will not help) dead at once, for an operator to fix and replay. Pure.
 */
import type { CallbackEvent, CallbackOutcome } from '../storage/port.js';
import { retryOrDead, type BackoffSchedule } from './callback-backoff.js';

export type AttemptResult =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfterMs: number | null }
  | { readonly kind: 'network'; readonly error: string }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /** An attempt over another channel (the client's SMPP binds): delivered, or retried with backoff. */
  | { readonly kind: 'channel'; readonly delivered: boolean; readonly error: string };

export type StatusClass = 'delivered' | 'retry' | 'dead';

export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) return 'retry';
  return 'dead';
}

export function attemptOutcome(
  event: CallbackEvent,
  result: AttemptResult,
  now: number,
  random: number,
  schedule: BackoffSchedule,
): CallbackOutcome {
  const error = describe(result);
  if (result.kind === 'channel' && result.delivered) return { kind: 'delivered' };
  if (result.kind === 'response') {
    const statusClass = classifyStatus(result.status);
    if (statusClass === 'delivered') return { kind: 'delivered' };
    if (statusClass === 'dead') return { kind: 'dead', error };
  }
  const requested = result.kind === 'response' ? result.retryAfterMs : null;
  const decision = retryOrDead(event.createdAt, event.attempts, now, random, schedule, requested);
  return decision.kind === 'dead'
    ? { kind: 'dead', error: `${error}; retried for ${Math.round(schedule.maxAgeMs / 3_600_000)} h` }
    : { kind: 'retry', delayMs: decision.delayMs, error };
}

function describe(result: AttemptResult): string {
  switch (result.kind) {
    case 'response':
      return `HTTP ${result.status}`;
    case 'network':
      return `network error: ${result.error}`;
    case 'timeout':
      return `no response within ${result.timeoutMs} ms`;
    case 'channel':
      return result.error;
  }
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
