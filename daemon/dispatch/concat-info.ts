/**
 * Which part of a concatenated MO a deliver_sm carries: from the UDH concatenation IEs
 * (3GPP TS 23.040 9.2.3.24.1 and .8) or from the SMPP SAR TLVs. Malformed input yields a
 * `malformed` value with the reason, never a throw: a bad PDU from an SMSC must not stop the bind.
 */

/** esm_class bit "UDH Indicator": short_message starts with a user data header. */
export const ESM_CLASS_UDHI = 0x40;

const IEI_CONCAT_8BIT = 0x00;
const IEI_CONCAT_16BIT = 0x08;

export interface ConcatInfo {
  /** Same for every part of one message (with source, destination and total). */
  readonly reference: number;
  readonly total: number;
  /** 1-based part number. */
  readonly seq: number;
}

export type ConcatResult =
  /** Not part of a concatenated message; `payload` is the text octets (after any UDH). */
  | { readonly kind: 'single'; readonly payload: Uint8Array }
  | { readonly kind: 'part'; readonly info: ConcatInfo; readonly payload: Uint8Array }
  | { readonly kind: 'malformed'; readonly reason: string };

/** The SAR TLV values as received; a missing TLV is undefined. */
export interface SarTlvs {
  readonly msgRefNum?: number | undefined;
  readonly totalSegments?: number | undefined;
  readonly segmentSeqnum?: number | undefined;
}

/** Concatenation of one deliver_sm: the UDH when esm_class has UDHI, else the SAR TLVs, else none. */
export function concatInfoOf(esmClass: number, shortMessage: Uint8Array, sar: SarTlvs = {}): ConcatResult {
  if ((esmClass & ESM_CLASS_UDHI) !== 0) {
    const udh = parseConcatUdh(shortMessage);
    if (udh.kind !== 'single' || !hasAnySar(sar)) return udh;
    const fromSar = concatFromSar(sar);
    return fromSar.kind === 'malformed' ? fromSar : { kind: 'part', info: fromSar.info, payload: udh.payload };
  }
  if (!hasAnySar(sar)) return { kind: 'single', payload: shortMessage };
  const fromSar = concatFromSar(sar);
  return fromSar.kind === 'malformed' ? fromSar : { kind: 'part', info: fromSar.info, payload: shortMessage };
}

function hasAnySar(sar: SarTlvs): boolean {
  return sar.msgRefNum !== undefined || sar.totalSegments !== undefined || sar.segmentSeqnum !== undefined;
}

/**
 * Parses the UDH at the start of `message` (UDHL, then IEI/IEL/data triples). Other IEs are
 * skipped; a repeated concatenation IE counts by its last occurrence, as TS 23.040 9.2.3.24 says.
 */
export function parseConcatUdh(message: Uint8Array): ConcatResult {
  const udhLength = message[0];
  if (udhLength === undefined) return { kind: 'malformed', reason: 'UDHI is set but short_message is empty' };
  const end = 1 + udhLength;
  if (end > message.length) {
    return { kind: 'malformed', reason: `UDH length ${udhLength} overruns short_message of ${message.length} octets` };
  }
  let info: ConcatInfo | null = null;
  let at = 1;
  while (at < end) {
    const iei = message[at];
    const iel = message[at + 1];
    if (iei === undefined || iel === undefined || at + 2 > end) {
      return { kind: 'malformed', reason: `UDH information element at octet ${at} is cut off by the UDH length` };
    }
    const dataStart = at + 2;
    if (dataStart + iel > end) {
      return { kind: 'malformed', reason: `UDH information element 0x${hex(iei)} of length ${iel} overruns the UDH` };
    }
    const data = message.subarray(dataStart, dataStart + iel);
    if (iei === IEI_CONCAT_8BIT || iei === IEI_CONCAT_16BIT) {
      const parsed = concatIe(iei, data);
      if ('reason' in parsed) return { kind: 'malformed', reason: parsed.reason };
      info = parsed;
    }
    at = dataStart + iel;
  }
  const payload = message.subarray(end);
  return info === null ? { kind: 'single', payload } : { kind: 'part', info, payload };
}

function concatIe(iei: number, data: Uint8Array): ConcatInfo | { reason: string } {
  const expected = iei === IEI_CONCAT_8BIT ? 3 : 4;
  if (data.length !== expected) {
    return { reason: `concatenation IE 0x${hex(iei)} has length ${data.length}, expected ${expected}` };
  }
  const reference = iei === IEI_CONCAT_8BIT ? data[0]! : (data[0]! << 8) | data[1]!;
  return checked(reference, data[expected - 2]!, data[expected - 1]!);
}

/** Concatenation from sar_msg_ref_num (16-bit), sar_total_segments and sar_segment_seqnum (8-bit). */
export function concatFromSar(sar: SarTlvs): { kind: 'part'; info: ConcatInfo } | { kind: 'malformed'; reason: string } {
  const { msgRefNum, totalSegments, segmentSeqnum } = sar;
  if (msgRefNum === undefined || totalSegments === undefined || segmentSeqnum === undefined) {
    return { kind: 'malformed', reason: 'SAR TLVs incomplete: sar_msg_ref_num, sar_total_segments and sar_segment_seqnum come together' };
  }
  if (!inRange(msgRefNum, 0xffff) || !inRange(totalSegments, 0xff) || !inRange(segmentSeqnum, 0xff)) {
    return { kind: 'malformed', reason: `SAR TLV value out of range (ref ${msgRefNum}, total ${totalSegments}, seq ${segmentSeqnum})` };
  }
  const info = checked(msgRefNum, totalSegments, segmentSeqnum);
  return 'reason' in info ? { kind: 'malformed', reason: info.reason } : { kind: 'part', info };
}

function checked(reference: number, total: number, seq: number): ConcatInfo | { reason: string } {
  if (total === 0) return { reason: 'concatenation total is 0' };
  if (seq === 0 || seq > total) return { reason: `concatenation part number ${seq} is outside 1..${total}` };
  return { reference, total, seq };
}

function inRange(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

function hex(octet: number): string {
  return octet.toString(16).padStart(2, '0');
}
