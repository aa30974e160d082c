/**
 * The auditable draw of a lottery (docs/scenarios.md, "Lottery draw"). Pure and deterministic: the
 * entries in a canonical order (by entry id), a SHA-256 hash of that list, and a PRNG seeded with a
 * recorded seed (SHA-256 in counter mode) pick the winners by a partial Fisher-Yates shuffle. Anyone
 * given the seed and the entry list can recompute the result.
 */
import { createHash } from 'node:crypto';

export interface DrawEntry {
  /** Unique and stable (the MO id the entry came from). */
  readonly id: string;
  readonly subscriber: string;
}

export interface DrawResult {
  readonly entriesHash: string;
  readonly entryCount: number;
  readonly winners: readonly DrawEntry[];
}

/** SHA-256 over `id subscriber\n` lines in id order, hex. */
export function entriesHash(entries: readonly DrawEntry[]): string {
  const hash = createHash('sha256');
  for (const entry of canonicalOrder(entries)) hash.update(`${entry.id} ${entry.subscriber}\n`);
  return hash.digest('hex');
}

function canonicalOrder(entries: readonly DrawEntry[]): DrawEntry[] {
  return [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Uniform integers below `bound` from SHA-256(seed ‖ counter), rejecting the biased tail. */
export function seededIntegers(seed: string): (bound: number) => number {
  let counter = 0;
  const range = 2 ** 48;
  return (bound: number): number => {
    if (!Number.isInteger(bound) || bound < 1 || bound > range) throw new RangeError('bound must be an integer in 1..2^48');
    const limit = range - (range % bound);
    for (;;) {
      const digest = createHash('sha256').update(`${seed}:${counter}`).digest();
      counter += 1;
      const value = digest.readUIntBE(0, 6);
      if (value < limit) return value % bound;
    }
  };
}

/** Draws up to `winners` entries; with `oneWinPerSubscriber`, a number wins at most once. */
export function drawWinners(entries: readonly DrawEntry[], seed: string, winners: number, oneWinPerSubscriber: boolean): DrawResult {
  const pool = canonicalOrder(entries);
  const next = seededIntegers(seed);
  const picked: DrawEntry[] = [];
  const won = new Set<string>();
  let end = pool.length;
  while (picked.length < winners && end > 0) {
    const index = next(end);
    const entry = pool[index] as DrawEntry;
    pool[index] = pool[end - 1] as DrawEntry;
    pool[end - 1] = entry;
    end -= 1;
    if (oneWinPerSubscriber && won.has(entry.subscriber)) continue;
    won.add(entry.subscriber);
    picked.push(entry);
  }
  return { entriesHash: entriesHash(entries), entryCount: entries.length, winners: picked };
}
