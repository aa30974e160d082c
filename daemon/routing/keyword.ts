/**
 * Splits an MO text into its keyword and arguments (docs/mo.md, "Keyword"). Deliberately literal:
 * no NFKC, no homoglyph or Ё/Е folding, no splitting of `VOTE1`, so that what a client registered
 * is exactly what a subscriber has to type.
 */

/** Space, TAB, CR, LF and NO-BREAK SPACE: the separators phones and SMSCs actually produce. */
const whitespace = /[ \t\r\n\u00A0]+/;

export interface MoKeyword {
  /** The first word, upper-cased with Unicode rules; empty when the text has no word. */
  readonly keyword: string;
  /** The remaining words joined by single spaces, case kept. */
  readonly args: string;
}

/** Upper-cases a word the way MO keywords are compared (locale-independent Unicode rules). */
export function normalizeKeyword(word: string): string {
  return word.normalize('NFC').toUpperCase();
}

/** The words of an MO text after NFC, with whitespace trimmed and collapsed. */
export function wordsOf(text: string): string[] {
  return text.normalize('NFC').split(whitespace).filter((word) => word !== '');
}

export function parseKeyword(text: string): MoKeyword {
  const [first, ...rest] = wordsOf(text);
  return { keyword: first === undefined ? '' : normalizeKeyword(first), args: rest.join(' ') };
}
