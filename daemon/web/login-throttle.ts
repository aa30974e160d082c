import { Errors, SmsprocError } from '../domain/errors.js';
import { fullBucket, refill, take, type TokenBucketLimit, type TokenBucketState } from '../limits/token-bucket.js';

/**
 * Failed web logins per client address: a token bucket of failures (pure: time is an argument). An
 * address that failed `burst` times must wait, then gets one try per `1 / ratePerS` seconds, so
 * guessing passwords (each try also costs us a scrypt run) is slow. Successful logins cost nothing.
 */
export class LoginThrottle {
  private readonly buckets = new Map<string, TokenBucketState>();
  private readonly limit: TokenBucketLimit;

  constructor(burst: number, ratePerS: number, private readonly maxAddresses: number) {
    this.limit = { capacity: burst, ratePerS };
  }

  /** 0 when the address may try now; otherwise milliseconds until it may. */
  waitMs(address: string, now: number): number {
    const state = this.buckets.get(address);
    if (state === undefined) return 0;
    const current = refill(state, this.limit, now);
    return current.tokens >= 1 ? 0 : Math.ceil(((1 - current.tokens) * 1000) / this.limit.ratePerS);
  }

  failed(address: string, now: number): void {
    const state = this.buckets.get(address) ?? fullBucket(this.limit, now);
    this.buckets.delete(address);
    if (this.buckets.size >= this.maxAddresses) this.forgetRecovered(now);
    // Still full past forgetting: the oldest address makes room (a flood of addresses forgets its own).
    if (this.buckets.size >= this.maxAddresses) {
      const oldest = this.buckets.keys().next();
      if (oldest.done !== true) this.buckets.delete(oldest.value);
    }
    this.buckets.set(address, take(state, this.limit, 1, now).state);
  }

  /** Addresses tracked now (tests). */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops addresses whose bucket has refilled: they are as good as new. */
  forgetRecovered(now: number): void {
    for (const [address, state] of this.buckets) {
      if (refill(state, this.limit, now).tokens >= this.limit.capacity) this.buckets.delete(address);
    }
  }
}

/** Throws LOGIN_THROTTLED when the address must wait before its next login try. */
export function refuseThrottled(throttle: LoginThrottle, address: string, now: number): void {
  const waitMs = throttle.waitMs(address, now);
  if (waitMs === 0) return;
  const retryAfterS = Math.ceil(waitMs / 1000);
  throw new SmsprocError(Errors.LOGIN_THROTTLED, { ip: address, retryAfterS }, { retryAfterS });
}
