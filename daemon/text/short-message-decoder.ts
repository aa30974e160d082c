import { decodeGsm7 } from './gsm7.js';
import { decodeUcs2 } from './ucs2.js';

/** How the octets of an inbound short_message (or message_payload) are read. */
export const ShortMessageAlphabet = {
  /** Unpacked GSM 7-bit septets, one per octet. */
  gsm7: 'gsm7',
  /** IA5 / ASCII; octets above 0x7F decode as U+FFFD. */
  ascii: 'ascii',
  latin1: 'latin1',
  /** ISO-8859-5. */
  cyrillic: 'cyrillic',
  /** ISO-8859-8. */
  hebrew: 'hebrew',
  ucs2: 'ucs2',
  /** 8-bit data or an alphabet we do not decode: each octet becomes the Latin-1 character of the same value (lossless). */
  binary: 'binary',
} as const;
export type ShortMessageAlphabet = (typeof ShortMessageAlphabet)[keyof typeof ShortMessageAlphabet];

/** SMPP 3.4 5.2.19 values 0x00–0x0F (SMPP's own meanings, not TS 23.038's). */
const SMPP_DATA_CODINGS: readonly ShortMessageAlphabet[] = [
  'gsm7', // 0 SMSC default alphabet: treated as GSM 7-bit unpacked
  'ascii', // 1 IA5 (CCITT T.50) / ASCII
  'binary', // 2 octet unspecified (8-bit binary)
  'latin1', // 3 Latin 1 (ISO-8859-1)
  'binary', // 4 octet unspecified (8-bit binary)
  'binary', // 5 JIS (X 0208-1990): not decoded
  'cyrillic', // 6 Cyrillic (ISO-8859-5)
  'hebrew', // 7 Latin/Hebrew (ISO-8859-8)
  'ucs2', // 8 UCS2 (ISO/IEC-10646)
  'binary', // 9 pictogram encoding
  'binary', // 0x0A ISO-2022-JP: not decoded
  'binary', // 0x0B reserved
  'binary', // 0x0C reserved
  'binary', // 0x0D extended Kanji JIS: not decoded
  'binary', // 0x0E KS C 5601: not decoded
  'binary', // 0x0F reserved
];

/** The TS 23.038 character-set bits (3..2) of the general and MWI groups. */
const CHARSET_BITS: readonly ShortMessageAlphabet[] = ['gsm7', 'binary', 'ucs2', 'binary'];

/**
 * Which alphabet a data_coding value means. 0x00–0x0F follow SMPP 3.4; above that the TS 23.038
 * coding groups: 0x10–0x7F general data coding (bits 3..2; compressed text, bit 5, is not
 * decoded), 0xC0–0xDF message waiting with GSM 7-bit, 0xE0–0xEF message waiting with UCS-2,
 * 0xF0–0xFF data coding/message class (bit 2: GSM 7-bit or 8-bit). Reserved groups are binary.
 */
export function alphabetOfDataCoding(dataCoding: number): ShortMessageAlphabet {
  if (dataCoding < 0x10) return SMPP_DATA_CODINGS[dataCoding] ?? 'binary';
  if (dataCoding < 0x80) return (dataCoding & 0x20) !== 0 ? 'binary' : CHARSET_BITS[(dataCoding >> 2) & 3]!;
  if (dataCoding < 0xc0) return 'binary';
  if (dataCoding < 0xe0) return 'gsm7';
  if (dataCoding < 0xf0) return 'ucs2';
  return (dataCoding & 0x04) === 0 ? 'gsm7' : 'binary';
}

const cyrillicDecoder = new TextDecoder('iso-8859-5');
const hebrewDecoder = new TextDecoder('iso-8859-8');

/**
 * Decodes the user data of an inbound message (without its UDH) by its data_coding.
 * GSM 7-bit is expected unpacked, one septet per octet, as SMPP carries it.
 */
export function decodeShortMessage(bytes: Buffer, dataCoding: number): string {
  switch (alphabetOfDataCoding(dataCoding)) {
    case 'gsm7':
      return decodeGsm7(bytes);
    case 'ascii':
      return decodeAscii(bytes);
    case 'latin1':
    case 'binary':
      return bytes.toString('latin1');
    case 'cyrillic':
      return cyrillicDecoder.decode(bytes);
    case 'hebrew':
      return hebrewDecoder.decode(bytes);
    case 'ucs2':
      return decodeUcs2(bytes);
  }
}

function decodeAscii(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\x80-\xff]/g, '\ufffd');
}
