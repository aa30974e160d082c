import type { RedisOptions } from 'ioredis';
import { luaScript, openFailFastRedis, redisReady } from '../limits/fail-fast-redis.js';
import { bucketRefillLua } from '../limits/redis-token-bucket-script.js';
import type { TokenBucketLimit } from '../limits/token-bucket.js';
import type { Logger } from '../log.js';
import type { LoginGuard, LoginThrottle } from './login-throttle.js';

/**
 * Failed logins of an address as one bucket in Redis (a hash: tokens, updated_ms), timed by Redis's
 * clock, with the rules of the in-process throttle: refill at the rate up to the capacity. `check`
 * answers the wait without writing; `fail` takes one failure even below zero, so that failures of
 * concurrent tries that all passed the check still count (the debt lengthens the wait).
 *
 * KEYS[1]  the bucket
 * ARGV     rate per second, capacity, 'check' | 'fail'
 * Returns  ms until the address may try (0: now); 0 for 'fail'.
 */
export const loginScript = `
${bucketRefillLua}if ARGV[3] == 'fail' then
  tokens = tokens - 1
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated_ms', tostring(updated))
  -- Once refilled the bucket is full, which is what an absent key means.
  redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * 1000 / rate) + 1000)
  return 0
end
if tokens + 1e-9 >= 1 then
  return 0
end
return math.ceil((1 - tokens) * 1000 / rate)
`;

export interface RedisLoginGuardOptions {
  /** ioredis connection options (host, port, password, db, tls…). */
  readonly connection: RedisOptions;
  /** The cluster-wide limit per address. */
  readonly limit: TokenBucketLimit;
  /** Counts while Redis does not answer: this process's share of the limit. */
  readonly fallback: LoginThrottle;
  /** Prefix of the bucket keys (default `smsproc:login:`). */
  readonly keyPrefix?: string;
  /** A Redis answer slower than this counts as unreachable (default 250 ms). */
  readonly commandTimeoutMs?: number;
  readonly log?: Logger;
  readonly clock?: () => number;
}

export interface RedisLoginGuard extends LoginGuard {
  /** 'redis': counted cluster-wide; 'fallback': this process's share, in memory. */
  mode(): 'redis' | 'fallback';
  /** Resolves true once connected to Redis, false after `timeoutMs`. */
  connected(timeoutMs: number): Promise<boolean>;
}

/**
 * Failed web logins counted per address in Redis, so that the limit holds for the cluster as a whole
 * (every node and worker takes from the same bucket). While Redis does not answer (commands fail at
 * once while disconnected, or after `commandTimeoutMs`), the process counts in its `fallback` throttle
 * instead, as the Redis rate limiter falls back to its share; it logs the change and goes back to
 * Redis with the first answered command. Counts made in the fallback are not carried over.
 */
export function createRedisLoginGuard(options: RedisLoginGuardOptions): RedisLoginGuard {
  const clock = options.clock ?? Date.now;
  const prefix = options.keyPrefix ?? 'smsproc:login:';
  const redis = openFailFastRedis({ connectionName: 'smsproc-login', ...options.connection }, options.commandTimeoutMs ?? 250);
  const run = luaScript(redis, loginScript);
  let mode: 'redis' | 'fallback' = 'redis';

  function enterFallback(error: unknown): void {
    if (mode === 'fallback') return;
    mode = 'fallback';
    options.log?.warn({ error: String(error) }, 'Redis unreachable: failed web logins are counted in this process, its share of the limit');
  }

  function leaveFallback(): void {
    if (mode === 'redis') return;
    mode = 'redis';
    options.log?.info('Redis reachable again: failed web logins are counted cluster-wide');
  }

  /** The script's answer, or null when Redis did not give one (the fallback answers). */
  async function inRedis(address: string, action: 'check' | 'fail'): Promise<number | null> {
    if (redis.status !== 'ready') {
      enterFallback(new Error(`connection ${redis.status}`));
      return null;
    }
    try {
      const waitMs = Number(await run(prefix + address, [String(options.limit.ratePerS), String(options.limit.capacity), action]));
      leaveFallback();
      return waitMs;
    } catch (error) {
      enterFallback(error);
      return null;
    }
  }

  return {
    async waitMs(address) {
      return (await inRedis(address, 'check')) ?? options.fallback.waitMs(address, clock());
    },
    async failed(address) {
      if ((await inRedis(address, 'fail')) === null) options.fallback.failed(address, clock());
    },
    mode: () => mode,
    connected: (timeoutMs) => redisReady(redis, timeoutMs),
    close() {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}
