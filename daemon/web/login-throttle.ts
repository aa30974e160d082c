import { Errors, SmsprocError } from '../domain/errors.js';
import { fullBucket, refill, take, type TokenBucketLimit, type TokenBucketState } from '../limits/token-bucket.js';

/**
 * The documented limit of failed web logins per client address, for the node or the cluster as a
 * whole: ten failures at once, then one more every 6 s (10 a minute).
 */
export const LOGIN_FAILURE_LIMIT: TokenBucketLimit = { capacity: 10, ratePerS: 10 / 60 };

/** One of `parts` equal shares of the login limit (a burst of at least one), for a process that holds its part in memory. */
export function loginLimitShare(parts: number): TokenBucketLimit {
  const n = Math.max(1, parts);
  return { capacity: Math.max(1, Math.round(LOGIN_FAILURE_LIMIT.capacity / n)), ratePerS: LOGIN_FAILURE_LIMIT.ratePerS / n };
}

/**
 * Failed logins per address as the login routes ask about them: in this process (`inProcessLoginGuard`)
 * or across the cluster through Redis (`createRedisLoginGuard`).
 */
export interface LoginGuard {
  /** 0 when the address may try now; otherwise milliseconds until it may. */
  waitMs(address: string): Promise<number>;
  /** Counts a failed login of the address. */
  failed(address: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Failed web logins per client address: a token bucket of failures (pure: time is an argument). An
 * address that failed `burst` times must wait, then gets one try per `1 / ratePerS` seconds, so
 * guessing passwords (each try also costs us a scrypt run) is slow. Successful logins cost nothing.
 */
export class LoginThrottle {
  private readonly buckets = new Map<string, TokenBucketState>();

  /** `limit`: asked at each call, so that a share that follows the live nodes applies at once. */
  constructor(private readonly limit: () => TokenBucketLimit, private readonly maxAddresses: number) {}

  /** 0 when the address may try now; otherwise milliseconds until it may. */
  waitMs(address: string, now: number): number {
    const state = this.buckets.get(address);
    if (state === undefined) return 0;
    const limit = this.limit();
    const current = refill(state, limit, now);
    return current.tokens >= 1 ? 0 : Math.ceil(((1 - current.tokens) * 1000) / limit.ratePerS);
  }

  failed(address: string, now: number): void {
    const limit = this.limit();
    const state = this.buckets.get(address) ?? fullBucket(limit, now);
    this.buckets.delete(address);
    if (this.buckets.size >= this.maxAddresses) this.forgetRecovered(now);
    // Still full past forgetting: the oldest address makes room (a flood of addresses forgets its own).
    if (this.buckets.size >= this.maxAddresses) {
      const oldest = this.buckets.keys().next();
      if (oldest.done !== true) this.buckets.delete(oldest.value);
    }
    this.buckets.set(address, take(state, limit, 1, now).state);
  }

  /** Addresses tracked now (tests). */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops addresses whose bucket has refilled: they are as good as new. */
  forgetRecovered(now: number): void {
    const limit = this.limit();
    for (const [address, state] of this.buckets) {
      if (refill(state, limit, now).tokens >= limit.capacity) this.buckets.delete(address);
    }
  }
}

/** Most addresses an in-process throttle tracks at once. */
export const MAX_THROTTLED_ADDRESSES = 10_000;

/** The throttle of this process as a LoginGuard; recovered addresses are forgotten every minute. */
export function inProcessLoginGuard(throttle: LoginThrottle, clock: () => number): LoginGuard {
  const sweeper = setInterval(() => throttle.forgetRecovered(clock()), 60_000);
  sweeper.unref();
  return {
    waitMs: (address) => Promise.resolve(throttle.waitMs(address, clock())),
    failed: (address) => Promise.resolve(throttle.failed(address, clock())),
    close: () => Promise.resolve(clearInterval(sweeper)),
  };
}

/** Throws LOGIN_THROTTLED when the address must wait before its next login try. */
export async function refuseThrottled(guard: LoginGuard, address: string): Promise<void> {
  const waitMs = await guard.waitMs(address);
  if (waitMs === 0) return;
  const retryAfterS = Math.ceil(waitMs / 1000);
  throw new SmsprocError(Errors.LOGIN_THROTTLED, { ip: address, retryAfterS }, { retryAfterS });
}
