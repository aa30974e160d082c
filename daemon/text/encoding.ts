import { GSM_LOOKUP } from './gsm7-alphabet.js';

/** The two alphabets smsproc sends in: GSM 7-bit default (with extension) and UCS-2 (UTF-16BE). */
export const TextEncoding = { gsm7: 'gsm7', ucs2: 'ucs2' } as const;
export type TextEncoding = (typeof TextEncoding)[keyof typeof TextEncoding];

/** A character the requested encoding cannot carry: for the TEXT_NOT_ENCODABLE error. */
export interface UnencodableCharacter {
  /** The whole character (both halves of a surrogate pair). */
  readonly character: string;
  /** Its UTF-16 index in the text. */
  readonly index: number;
}

/** 'gsm7' when every character is in the GSM base or extension table, else 'ucs2'. */
export function chooseEncoding(text: string): TextEncoding {
  return firstNonGsm(text) === -1 ? 'gsm7' : 'ucs2';
}

/**
 * The first character `encoding` cannot represent, or null. UCS-2 here is UTF-16BE (surrogate
 * pairs allowed, as every SMSC and handset does today), so it represents every JS string.
 */
export function findUnencodable(text: string, encoding: TextEncoding): UnencodableCharacter | null {
  if (encoding === 'ucs2') return null;
  const index = firstNonGsm(text);
  return index === -1 ? null : { character: characterAt(text, index), index };
}

/** Index of the first UTF-16 code unit outside the GSM tables, or -1. */
export function firstNonGsm(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (GSM_LOOKUP[text.charCodeAt(i)]! < 0) return i;
  }
  return -1;
}

/** The character starting at `index`: a surrogate pair when one starts there. */
export function characterAt(text: string, index: number): string {
  return isSurrogatePairAt(text, index) ? text.slice(index, index + 2) : text.charAt(index);
}

/** Whether a high surrogate followed by a low surrogate starts at `index`. */
export function isSurrogatePairAt(text: string, index: number): boolean {
  const high = text.charCodeAt(index);
  if (high < 0xd800 || high > 0xdbff) return false;
  const low = text.charCodeAt(index + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}
