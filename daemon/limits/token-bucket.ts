/**
 * A token bucket (pure: time is an argument). Tokens are SMPP segments. A request larger than the
 * bucket passes when the bucket is full and leaves it in debt, so big multi-recipient requests are
 * possible and the long-run rate still holds.
 */
export interface TokenBucketLimit {
  readonly ratePerS: number;
  /** Most tokens the bucket holds (the burst a client may send at once). */
  readonly capacity: number;
}

export interface TokenBucketState {
  readonly tokens: number;
  readonly updatedAtMs: number;
}

export type TakeResult =
  | { readonly ok: true; readonly state: TokenBucketState }
  | { readonly ok: false; readonly state: TokenBucketState; readonly retryAfterMs: number };

export function fullBucket(limit: TokenBucketLimit, nowMs: number): TokenBucketState {
  return { tokens: limit.capacity, updatedAtMs: nowMs };
}

export function refill(state: TokenBucketState, limit: TokenBucketLimit, nowMs: number): TokenBucketState {
  const elapsedMs = Math.max(0, nowMs - state.updatedAtMs);
  const tokens = Math.min(limit.capacity, state.tokens + (elapsedMs * limit.ratePerS) / 1000);
  return { tokens, updatedAtMs: Math.max(nowMs, state.updatedAtMs) };
}

/** Refill arithmetic in floating point may land a hair short after exactly the advised retry-after. */
const ROUNDING_SLACK = 1e-9;

export function take(state: TokenBucketState, limit: TokenBucketLimit, amount: number, nowMs: number): TakeResult {
  const current = refill(state, limit, nowMs);
  const needed = Math.min(amount, limit.capacity);
  if (current.tokens + ROUNDING_SLACK >= needed) {
    return { ok: true, state: { tokens: current.tokens - amount, updatedAtMs: current.updatedAtMs } };
  }
  const retryAfterMs = Math.ceil(((needed - current.tokens) * 1000) / limit.ratePerS);
  return { ok: false, state: current, retryAfterMs };
}
