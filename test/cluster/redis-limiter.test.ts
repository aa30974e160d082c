import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisLimiter, type RedisLimiter } from '../../daemon/limits/redis-limiter.js';
import { RedisServer, redisAvailable, redisBinary } from './redis-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes one segment at a time for `durationMs`, waiting the advised retry-after on refusal. */
async function flood(limiter: RedisLimiter, key: string, durationMs: number): Promise<number> {
  const endAt = Date.now() + durationMs;
  let granted = 0;
  while (Date.now() < endAt) {
    const result = await limiter.acquire(key, 1);
    if (result.ok) granted++;
    else await sleep(Math.max(1, Math.min(result.retryAfterMs, endAt - Date.now())));
  }
  return granted;
}

if (!redisAvailable()) {
  console.log(`Redis limiter tests not registered: ${redisBinary} is missing (test/services.sh installs redis-server as root)`);
} else {
  let server: RedisServer;
  const limiters: RedisLimiter[] = [];
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    await server.kill();
  });

  const limit = { ratePerS: 200, capacity: 20 };
  async function limiterPair(keyPrefix: string): Promise<[RedisLimiter, RedisLimiter]> {
    const make = () => {
      const limiter = createRedisLimiter({
        connection: { host: '127.0.0.1', port: server.port },
        keyPrefix,
        limitOf: (key) => (key === 'unlimited' ? null : limit),
        liveNodes: () => 2,
      });
      limiters.push(limiter);
      return limiter;
    };
    const pair: [RedisLimiter, RedisLimiter] = [make(), make()];
    assert.ok(await pair[0].connected(5000));
    assert.ok(await pair[1].connected(5000));
    return pair;
  }

  test('Redis limiter: two nodes sharing one bucket get the combined rate within 5 %', async () => {
    const [a, b] = await limiterPair(`t1-${process.pid}:`);
    const durationMs = 3000;
    const startedAt = Date.now();
    const [ofA, ofB] = await Promise.all([flood(a, 'client:acme', durationMs), flood(b, 'client:acme', durationMs)]);
    const elapsedS = (Date.now() - startedAt) / 1000;
    const expected = limit.capacity + limit.ratePerS * elapsedS;
    console.log(`shared bucket: ${ofA} + ${ofB} = ${ofA + ofB} granted in ${elapsedS.toFixed(2)} s, expected ${expected.toFixed(0)}`);
    assert.ok(Math.abs(ofA + ofB - expected) <= expected * 0.05, `granted ${ofA + ofB}, expected ${expected}`);
    assert.ok(ofA > expected * 0.2 && ofB > expected * 0.2, 'both nodes got a fair part');
    assert.deepEqual(await a.acquire('unlimited', 1000), { ok: true });
    assert.equal(a.state().mode, 'redis');
  });

  test('Redis limiter: the script keeps the in-process rules: an oversized take passes on a full bucket and leaves debt', async () => {
    const [a, b] = await limiterPair(`t3-${process.pid}:`);
    assert.deepEqual(await a.acquire('client:big', 50), { ok: true });
    const refused = await b.acquire('client:big', 1);
    assert.equal(refused.ok, false);
    // 30 segments of debt plus the one asked for, at 200/s: about 155 ms (less what elapsed since).
    if (!refused.ok) assert.ok(refused.retryAfterMs > 120 && refused.retryAfterMs <= 155, `retry after ${refused.retryAfterMs} ms`);
    if (!refused.ok) await sleep(refused.retryAfterMs);
    assert.deepEqual(await b.acquire('client:big', 1), { ok: true }, 'the advised wait is enough');
  });

  test('Redis limiter: a script Redis has forgotten (SCRIPT FLUSH) is loaded again, with no fallback', async () => {
    const [a] = await limiterPair(`t4-${process.pid}:`);
    // An oversized take leaves 100 segments of debt (500 ms at 200/s): the bucket stays drained
    // while the flush is done, however slow the machine (a bare drain refills a token in 5 ms).
    assert.deepEqual(await a.acquire('client:flush', limit.capacity + 100), { ok: true });
    const admin = new Redis({ host: '127.0.0.1', port: server.port });
    try {
      await admin.script('FLUSH');
    } finally {
      admin.disconnect();
    }
    assert.equal((await a.acquire('client:flush', 1)).ok, false, 'the bucket drained before the flush is still drained');
    assert.equal(a.state().mode, 'redis');
    assert.equal(a.state().fallbacks, 0);
  });

  test('Redis limiter: falls back to the node share when Redis dies, and returns when it is back', async () => {
    const [a, b] = await limiterPair(`t2-${process.pid}:`);
    assert.ok((await a.acquire('client:beta', 1)).ok);
    await server.kill();

    const durationMs = 2000;
    const startedAt = Date.now();
    const ofA = await flood(a, 'client:beta', durationMs);
    const elapsedS = (Date.now() - startedAt) / 1000;
    assert.equal(a.state().mode, 'fallback');
    assert.equal(a.state().fallbacks, 1);
    // The node's share: half the rate and half the burst, as two nodes are alive.
    const expected = limit.capacity / 2 + (limit.ratePerS / 2) * elapsedS;
    console.log(`fallback: ${ofA} granted in ${elapsedS.toFixed(2)} s, expected ${expected.toFixed(0)}`);
    assert.ok(Math.abs(ofA - expected) <= expected * 0.1, `granted ${ofA} in fallback, expected ${expected}`);

    await server.launch();
    const giveUpAt = Date.now() + 10_000;
    while (a.state().mode !== 'redis' || b.state().mode === 'fallback') {
      assert.ok(Date.now() < giveUpAt, 'limiters return to Redis once it answers');
      await Promise.all([a.acquire('client:beta', 1), b.acquire('client:beta', 1)]);
      await sleep(100);
    }
    // Back on Redis, one node may use the whole rate (its fallback share was half), and the bucket
    // it drained is the other node's bucket too.
    const again = Date.now();
    const ofAlone = await flood(a, 'client:gamma', 1000);
    const whole = limit.capacity + (limit.ratePerS * (Date.now() - again)) / 1000;
    assert.ok(ofAlone >= whole * 0.9, `granted ${ofAlone} after recovery, expected about ${whole}`);
    assert.equal((await b.acquire('client:gamma', limit.capacity)).ok, false, 'the other node sees the drained bucket');
  });
}
