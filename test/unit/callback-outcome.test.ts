import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { CallbackEvent } from '../../daemon/storage/port.js';
import { defaultBackoff } from '../../daemon/dispatch/callback-backoff.js';
import { attemptOutcome, classifyStatus, parseRetryAfter } from '../../daemon/dispatch/callback-outcome.js';

test('status classes: 2xx delivered; 408, 429, 5xx retried; every other status dead', () => {
  const table: ReadonlyArray<readonly [number, string]> = [
    [200, 'delivered'], [201, 'delivered'], [204, 'delivered'], [299, 'delivered'],
    [408, 'retry'], [429, 'retry'], [500, 'retry'], [502, 'retry'], [503, 'retry'], [599, 'retry'],
    [100, 'dead'], [301, 'dead'], [302, 'dead'], [400, 'dead'], [401, 'dead'], [403, 'dead'], [404, 'dead'], [410, 'dead'], [422, 'dead'], [600, 'dead'],
  ];
  for (const [status, expected] of table) assert.equal(classifyStatus(status), expected, `HTTP ${status}`);
});

const event: CallbackEvent = {
  id: 'e', clientId: 'c' as ClientId, kind: 'dlr', url: 'http://x/', kannel: false, payload: {}, attempts: 2, createdAt: new Date(0),
};

test('outcomes carry the reason; network errors and timeouts are retried with backoff', () => {
  assert.deepEqual(attemptOutcome(event, { kind: 'response', status: 204, retryAfterMs: null }, 1000, 0, defaultBackoff), { kind: 'delivered' });
  assert.deepEqual(attemptOutcome(event, { kind: 'response', status: 404, retryAfterMs: null }, 1000, 0, defaultBackoff), { kind: 'dead', error: 'HTTP 404' });
  assert.deepEqual(attemptOutcome(event, { kind: 'network', error: 'ECONNREFUSED' }, 1000, 0, defaultBackoff), {
    kind: 'retry', delayMs: 40_000, error: 'network error: ECONNREFUSED',
  });
  assert.deepEqual(attemptOutcome(event, { kind: 'timeout', timeoutMs: 10_000 }, 1000, 0, defaultBackoff), {
    kind: 'retry', delayMs: 40_000, error: 'no response within 10000 ms',
  });
  assert.deepEqual(attemptOutcome(event, { kind: 'response', status: 429, retryAfterMs: 7000 }, 1000, 0, defaultBackoff), {
    kind: 'retry', delayMs: 7000, error: 'HTTP 429',
  });
  const late = attemptOutcome(event, { kind: 'response', status: 503, retryAfterMs: null }, 25 * 3_600_000, 0, defaultBackoff);
  assert.equal(late.kind, 'dead');
});

test('Retry-After in seconds or as an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter(null, now), null);
});
