import { BASE_CHARS, ESC, EXTENDED, EXTENSION_CHARS, GSM_LOOKUP } from './gsm7-alphabet.js';

/**
 * Encodes text to unpacked GSM septets, one per octet, with ESC (0x1B) before each extension
 * character: the form SMSCs expect in short_message with data_coding 0.
 * Throws RangeError on a character outside the tables (check with findUnencodable first).
 */
export function encodeGsm7(text: string): Buffer {
  const out = Buffer.allocUnsafe(gsm7Septets(text));
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const value = GSM_LOOKUP[text.charCodeAt(i)]!;
    if (value >= EXTENDED) {
      out[at++] = ESC;
      out[at++] = value - EXTENDED;
    } else {
      out[at++] = value;
    }
  }
  return out;
}

/** Septets the text takes in GSM 7-bit (extension characters count 2); throws RangeError if not GSM. */
export function gsm7Septets(text: string): number {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const value = GSM_LOOKUP[text.charCodeAt(i)]!;
    if (value < 0) throw new RangeError(`character U+${text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')} at ${i} is not in the GSM 7-bit alphabet`);
    septets += value >= EXTENDED ? 2 : 1;
  }
  return septets;
}

/**
 * Decodes unpacked septets (one per octet). Per TS 23.038: ESC followed by a code the extension
 * table does not define decodes as that code's base-table character; ESC ESC (reserved for a
 * further extension table) and an ESC at the very end decode as a space. An octet with the high
 * bit set is not a septet and decodes as U+FFFD.
 */
export function decodeGsm7(septets: Uint8Array): string {
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const septet = septets[i]!;
    if (septet > 0x7f) {
      text += '\ufffd';
    } else if (septet !== ESC) {
      text += BASE_CHARS[septet]!;
    } else if (i + 1 < septets.length) {
      const code = septets[++i]!;
      text += code > 0x7f ? '\ufffd' : EXTENSION_CHARS[code] ?? BASE_CHARS[code]!;
    } else {
      text += ' ';
    }
  }
  return text;
}
