import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for the cluster's limits and reservations: a command fails at once while
 * disconnected (the caller's fallback answers) instead of queueing, and fails after `commandTimeoutMs`
 * when Redis is slow; ioredis keeps reconnecting in the background, and connection errors surface
 * through failed commands rather than as unhandled 'error' events.
 */
export function openFailFastRedis(connection: RedisOptions, commandTimeoutMs: number): Redis {
  const redis = new Redis({
    ...connection,
    commandTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
  });
  redis.on('error', () => undefined);
  return redis;
}

/**
 * Runs one Lua script with one key by EVALSHA, loading it on first use and again when Redis has
 * forgotten it (NOSCRIPT after a restart or SCRIPT FLUSH).
 */
export function luaScript(redis: Redis, source: string): (key: string, args: readonly string[]) => Promise<unknown> {
  let sha: string | null = null;
  return async (key, args) => {
    sha ??= (await redis.script('LOAD', source)) as string;
    try {
      return await redis.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      sha = (await redis.script('LOAD', source)) as string;
      return redis.evalsha(sha, 1, key, ...args);
    }
  };
}

/** Resolves true once `redis` is ready (at once if it is), false after `timeoutMs`. */
export function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
