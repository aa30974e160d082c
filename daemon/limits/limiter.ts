import { fullBucket, take, type TokenBucketLimit, type TokenBucketState } from './token-bucket.js';

/** Token buckets per key (a client, a bind), in segments; async so a cluster-wide adapter fits behind it. */
export interface Limiter {
  acquire(key: string, segments: number): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
}

/**
 * The in-process limiter: one bucket per key in memory. `limitOf` is asked on every call, so a
 * provisioning change of a client's rate applies at once; null means no limit for the key.
 */
export function createInProcessLimiter(
  limitOf: (key: string) => TokenBucketLimit | null,
  clock: () => number = Date.now,
): Limiter {
  const buckets = new Map<string, TokenBucketState>();
  return {
    acquire(key, segments) {
      const limit = limitOf(key);
      if (limit === null) {
        buckets.delete(key);
        return Promise.resolve({ ok: true });
      }
      const now = clock();
      const result = take(buckets.get(key) ?? fullBucket(limit, now), limit, segments, now);
      buckets.set(key, result.state);
      return Promise.resolve(result.ok ? { ok: true } : { ok: false, retryAfterMs: result.retryAfterMs });
    },
  };
}

/**
 * One of `parts()` equal shares of each key's limit (at least one segment of burst), for a process
 * that must keep its share of a rate the whole cluster or node holds: a Redis limiter's fallback,
 * a worker without Redis.
 */
export function shareOfLimit(limitOf: (key: string) => TokenBucketLimit | null, parts: () => number): (key: string) => TokenBucketLimit | null {
  return (key) => {
    const limit = limitOf(key);
    if (limit === null) return null;
    const n = Math.max(1, parts());
    return { ratePerS: limit.ratePerS / n, capacity: Math.max(1, limit.capacity / n) };
  };
}
