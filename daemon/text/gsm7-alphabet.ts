/**
 * The 3GPP TS 23.038 (GSM 03.38) default alphabet and its default extension table, strict:
 * only the code points the spec lists (0x09 is capital Ç; lowercase ç, Greek capitals that look
 * like Latin letters and the like are not GSM). Tables are built once at load so that the hot path
 * (analysing every submitted text) is one typed-array read per UTF-16 code unit.
 */

/** Septet 0x1B: escape to the extension table. */
export const ESC = 0x1b;

/** The base table in septet order; index 0x1B (ESC) holds a placeholder never matched on encode. */
const BASE_TABLE =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Extension table: septet after ESC → character. */
const EXTENSION_TABLE: ReadonlyArray<readonly [number, string]> = [
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
];

/** Marks an extension entry in GSM_LOOKUP: value = EXTENDED + septet after ESC. */
export const EXTENDED = 0x80;

/**
 * UTF-16 code unit → -1 (not GSM), 0..0x7F (base septet) or EXTENDED + code (ESC, code).
 * Every GSM character is in the BMP, so one code unit decides.
 */
export const GSM_LOOKUP: Int16Array = buildLookup();

/** Septet → character for the base table (ESC decodes to a space, see decodeGsm7). */
export const BASE_CHARS: readonly string[] = [...BASE_TABLE].map((ch, septet) => (septet === ESC ? ' ' : ch));

/** Septet after ESC → character, or undefined where the extension table has no entry. */
export const EXTENSION_CHARS: ReadonlyArray<string | undefined> = buildExtensionChars();

function buildLookup(): Int16Array {
  const lookup = new Int16Array(0x10000).fill(-1);
  [...BASE_TABLE].forEach((ch, septet) => {
    if (septet !== ESC) lookup[ch.charCodeAt(0)] = septet;
  });
  for (const [code, ch] of EXTENSION_TABLE) lookup[ch.charCodeAt(0)] = EXTENDED + code;
  return lookup;
}

function buildExtensionChars(): Array<string | undefined> {
  const chars = new Array<string | undefined>(0x80).fill(undefined);
  for (const [code, ch] of EXTENSION_TABLE) chars[code] = ch;
  return chars;
}
