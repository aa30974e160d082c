import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { backoffDelayMs, defaultBackoff, retryOrDead } from '../../daemon/dispatch/callback-backoff.js';

const hour = 3_600_000;

test('without jitter the delay doubles from 10 s and stops growing at 1 h', () => {
  const delays = [0, 1, 2, 3, 8, 9, 30, 1000].map((failures) => backoffDelayMs(failures, 0, defaultBackoff));
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 2_560_000, hour, hour, hour]);
});

test('jitter only shortens a delay, by at most jitterRatio', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (failures, random) => {
      const base = backoffDelayMs(failures, 0, defaultBackoff);
      const delay = backoffDelayMs(failures, random, defaultBackoff);
      return delay <= base && delay >= Math.floor(base * (1 - defaultBackoff.jitterRatio));
    }),
  );
});

test('a failure before 24 h is retried; a failure at or past 24 h is dead', () => {
  const createdAt = new Date('2026-01-01T00:00:00Z');
  const start = createdAt.getTime();
  assert.deepEqual(retryOrDead(createdAt, 20, start + 24 * hour - 1, 0, defaultBackoff, null), { kind: 'retry', delayMs: hour });
  assert.deepEqual(retryOrDead(createdAt, 20, start + 24 * hour, 0, defaultBackoff, null), { kind: 'dead' });
  assert.deepEqual(retryOrDead(createdAt, 0, start + 48 * hour, 0, defaultBackoff, 1000), { kind: 'dead' });
});

test('a requested delay (Retry-After) replaces the backoff, capped at the longest delay', () => {
  const createdAt = new Date(0);
  assert.deepEqual(retryOrDead(createdAt, 5, 1000, 0.5, defaultBackoff, 2500), { kind: 'retry', delayMs: 2500 });
  assert.deepEqual(retryOrDead(createdAt, 0, 1000, 0, defaultBackoff, 10 * hour), { kind: 'retry', delayMs: hour });
});

test('simulated to the end, a never-answering endpoint is retried for at least 24 h and then dead', () => {
  const createdAt = new Date(0);
  let now = 0;
  let failures = 0;
  for (;;) {
    const decision = retryOrDead(createdAt, failures, now, 0.999, defaultBackoff, null);
    if (decision.kind === 'dead') break;
    now += decision.delayMs;
    failures += 1;
    assert.ok(failures < 100, 'bounded');
  }
  assert.ok(now >= 24 * hour, `gave up after ${now} ms`);
  assert.ok(now < 24 * hour + hour, 'no retry is scheduled past 24 h plus one delay');
});
