/**
 * UCS-2 as SMSCs carry it today: UTF-16 big-endian, surrogate pairs passed through (2 units).
 * Code units are copied as they are, so a lone surrogate round-trips instead of becoming U+FFFD.
 */

export function encodeUcs2(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length * 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}

/** Decodes UTF-16BE; a dangling odd last octet decodes as U+FFFD. */
export function decodeUcs2(octets: Uint8Array): string {
  const units = octets.length >> 1;
  const swapped = Buffer.allocUnsafe(units * 2);
  for (let i = 0; i < units; i++) {
    swapped[2 * i] = octets[2 * i + 1]!;
    swapped[2 * i + 1] = octets[2 * i]!;
  }
  const text = swapped.toString('utf16le');
  return octets.length % 2 === 1 ? text + '\ufffd' : text;
}
