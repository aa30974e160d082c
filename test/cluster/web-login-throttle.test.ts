import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startApiServer, type ApiServer } from '../../daemon/api/server.js';
import type { Config } from '../../daemon/config/schema.js';
import { createLogger } from '../../daemon/log.js';
import { LOGIN_FAILURE_LIMIT, loginLimitShare, LoginThrottle } from '../../daemon/web/login-throttle.js';
import { createRedisLoginGuard, type RedisLoginGuard } from '../../daemon/web/redis-login-guard.js';
import { webExtension } from '../../daemon/web/web.js';
import { waitFor } from '../e2e/callback-harness.js';
import { ACME_PASSWORD, openApiFixture, type ApiFixture } from '../unit/api-fixture.js';
import { RedisServer, redisAvailable, redisBinary } from './redis-server.js';

/**
 * Regression: failed web logins were counted in the serving process only, so behind a load balancer
 * an address got the limit once per node. With `limits.redisUrl` two web servers (two nodes) on one
 * real redis-server count an address's failures together; with Redis killed each falls back to its
 * share (limit / live nodes), and counts together again once Redis is back.
 */
if (!redisAvailable()) {
  console.log(`web login throttle tests not registered: ${redisBinary} is missing (test/services.sh installs redis-server as root)`);
} else {
  let redis: RedisServer;
  let fx: ApiFixture;
  let inspect: Redis;
  const servers: ApiServer[] = [];
  const guards: RedisLoginGuard[] = [];

  before(async () => {
    redis = await RedisServer.start();
    fx = await openApiFixture();
    inspect = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
    // While the test has Redis killed it reconnects quietly.
    inspect.on('error', () => undefined);
    await inspect.connect();
  });

  after(async () => {
    for (const server of servers) await server.close();
    for (const guard of guards) await guard.close();
    inspect.disconnect();
    await fx.close();
    await redis.kill();
  });

  /** A node's web server on the fixture's store, counting failed logins in this test's Redis. */
  async function webServer(liveNodes: number): Promise<ApiServer> {
    const config: Config = {
      ...fx.config,
      api: { ...fx.config.api, host: '127.0.0.1', port: 0, trustedProxies: ['127.0.0.1'] },
      limits: { redisUrl: `redis://127.0.0.1:${redis.port}` },
    };
    const logger = createLogger('silent');
    const extensions = [webExtension({ config, store: fx.store, provisioning: fx.provisioning, logger, delivery: null, cluster: () => null, liveNodes: () => liveNodes })];
    const server = await startApiServer({ config, store: fx.store, provisioning: fx.provisioning, logger, extensions });
    servers.push(server);
    return server;
  }

  function login(server: ApiServer, address: string, password: string): Promise<number> {
    return fetch(`http://127.0.0.1:${server.port}/stats/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ username: 'acme', password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
    }).then(async (response) => {
      await response.text();
      return response.status;
    });
  }

  /**
   * Wrong passwords from `address`, taking the servers in turn, until one answers 429; then the right
   * password on each server. `failures`: the 401s before the first 429. A bucket refills one failure
   * per 6 s (per 6 s × parts for a share), so a slow run may see a few more; `settledMs` is how long
   * the whole took, for the bound.
   */
  async function throttleRun(servers: readonly ApiServer[], address: string): Promise<{ failures: number; afterwards: number[]; settledMs: number }> {
    const startedAt = performance.now();
    let failures = 0;
    for (let status = await login(servers[0]!, address, 'guess'); status !== 429; status = await login(servers[failures % servers.length]!, address, 'guess')) {
      assert.equal(status, 401);
      failures += 1;
      assert.ok(failures <= 40, 'never throttled');
    }
    const afterwards = await Promise.all(servers.map((server) => login(server, address, ACME_PASSWORD)));
    return { failures, afterwards, settledMs: performance.now() - startedAt };
  }

  /** The run's 401s are the burst, plus at most what refilled meanwhile; then even the right password waits. */
  function assertThrottled(run: { failures: number; afterwards: number[]; settledMs: number }, limit: { capacity: number; ratePerS: number }, what: string): void {
    const refilled = Math.floor((run.settledMs / 1000) * limit.ratePerS);
    assert.ok(run.failures >= limit.capacity && run.failures <= limit.capacity + refilled, `${what}: ${run.failures} failures before 429 in ${Math.round(run.settledMs)} ms`);
    // Less than one failure refilled since the burst ran out: every server still refuses.
    if (refilled === 0 && (run.settledMs / 1000) * limit.ratePerS < 0.9) assert.deepEqual(run.afterwards, run.afterwards.map(() => 429), `${what}: the right password waits too`);
  }

  test('two web servers on one Redis: an address gets the limit once for both, not once per server; without Redis each keeps its share; with Redis back, the limit is shared again', { timeout: 60_000 }, async (t) => {
    const [a, b] = [await webServer(2), await webServer(2)];
    const both = [a, b] as const;

    // Failures spread over both servers take from the address's one bucket (per server: 20 in all).
    const shared = await throttleRun(both, '10.1.0.1');
    t.diagnostic(`with Redis: ${shared.failures} failures over two servers before 429 (${Math.round(shared.settledMs)} ms)`);
    assertThrottled(shared, LOGIN_FAILURE_LIMIT, 'with Redis');
    assert.ok(await inspect.pttl('smsproc:login:10.1.0.1') > 0, 'the bucket is in Redis and expires');
    assert.equal(await login(b, '10.1.0.9', ACME_PASSWORD), 303, 'another address is not affected');

    // Redis gone: each server holds its share of the limit (two live nodes: 5 each).
    await redis.kill();
    for (const [index, server] of both.entries()) {
      const alone = await throttleRun([server], '10.1.0.2');
      t.diagnostic(`Redis down, server ${index}: ${alone.failures} failures before 429`);
      assertThrottled(alone, loginLimitShare(2), `Redis down, server ${index}`);
    }

    // Redis back (empty: no persistence): each server counts there again after its first answered command.
    await redis.launch();
    for (const [index, server] of both.entries()) {
      const probe = `10.1.1.${index}`;
      await waitFor(`server ${index} counts in Redis again`, async () => {
        await login(server, probe, 'guess');
        return (await inspect.exists(`smsproc:login:${probe}`)) === 1;
      }, 10_000);
    }
    const again = await throttleRun(both, '10.1.0.3');
    assertThrottled(again, LOGIN_FAILURE_LIMIT, 'Redis back');
  });

  test('Redis login guard: failures of concurrent tries from two processes all count (the debt lengthens the wait); the wait comes from Redis\'s clock', async () => {
    const make = (): RedisLoginGuard => {
      const guard = createRedisLoginGuard({
        connection: { host: '127.0.0.1', port: redis.port },
        keyPrefix: 'test:login:',
        limit: LOGIN_FAILURE_LIMIT,
        fallback: new LoginThrottle(() => loginLimitShare(2), 100),
      });
      guards.push(guard);
      return guard;
    };
    const [one, two] = [make(), make()];
    assert.ok(await one.connected(5000) && await two.connected(5000));
    assert.equal(await one.waitMs('10.2.0.1'), 0);
    // Twenty failures at once, ten from each process: all counted, ten beyond the burst.
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : two).failed('10.2.0.1')));
    const perFailureMs = 1000 / LOGIN_FAILURE_LIMIT.ratePerS;
    for (const guard of [one, two]) {
      const waitMs = await guard.waitMs('10.2.0.1');
      // 11 failures short of one try (debt of 10 plus the one), less what refilled meanwhile (generous).
      assert.ok(waitMs > 10 * perFailureMs && waitMs <= 11 * perFailureMs, `waitMs ${waitMs}`);
      assert.equal(guard.mode(), 'redis');
    }
  });
}
