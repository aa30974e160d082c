import type { ConcatenationMethod } from '../domain/provisioning.js';
import { concatUdh16, concatUdh8, MAX_PARTS, sarValues, type SarValues } from './concatenation.js';
import { characterAt, isSurrogatePairAt, type TextEncoding } from './encoding.js';
import { encodeGsm7 } from './gsm7.js';
import { EXTENDED, GSM_LOOKUP } from './gsm7-alphabet.js';
import { fillBitsAfterUdh, packSeptets } from './septet-packing.js';
import { encodeUcs2 } from './ucs2.js';

/** Units (septets or UTF-16 units) that fit in one SMS that carries no concatenation UDH. */
export const SINGLE_PART_UNITS: Readonly<Record<TextEncoding, number>> = { gsm7: 160, ucs2: 70 };

/**
 * Units per part of a long message. A UDH takes its octets from the 140: 6 for udh8, 7 for udh16.
 * SAR carries the concatenation in TLVs, so its parts are full. `payload` sends the whole text in
 * one message_payload, but is counted (charged, throttled) in parts of the SAR size.
 */
export const MULTIPART_UNITS: Readonly<Record<ConcatenationMethod, Readonly<Record<TextEncoding, number>>>> = {
  udh8: { gsm7: 153, ucs2: 67 },
  udh16: { gsm7: 152, ucs2: 66 },
  sar: { gsm7: 160, ucs2: 70 },
  payload: { gsm7: 160, ucs2: 70 },
};

export type TextAnalysis =
  | {
      readonly ok: true;
      readonly encoding: TextEncoding;
      /** Septets (extension characters count 2) or UTF-16 units (surrogate pairs count 2). */
      readonly units: number;
      /** SMS segments the text costs; 1 for an empty text. */
      readonly segments: number;
    }
  | {
      readonly ok: false;
      /** The forced encoding that cannot carry the text. */
      readonly encoding: TextEncoding;
      /** The first character it cannot carry (a whole surrogate pair for an emoji). */
      readonly character: string;
      readonly index: number;
    };

/**
 * Chooses the encoding (GSM 7-bit when every character is GSM, else UCS-2) unless one is forced,
 * and counts units and segments for `method`. One pass per encoding, no allocation: it runs on
 * every submitted message.
 */
export function analyze(text: string, method: ConcatenationMethod, forced?: TextEncoding): TextAnalysis {
  if (forced !== 'ucs2') {
    const perPart = MULTIPART_UNITS[method].gsm7;
    let units = 0;
    let parts = 1;
    let inPart = 0;
    for (let i = 0; i < text.length; i++) {
      const value = GSM_LOOKUP[text.charCodeAt(i)]!;
      if (value < 0) {
        if (forced === 'gsm7') return { ok: false, encoding: 'gsm7', character: characterAt(text, i), index: i };
        return analyzeUcs2(text, method);
      }
      const width = value >= EXTENDED ? 2 : 1;
      units += width;
      if (inPart + width > perPart) {
        parts += 1;
        inPart = width;
      } else {
        inPart += width;
      }
    }
    return { ok: true, encoding: 'gsm7', units, segments: units <= SINGLE_PART_UNITS.gsm7 ? 1 : parts };
  }
  return analyzeUcs2(text, method);
}

function analyzeUcs2(text: string, method: ConcatenationMethod): TextAnalysis {
  const units = text.length;
  if (units <= SINGLE_PART_UNITS.ucs2) return { ok: true, encoding: 'ucs2', units, segments: 1 };
  const perPart = MULTIPART_UNITS[method].ucs2;
  let parts = 1;
  let inPart = 0;
  for (let i = 0; i < units; i++) {
    const width = isSurrogatePairAt(text, i) ? 2 : 1;
    if (inPart + width > perPart) {
      parts += 1;
      inPart = width;
    } else {
      inPart += width;
    }
    i += width - 1;
  }
  return { ok: true, encoding: 'ucs2', units, segments: parts };
}

export interface SplitOptions {
  /** Concatenation reference shared by the parts: 0..255 for udh8, 0..65535 for udh16 and SAR. Default 0. */
  readonly reference?: number;
  /** GSM 7-bit octets one septet each (default) or packed 7-bit, after the route's setting. */
  readonly gsmPacking?: 'unpacked' | 'packed';
}

