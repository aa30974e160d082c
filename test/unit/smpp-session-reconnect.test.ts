import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { defaultReconnectPolicy, reconnectDelayMs } from '../../daemon/smpp/esme-reconnect.js';

test('reconnect delay: exponential from the initial delay, capped, jitter takes up to its share off', () => {
  const policy = { initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2, jitter: 0.5 };
  const noJitter = [0, 1, 2, 3, 4, 5, 6, 7, 100].map((attempt) => reconnectDelayMs(attempt, policy, () => 0));
  assert.deepEqual(noJitter, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  assert.equal(reconnectDelayMs(3, policy, () => 0.999999), 4000);
  for (let i = 0; i < 1000; i++) {
    const delay = reconnectDelayMs(i % 10, policy, Math.random);
    const base = Math.min(60_000, 1000 * 2 ** (i % 10));
    assert.ok(delay > base / 2 - 1 && delay <= base, `${delay} for base ${base}`);
  }
});

test('the default policy starts at 1 s and stops growing at 60 s', () => {
  assert.equal(reconnectDelayMs(0, defaultReconnectPolicy, () => 0), 1000);
  assert.equal(reconnectDelayMs(20, defaultReconnectPolicy, () => 0), 60_000);
});
