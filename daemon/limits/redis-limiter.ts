import type { RedisOptions } from 'ioredis';
import { luaScript, openFailFastRedis, redisReady } from './fail-fast-redis.js';
import type { Logger } from '../log.js';
import { createInProcessLimiter, shareOfLimit, type Limiter } from './limiter.js';
import { takeScript } from './redis-token-bucket-script.js';
import type { TokenBucketLimit } from './token-bucket.js';

/** Where the limiter's answers come from now, for metrics and the dashboard. */
export interface RedisLimiterState {
  /** 'redis': cluster-wide buckets; 'fallback': this node's share of each rate, in process. */
  readonly mode: 'redis' | 'fallback';
  /** Wall-clock ms of the last change of mode (construction counts as one). */
  readonly sinceMs: number;
  /** How many times the limiter has fallen back since it started. */
  readonly fallbacks: number;
}

export interface RedisLimiter extends Limiter {
  state(): RedisLimiterState;
  /** Resolves true once connected to Redis, false after `timeoutMs` (the limiter works either way). */
  connected(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface RedisLimiterOptions {
  /** ioredis connection options (host, port, password, db, tls…). */
  readonly connection: RedisOptions;
  /** Prefix of the bucket keys (default `smsproc:bucket:`). */
  readonly keyPrefix?: string;
  /** Asked on every call, as by the in-process limiter; null means no limit for the key. */
  readonly limitOf: (key: string) => TokenBucketLimit | null;
  /** How many nodes are alive (the coordinator's membership): the fallback's share is rate / this. */
  readonly liveNodes: () => number;
  /** A Redis answer slower than this counts as unreachable (default 250 ms). */
  readonly commandTimeoutMs?: number;
  readonly log?: Logger;
  readonly clock?: () => number;
}

/**
 * Token buckets shared by every node through Redis: one Lua script per take (EVALSHA; the script
 * is loaded again when Redis has forgotten it), timed by Redis's clock. While Redis does not answer,
 * each key falls back to an in-process bucket with this node's share of the rate (rate / live
 * nodes), so nothing stops and the cluster as a whole stays near the limit; the limiter logs the
 * change, shows it in `state()`, and goes back to Redis as soon as Redis answers again.
 */
export function createRedisLimiter(options: RedisLimiterOptions): RedisLimiter {
  const clock = options.clock ?? Date.now;
  const prefix = options.keyPrefix ?? 'smsproc:bucket:';
  const redis = openFailFastRedis(options.connection, options.commandTimeoutMs ?? 250);
  const fallback = createInProcessLimiter(shareOfLimit(options.limitOf, options.liveNodes), clock);
  let state: RedisLimiterState = { mode: 'redis', sinceMs: clock(), fallbacks: 0 };

  function enterFallback(error: unknown): void {
    if (state.mode === 'fallback') return;
    state = { mode: 'fallback', sinceMs: clock(), fallbacks: state.fallbacks + 1 };
    options.log?.warn({ error: String(error), liveNodes: options.liveNodes() }, 'Redis unreachable: rate limits fall back to this node\'s share');
  }

  function leaveFallback(): void {
    if (state.mode === 'redis') return;
    state = { mode: 'redis', sinceMs: clock(), fallbacks: state.fallbacks };
    options.log?.info('Redis reachable again: rate limits are cluster-wide');
  }

  const take = luaScript(redis, takeScript);
  async function takeInRedis(key: string, limit: TokenBucketLimit, segments: number): Promise<[number, number]> {
    return (await take(prefix + key, [String(limit.ratePerS), String(limit.capacity), String(segments)])) as [number, number];
  }

  return {
    async acquire(key, segments) {
      const limit = options.limitOf(key);
      if (limit === null) return { ok: true };
      if (redis.status === 'ready') {
        try {
          const [taken, retryAfterMs] = await takeInRedis(key, limit, segments);
          leaveFallback();
          return taken === 1 ? { ok: true } : { ok: false, retryAfterMs };
        } catch (error) {
          enterFallback(error);
        }
      } else {
        enterFallback(new Error(`connection ${redis.status}`));
      }
      return fallback.acquire(key, segments);
    },
    state: () => state,
    connected: (timeoutMs) => redisReady(redis, timeoutMs),
    close() {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}
