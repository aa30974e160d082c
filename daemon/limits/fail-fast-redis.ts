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
