/**
 * GSM 7-bit packing (TS 23.038 6.1.2.1.1): septets laid LSB-first into consecutive octets.
 * After a UDH the septets start on a septet boundary, so `fillBits` zero bits come first
 * (TS 23.040 9.2.3.24). Spare bits in the last octet are zero unless CR padding is asked for.
 */

/** CR, the padding septet TS 23.038 6.1.2.3.1 prescribes when 7 spare bits remain. */
const CR = 0x0d;

/** Fill bits after a UDH of `udhOctets` octets (UDHL included) so that the text starts on a septet boundary. */
export function fillBitsAfterUdh(udhOctets: number): number {
  return (7 - ((udhOctets * 8) % 7)) % 7;
}

/**
 * Packs septets (one per input octet, 0..0x7F) into octets, after `fillBits` (0..6) zero bits.
 * With `padWithCr`, 7 spare bits at the end hold a CR instead of zeros, so that a receiver that
 * only knows the octet count does not read a phantom `@` (TS 23.038 6.1.2.3.1).
 */
export function packSeptets(septets: Uint8Array, fillBits = 0, padWithCr = false): Buffer {
  const out = Buffer.alloc(Math.ceil((fillBits + septets.length * 7) / 8));
  let bit = fillBits;
  for (const septet of septets) {
    putSeptet(out, bit, septet);
    bit += 7;
  }
  if (padWithCr && out.length * 8 - bit === 7) putSeptet(out, bit, CR);
  return out;
}

function putSeptet(out: Buffer, bit: number, septet: number): void {
  const index = bit >> 3;
  const shift = bit & 7;
  out[index] = out[index]! | ((septet << shift) & 0xff);
  if (shift > 1) out[index + 1] = out[index + 1]! | (septet >> (8 - shift));
}

/**
 * Unpacks octets into septets (one per output octet), skipping `fillBits` leading bits.
 * `septetCount` (the UDL minus the UDH's septets) settles whether 7 trailing zero bits are a
 * septet (@) or padding; without it every whole septet present is returned.
 */
export function unpackSeptets(octets: Uint8Array, fillBits = 0, septetCount?: number): Buffer {
  const available = Math.floor((octets.length * 8 - fillBits) / 7);
  const count = Math.max(0, Math.min(septetCount ?? available, available));
  const out = Buffer.alloc(count);
  let bit = fillBits;
  for (let k = 0; k < count; k++) {
    const index = bit >> 3;
    const pair = octets[index]! | ((octets[index + 1] ?? 0) << 8);
    out[k] = (pair >> (bit & 7)) & 0x7f;
    bit += 7;
  }
  return out;
}
