/**
 * The key by which the Store recognises an SMSC redelivering the same MO (its deliver_sm_resp was
 * lost or late) within a window, without merging two genuine, identical messages (docs/mo.md,
 * "Deduplication"). Pure.
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
