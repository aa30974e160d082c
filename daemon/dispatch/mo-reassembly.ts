/**
 * Reassembly of concatenated MO (docs/mo.md, "Reassembly"). A pure state object: the driver feeds
 * parts and ticks with the current time and forwards what comes back. Nothing is dropped: a set
 * that times out, or is pushed out by the bound on open sets, is forwarded as partial.
 */

export interface MoPartInput<Tag = undefined> {
  readonly source: string;
  readonly dest: string;
  readonly reference: number;
  readonly total: number;
  /** 1-based part number, at most `total`. */
  readonly seq: number;
  /** The decoded text of this part. */
  readonly text: string;
  /** Milliseconds (epoch or monotonic, as long as tick() uses the same clock). */
  readonly receivedAt: number;
  /** Whatever the caller needs back per part (a stored row id, say), returned in seq order. */
  readonly tag: Tag;
}

export interface ReassembledMo<Tag = undefined> {
  readonly source: string;
  readonly dest: string;
  readonly reference: number;
  readonly total: number;
  /** Received parts joined in part order, with nothing put in place of missing parts. */
  readonly text: string;
  readonly partial: boolean;
  /** Part numbers that never arrived, ascending; empty when complete. */
  readonly missing: readonly number[];
  /** The received parts' tags in part order. */
  readonly tags: readonly Tag[];
  readonly firstReceivedAt: number;
  readonly lastReceivedAt: number;
}

export interface MoReassemblyOptions {
  /** How long a set may wait for its missing parts, from the arrival of its first part. */
  readonly timeoutMs: number;
  /** Most sets held at once; the oldest is forwarded as partial to make room. */
  readonly maxOpenSets: number;
}

export interface AddResult<Tag> {
  /** Messages to forward now: the set this part completed, and any set evicted to make room. */
  readonly ready: readonly ReassembledMo<Tag>[];
  /** The part was already held (same set, same part number) and was ignored. */
  readonly duplicate: boolean;
}

interface OpenSet<Tag> {
  readonly source: string;
  readonly dest: string;
  readonly reference: number;
  readonly total: number;
  readonly parts: Map<number, { readonly text: string; readonly tag: Tag }>;
  readonly firstReceivedAt: number;
  lastReceivedAt: number;
}

export class MoReassembler<Tag = undefined> {
  /** Insertion order is opening order, so the first entry is the oldest set. */
  private readonly open = new Map<string, OpenSet<Tag>>();
  /**
   * Texts of recently forwarded sets, kept for timeoutMs so that an SMSC redelivering a part
   * after its set was forwarded is recognised instead of opening a spurious partial set.
   */
  private readonly closed = new Map<string, { readonly texts: Map<number, string>; readonly closedAt: number }>();

  constructor(private readonly options: MoReassemblyOptions) {
    if (!(options.timeoutMs > 0) || !Number.isInteger(options.maxOpenSets) || options.maxOpenSets < 1) {
      throw new RangeError('MO reassembly needs timeoutMs > 0 and maxOpenSets >= 1');
    }
  }

  /** Sets currently waiting for parts. */
  get openSets(): number {
    return this.open.size;
  }

  add(part: MoPartInput<Tag>): AddResult<Tag> {
    if (!Number.isInteger(part.total) || part.total < 1 || !Number.isInteger(part.seq) || part.seq < 1 || part.seq > part.total) {
      throw new RangeError(`MO part ${part.seq} of ${part.total}: concatInfoOf rejects such parts before reassembly`);
    }
    const now = part.receivedAt;
    this.forgetClosed(now);
    const key = JSON.stringify([part.source, part.dest, part.reference, part.total]);
    const ready: ReassembledMo<Tag>[] = [];
    let set = this.open.get(key);
    const heldText = set?.parts.get(part.seq)?.text ?? this.closed.get(key)?.texts.get(part.seq);
    if (heldText !== undefined) {
      if (heldText === part.text) return { ready, duplicate: true };
      // Same number, other text: a new message reuses the reference. What is held belongs to the old one.
      if (set !== undefined) ready.push(this.close(key, set, now));
      this.closed.delete(key);
      set = undefined;
    }
    if (set === undefined) {
      if (this.open.size >= this.options.maxOpenSets) {
        const oldest = this.open.entries().next();
        if (oldest.done !== true) ready.push(this.close(oldest.value[0], oldest.value[1], now));
      }
      set = {
        source: part.source,
        dest: part.dest,
        reference: part.reference,
        total: part.total,
        parts: new Map(),
        firstReceivedAt: now,
        lastReceivedAt: now,
      };
      this.open.set(key, set);
    }
    set.parts.set(part.seq, { text: part.text, tag: part.tag });
    set.lastReceivedAt = Math.max(set.lastReceivedAt, now);
    if (set.parts.size === set.total) ready.push(this.close(key, set, now));
    return { ready, duplicate: false };
  }

  /** Forwards, as partial, every set whose first part arrived `timeoutMs` or more before `now`. */
  tick(now: number): ReassembledMo<Tag>[] {
    this.forgetClosed(now);
    const expired: ReassembledMo<Tag>[] = [];
    for (const [key, set] of this.open) {
      if (now - set.firstReceivedAt >= this.options.timeoutMs) expired.push(this.close(key, set, now));
    }
    return expired;
  }

  private close(key: string, set: OpenSet<Tag>, now: number): ReassembledMo<Tag> {
    this.open.delete(key);
    this.closed.delete(key);
    this.closed.set(key, { texts: new Map([...set.parts].map(([seq, held]) => [seq, held.text])), closedAt: now });
    if (this.closed.size > this.options.maxOpenSets) {
      const oldest = this.closed.keys().next();
      if (oldest.done !== true) this.closed.delete(oldest.value);
    }
    return finish(set);
  }

  private forgetClosed(now: number): void {
    for (const [key, { closedAt }] of this.closed) {
      if (now - closedAt < this.options.timeoutMs) break;
      this.closed.delete(key);
    }
  }

  /** When the next set times out, for the driver's timer; null when nothing is held. */
  nextDeadline(): number | null {
    let first: number | null = null;
    for (const set of this.open.values()) if (first === null || set.firstReceivedAt < first) first = set.firstReceivedAt;
    return first === null ? null : first + this.options.timeoutMs;
  }
}

function finish<Tag>(set: OpenSet<Tag>): ReassembledMo<Tag> {
  const texts: string[] = [];
  const tags: Tag[] = [];
  const missing: number[] = [];
  for (let seq = 1; seq <= set.total; seq++) {
    const part = set.parts.get(seq);
    if (part === undefined) {
      missing.push(seq);
    } else {
      texts.push(part.text);
      tags.push(part.tag);
    }
  }
  return {
    source: set.source,
    dest: set.dest,
    reference: set.reference,
    total: set.total,
    text: texts.join(''),
    partial: missing.length > 0,
    missing,
    tags,
    firstReceivedAt: set.firstReceivedAt,
    lastReceivedAt: set.lastReceivedAt,
  };
}