export interface MessagePart {
  /** 1-based. */
  readonly seqnum: number;
  readonly text: string;
  readonly units: number;
  /** The concatenation UDH (UDHL included) for udh8/udh16 parts of a long message: set esm_class UDHI (0x40). */
  readonly udh: Buffer | null;
  /** The SAR TLV values for SAR parts of a long message. */
  readonly sar: SarValues | null;
  /** short_message (message_payload for `payload`): the UDH, if any, then the encoded text. */
  readonly octets: Buffer;
}

export interface SplitResult {
  readonly encoding: TextEncoding;
  readonly units: number;
  /** Segments the message costs, as analyze() counts them; for `payload` more than parts.length. */
  readonly segments: number;
  /** The PDUs to send: one per segment, or exactly one for `payload`. */
  readonly parts: readonly MessagePart[];
}

/**
 * Splits text into the parts to submit, encoded for short_message. Parts break at character
 * boundaries: an extension character (ESC + code) or a surrogate pair never straddles two parts.
 * Throws RangeError when the text is not representable in `encoding` (check with analyze first)
 * or needs more than MAX_PARTS parts with a UDH or SAR.
 */
export function split(text: string, method: ConcatenationMethod, encoding: TextEncoding, options: SplitOptions = {}): SplitResult {
  const analysis = analyze(text, method, encoding);
  if (!analysis.ok) throw new RangeError(`character "${analysis.character}" at ${analysis.index} is not in ${encoding}`);
  const { units, segments } = analysis;
  const reference = options.reference ?? 0;
  const packed = options.gsmPacking === 'packed';
  const encode = (chunk: string, udh: Buffer | null): Buffer => encodePart(chunk, encoding, packed, udh);

  if (method === 'payload' || segments === 1) {
    return { encoding, units, segments, parts: [{ seqnum: 1, text, units, udh: null, sar: null, octets: encode(text, null) }] };
  }
  if (segments > MAX_PARTS) throw new RangeError(`text needs ${segments} parts; at most ${MAX_PARTS} can be concatenated`);

  const chunks = chunkText(text, encoding, MULTIPART_UNITS[method][encoding]);
  const parts = chunks.map((chunk, index): MessagePart => {
    const seqnum = index + 1;
    const udh = method === 'udh8' ? concatUdh8(reference, chunks.length, seqnum)
      : method === 'udh16' ? concatUdh16(reference, chunks.length, seqnum)
        : null;
    const sar = method === 'sar' ? sarValues(reference, chunks.length, seqnum) : null;
    return { seqnum, text: chunk.text, units: chunk.units, udh, sar, octets: encode(chunk.text, udh) };
  });
  return { encoding, units, segments, parts };
}

interface Chunk {
  readonly text: string;
  readonly units: number;
}

/** Greedy cut at character boundaries, at most `perPart` units each (the same rule analyze counts). */
function chunkText(text: string, encoding: TextEncoding, perPart: number): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let inPart = 0;
  for (let i = 0; i < text.length; ) {
    const pair = isSurrogatePairAt(text, i);
    const width = encoding === 'ucs2' ? (pair ? 2 : 1) : GSM_LOOKUP[text.charCodeAt(i)]! >= EXTENDED ? 2 : 1;
    if (inPart + width > perPart) {
      chunks.push({ text: text.slice(start, i), units: inPart });
      start = i;
      inPart = 0;
    }
    inPart += width;
    i += pair ? 2 : 1;
  }
  chunks.push({ text: text.slice(start), units: inPart });
  return chunks;
}

function encodePart(chunk: string, encoding: TextEncoding, packed: boolean, udh: Buffer | null): Buffer {
  let body: Buffer;
  if (encoding === 'ucs2') body = encodeUcs2(chunk);
  else if (packed) body = packSeptets(encodeGsm7(chunk), udh === null ? 0 : fillBitsAfterUdh(udh.length), true);
  else body = encodeGsm7(chunk);
  return udh === null ? body : Buffer.concat([udh, body]);
}
