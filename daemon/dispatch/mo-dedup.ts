/**
 * Recognises an SMSC redelivering the same MO (its deliver_sm_resp was lost or late) within a
 * window, without merging two genuine, identical messages (docs/mo.md, "Deduplication").
 * Pure: time is an argument; memory is bounded by maxEntries.
 */

export interface MoIdentity {
  readonly source: string;
  readonly dest: string;
  /** The decoded text (of this part, for a part of a concatenated MO). */
  readonly text: string;
  /** The concatenation triple of a part, so equal texts of different sets or parts stay apart. */
  readonly part?: { readonly reference: number; readonly total: number; readonly seq: number } | null;
  /** An id the SMSC gave this MO (vendor TLV), the same on every redelivery; null when absent. */
  readonly smscMessageId?: string | null;
  /** The SMSC's own timestamp of the MO (as received, unparsed); null when absent. */
  readonly smTimestamp?: string | null;
}

export interface MoDedupOptions {
  /** How long after its first sighting an MO counts as a redelivery. */
  readonly windowMs: number;
  /** Most identities remembered; the oldest is forgotten first. */
  readonly maxEntries: number;
  /**
   * Whether MO with neither an SMSC id nor a timestamp are deduplicated on source, destination and
   * text alone. Such an MO cannot be told from a subscriber sending the same text again.
   */
  readonly dedupWithoutIdentity: boolean;
}

/**
 * The dedup key: source, destination, text, part, and the SMSC's id if present, else its
 * timestamp if present. Distinct SMSC ids therefore keep identical texts apart, while a
 * redelivery (same id) collides. Null when the MO carries no identity and that is not deduplicated.
 */
export function moDedupKey(mo: MoIdentity, dedupWithoutIdentity: boolean): string | null {
  const identity =
    mo.smscMessageId != null && mo.smscMessageId !== ''
      ? ['id', mo.smscMessageId]
      : mo.smTimestamp != null && mo.smTimestamp !== ''
        ? ['ts', mo.smTimestamp]
        : null;
  if (identity === null && !dedupWithoutIdentity) return null;
  const part = mo.part == null ? null : [mo.part.reference, mo.part.total, mo.part.seq];
  return JSON.stringify([mo.source, mo.dest, mo.text, part, identity]);
}

export class MoDedup {
  /** key → first sighting; insertion order is sighting order, so the first entry is the oldest. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly options: MoDedupOptions) {
    if (!(options.windowMs > 0) || !Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError('MO dedup needs windowMs > 0 and maxEntries >= 1');
    }
  }

  get size(): number {
    return this.seen.size;
  }

  /** 'duplicate' for a redelivery seen less than windowMs ago; otherwise remembers the MO and says 'new'. */
  check(mo: MoIdentity, now: number): 'new' | 'duplicate' {
    this.forgetExpired(now);
    const key = moDedupKey(mo, this.options.dedupWithoutIdentity);
    if (key === null) return 'new';
    const firstSeen = this.seen.get(key);
    if (firstSeen !== undefined && now - firstSeen < this.options.windowMs) return 'duplicate';
    // Re-inserting moves the key to the end, keeping the map in sighting order.
    this.seen.delete(key);
    this.seen.set(key, now);
    if (this.seen.size > this.options.maxEntries) {
      const oldest = this.seen.keys().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
    return 'new';
  }

  private forgetExpired(now: number): void {
    for (const [key, firstSeen] of this.seen) {
      if (now - firstSeen < this.options.windowMs) break;
      this.seen.delete(key);
    }
  }
}
