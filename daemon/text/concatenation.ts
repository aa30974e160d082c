/**
 * Concatenation information for a long message (TS 23.040 9.2.3.24.1 and .8; SMPP 3.4 5.3.2.22–24):
 * the 8-bit and 16-bit reference UDHs, or the same three numbers for the SAR TLVs.
 */

/** Parts per message: the count and the sequence number are one octet in every form. */
export const MAX_PARTS = 255;

/** `05 00 03 rr nn ii`: UDHL 5, IEI 0x00, IEDL 3, 8-bit reference, total, sequence number (1-based). */
export function concatUdh8(reference: number, total: number, seqnum: number): Buffer {
  checkParts(total, seqnum);
  checkReference(reference, 0xff);
  return Buffer.from([0x05, 0x00, 0x03, reference, total, seqnum]);
}

/** `06 08 04 rrrr nn ii`: UDHL 6, IEI 0x08, IEDL 4, 16-bit reference (big-endian), total, sequence number. */
export function concatUdh16(reference: number, total: number, seqnum: number): Buffer {
  checkParts(total, seqnum);
  checkReference(reference, 0xffff);
  return Buffer.from([0x06, 0x08, 0x04, reference >> 8, reference & 0xff, total, seqnum]);
}

/** Values of the SAR TLVs: sar_msg_ref_num (2 octets), sar_total_segments and sar_segment_seqnum (1 octet each). */
export interface SarValues {
  readonly sarMsgRefNum: number;
  readonly sarTotalSegments: number;
  readonly sarSegmentSeqnum: number;
}

export function sarValues(reference: number, total: number, seqnum: number): SarValues {
  checkParts(total, seqnum);
  checkReference(reference, 0xffff);
  return { sarMsgRefNum: reference, sarTotalSegments: total, sarSegmentSeqnum: seqnum };
}

function checkParts(total: number, seqnum: number): void {
  if (!Number.isInteger(total) || total < 1 || total > MAX_PARTS) throw new RangeError(`part count ${total} is outside 1..${MAX_PARTS}`);
  if (!Number.isInteger(seqnum) || seqnum < 1 || seqnum > total) throw new RangeError(`part number ${seqnum} is outside 1..${total}`);
}

function checkReference(reference: number, max: number): void {
  if (!Number.isInteger(reference) || reference < 0 || reference > max) throw new RangeError(`reference ${reference} is outside 0..${max}`);
}
