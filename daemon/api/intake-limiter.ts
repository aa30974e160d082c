import type { ClientId } from '../domain/ids.js';
import { createInProcessLimiter, type Limiter } from '../limits/limiter.js';
import type { TokenBucketLimit } from '../limits/token-bucket.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';

/**
 * The per-client intake ceiling (maxTps) in this process, for every way a client submits (HTTP and
 * SMPP share one, so a client's ceiling holds across both). One second's worth of burst: a client
 * may send its rate at once, then at the rate.
 */
export function createIntakeLimiter(provisioning: ProvisioningCache, clock: () => number): Limiter {
  return createInProcessLimiter(intakeLimitOf(provisioning), clock);
}

/** A client's intake bucket (the key is the client id); the Redis limiter uses the same. */
export function intakeLimitOf(provisioning: ProvisioningCache): (key: string) => TokenBucketLimit | null {
  return (key) => {
    const maxTps = provisioning.clientById(key as ClientId)?.maxTps ?? null;
    return maxTps === null ? null : { ratePerS: maxTps, capacity: Math.max(1, maxTps) };
  };
}
