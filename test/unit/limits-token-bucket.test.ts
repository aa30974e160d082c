import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { createInProcessLimiter } from '../../daemon/limits/limiter.js';
import { fullBucket, take, type TokenBucketLimit, type TokenBucketState } from '../../daemon/limits/token-bucket.js';

const limit: TokenBucketLimit = { ratePerS: 10, capacity: 10 };

/** Steps of [time ms, amount, expected ok, expected retryAfterMs when refused]. */
const scenarios: readonly [string, readonly [number, number, boolean, number?][]][] = [
  ['a full bucket serves its capacity at once', [[0, 10, true], [0, 1, false, 100]]],
  ['tokens come back at the rate', [[0, 10, true], [500, 5, true], [500, 1, false, 100]]],
  ['refill never exceeds the capacity', [[0, 1, true], [10_000, 10, true], [10_000, 1, false, 100]]],
  ['an oversized request passes on a full bucket and leaves debt', [[0, 25, true], [1000, 1, false, 600], [1600, 1, true]]],
  ['retry-after covers what is missing', [[0, 8, true], [0, 5, false, 300], [300, 5, true]]],
  ['a clock going backwards adds nothing', [[1000, 10, true], [500, 1, false, 100]]],
];

for (const [name, steps] of scenarios) {
  test(`token bucket: ${name}`, () => {
    let state: TokenBucketState = fullBucket(limit, steps[0]![0]);
    for (const [now, amount, ok, retryAfterMs] of steps) {
      const result = take(state, limit, amount, now);
      assert.equal(result.ok, ok, `at ${now} ms taking ${amount}`);
      if (!result.ok) assert.equal(result.retryAfterMs, retryAfterMs);
      state = result.state;
    }
  });
}

test('in-process limiter: per key, unlimited keys pass, the limit is read on every call', async () => {
  let now = 0;
  const limits = new Map<string, TokenBucketLimit>([['a', { ratePerS: 2, capacity: 2 }]]);
  const limiter = createInProcessLimiter((key) => limits.get(key) ?? null, () => now);
  assert.deepEqual(await limiter.acquire('a', 2), { ok: true });
  assert.deepEqual(await limiter.acquire('a', 1), { ok: false, retryAfterMs: 500 });
  assert.deepEqual(await limiter.acquire('b', 1000), { ok: true });
  now = 500;
  assert.deepEqual(await limiter.acquire('a', 1), { ok: true });
  limits.delete('a');
  assert.deepEqual(await limiter.acquire('a', 100), { ok: true });
});

const limitArb = fc.record({ ratePerS: fc.integer({ min: 1, max: 500 }), capacity: fc.integer({ min: 1, max: 500 }) });
const stepsArb = fc.array(fc.record({ dtMs: fc.integer({ min: 0, max: 2000 }), amount: fc.integer({ min: 1, max: 1000 }) }), { maxLength: 60 });

test('property: granted segments never exceed the capacity, the refill and one oversized debt', () => {
  fc.assert(fc.property(limitArb, stepsArb, (bucketLimit, steps) => {
    let now = 0;
    let state = fullBucket(bucketLimit, now);
    let granted = 0;
    let largest = 0;
    for (const { dtMs, amount } of steps) {
      now += dtMs;
      const result = take(state, bucketLimit, amount, now);
      state = result.state;
      if (result.ok) {
        granted += amount;
        largest = Math.max(largest, amount);
      }
    }
    const bound = bucketLimit.capacity + (bucketLimit.ratePerS * now) / 1000 + Math.max(0, largest - bucketLimit.capacity);
    return granted <= bound + 1e-6;
  }));
});

test('property: waiting the retry-after is enough for the refused request', () => {
  fc.assert(fc.property(limitArb, stepsArb, fc.integer({ min: 1, max: 1000 }), (bucketLimit, steps, amount) => {
    let now = 0;
    let state = fullBucket(bucketLimit, now);
    for (const step of steps) {
      now += step.dtMs;
      state = take(state, bucketLimit, step.amount, now).state;
    }
    const refused = take(state, bucketLimit, amount, now);
    if (refused.ok) return true;
    return take(refused.state, bucketLimit, amount, now + refused.retryAfterMs).ok;
  }));
});

test('regression: float rounding after a deep debt does not refuse a request at its retry-after', () => {
  const bucketLimit = { ratePerS: 4, capacity: 1 };
  let now = 0;
  let state = fullBucket(bucketLimit, now);
  for (const step of [{ dtMs: 0, amount: 525 }, { dtMs: 111, amount: 1 }, { dtMs: 2, amount: 1 }, { dtMs: 3, amount: 1 }]) {
    now += step.dtMs;
    state = take(state, bucketLimit, step.amount, now).state;
  }
  const refused = take(state, bucketLimit, 1, now);
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.equal(take(refused.state, bucketLimit, 1, now + refused.retryAfterMs).ok, true);
});
