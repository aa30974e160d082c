/**
 * Reassembly of a long message a client sends as concatenated submit_sm parts (UDH or SAR TLVs),
 * per session, in memory: a part is held (unanswered) until its set is complete, then the set is
 * accepted as one message and every part answered with its id (docs/smpp-server.md, "Long
 * messages"). Parts keep their octets, decoded together at the end, so a UCS-2 character split
 * across two parts survives. Pure: times come from the caller.
 */
export interface PartSet<T> {
  readonly key: string;
  readonly total: number;
  readonly firstAt: number;
  readonly parts: Map<number, { readonly payload: Uint8Array; readonly tag: T }>;
}

export type PartResult<T> =
  | { readonly kind: 'held' }
  /** Every part is in: the payloads in order and the tags of all parts (this one included). */
  | { readonly kind: 'complete'; readonly payload: Buffer; readonly tags: readonly T[] }
  /** The same part number again while its set is incomplete: answer it on its own, keep the first. */
  | { readonly kind: 'duplicate' };

export class PartAssembly<T> {
  private readonly sets = new Map<string, PartSet<T>>();

  constructor(private readonly timeoutMs: number) {}

  get heldSets(): number {
    return this.sets.size;
  }

  add(key: string, total: number, seq: number, payload: Uint8Array, tag: T, now: number): PartResult<T> {
    let set = this.sets.get(key);
    if (set === undefined) {
      set = { key, total, firstAt: now, parts: new Map() };
      this.sets.set(key, set);
    }
    if (set.parts.has(seq)) return { kind: 'duplicate' };
    set.parts.set(seq, { payload, tag });
    if (set.parts.size < total) return { kind: 'held' };
    this.sets.delete(key);
    const ordered = [...set.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, part]) => part);
    return { kind: 'complete', payload: Buffer.concat(ordered.map((part) => part.payload)), tags: ordered.map((part) => part.tag) };
  }

  /** Removes the sets older than the timeout; their held parts are to be refused. */
  expire(now: number): T[] {
    const tags: T[] = [];
    for (const [key, set] of this.sets) {
      if (now - set.firstAt < this.timeoutMs) continue;
      this.sets.delete(key);
      for (const part of set.parts.values()) tags.push(part.tag);
    }
    return tags;
  }

  /** Every held part (the session closed: they are never answered, the client resubmits them). */
  clear(): void {
    this.sets.clear();
  }

  /** When the oldest set times out; null when nothing is held. */
  nextDeadline(): number | null {
    let at: number | null = null;
    for (const set of this.sets.values()) at = Math.min(at ?? Infinity, set.firstAt + this.timeoutMs);
    return at;
  }
}
