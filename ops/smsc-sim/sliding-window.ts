/**
 * Per-bind throughput limit as an exact sliding one-second window: a submit is accepted when fewer
 * than `perSecond` submits were accepted in the 1000 ms before it. A ring of the last `perSecond`
 * acceptance times makes each check O(1). Throttled submits do not count towards the window.
 */
export class SlidingWindowLimiter {
  private readonly acceptedAt: Float64Array;
  private next = 0;

  constructor(private readonly perSecond: number) {
    this.acceptedAt = new Float64Array(Math.max(perSecond, 0)).fill(-Infinity);
  }

  /** True (and counted) when a submit at `nowMs` is within the rate; 0 or less means unlimited. */
  tryAcquire(nowMs: number): boolean {
    if (this.perSecond <= 0) return true;
    const oldest = this.acceptedAt[this.next] ?? -Infinity;
    if (nowMs - oldest < 1000) return false;
    this.acceptedAt[this.next] = nowMs;
    this.next = (this.next + 1) % this.perSecond;
    return true;
  }
}
