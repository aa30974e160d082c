import smpp from 'smpp';

/** How an injected MO is encoded: GSM 03.38 default alphabet (unpacked septets) or UCS-2. */
export type MoDataCoding = 0 | 8;

export interface MoEncodingRequest {
  text: string;
  /** Default: 0 when the text fits the GSM default alphabet, 8 otherwise. */
  dataCoding?: MoDataCoding;
  /** Concatenation reference size when the text needs several parts. Default 8. */
  udh?: 8 | 16;
  /** At least this many parts, even when the text would fit in fewer (to exercise reassembly). */
  parts?: number;
  /** Concatenation reference number. */
  reference: number;
}

export interface MoPart {
  esmClass: number;
  dataCoding: MoDataCoding;
  shortMessage: Buffer;
}

const escape = 0x1b;

export function isGsmText(text: string): boolean {
  return smpp.gsmCoder.decode(smpp.gsmCoder.encode(text, 0), 0) === text;
}

/** Splits and encodes an MO into deliver_sm bodies, each with its concatenation UDH when there are several. */
export function encodeMo(request: MoEncodingRequest): MoPart[] {
  const dataCoding = request.dataCoding ?? (isGsmText(request.text) ? 0 : 8);
  if (dataCoding === 0 && !isGsmText(request.text)) {
    throw new Error('text has characters outside the GSM 03.38 default alphabet: use dataCoding 8');
  }
  const body = dataCoding === 0 ? smpp.gsmCoder.encode(request.text, 0) : Buffer.from(request.text, 'utf16le').swap16();
  const single = dataCoding === 0 ? 160 : 140; // septets or octets
  const minParts = Math.max(1, Math.floor(request.parts ?? 1));
  if (body.length <= single && minParts === 1) return [{ esmClass: 0, dataCoding, shortMessage: body }];

  const udhLength = request.udh === 16 ? 7 : 6;
  const perPart = dataCoding === 0 ? 160 - Math.ceil(udhLength * 8 / 7) : 140 - udhLength;
  const chunks = split(body, Math.min(perPart, Math.max(1, Math.ceil(body.length / minParts))), dataCoding);
  if (chunks.length > 255) throw new Error('text needs more than 255 parts');
  return chunks.map((chunk, index) => ({
    esmClass: 0x40,
    dataCoding,
    shortMessage: Buffer.concat([concatHeader(request.udh ?? 8, request.reference, chunks.length, index + 1), chunk]),
  }));
}

/** Cuts at most `size` bytes per chunk, never inside a GSM escape pair or a UTF-16 surrogate pair. */
function split(body: Buffer, size: number, dataCoding: MoDataCoding): Buffer[] {
  const unit = dataCoding === 0 ? 1 : 2;
  const step = Math.max(unit, size - (size % unit));
  const chunks: Buffer[] = [];
  let start = 0;
  while (start < body.length) {
    let end = Math.min(start + step, body.length);
    if (end < body.length && end - start > unit && cutsPair(body, end, dataCoding)) end -= unit;
    chunks.push(body.subarray(start, end));
    start = end;
  }
  return chunks;
}

function cutsPair(body: Buffer, end: number, dataCoding: MoDataCoding): boolean {
  if (dataCoding === 0) return body[end - 1] === escape;
  const high = body.readUInt16BE(end - 2);
  return high >= 0xd800 && high <= 0xdbff;
}

function concatHeader(bits: 8 | 16, reference: number, total: number, sequence: number): Buffer {
  return bits === 16
    ? Buffer.from([0x06, 0x08, 0x04, (reference >> 8) & 0xff, reference & 0xff, total, sequence])
    : Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, sequence]);
}
