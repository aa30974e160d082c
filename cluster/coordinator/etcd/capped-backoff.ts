/** A reconnect backoff in the shape the etcd3 client takes (cockatiel's IBackoff): doubling, capped. */
export interface CappedBackoff {
  readonly duration: number;
  next(): CappedBackoff;
}

export function cappedBackoff(durationMs: number, capMs: number): CappedBackoff {
  return { duration: durationMs, next: () => cappedBackoff(Math.min(durationMs * 2, capMs), capMs) };
}
