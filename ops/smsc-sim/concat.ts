/** Where a submitted part sits in a concatenated message: UDH IE 0x00 (8-bit ref), 0x08 (16-bit ref) or SAR TLVs. */
export interface PartInfo {
  kind: 'udh8' | 'udh16' | 'sar';
  reference: number;
  total: number;
  /** 1-based. */
  sequence: number;
}

export interface SarFields {
  sar_msg_ref_num?: unknown;
  sar_total_segments?: unknown;
  sar_segment_seqnum?: unknown;
}

/** `udh` holds information elements as the `smpp` package splits them: [iei, length, ...data]. */
export function concatInfo(udh: readonly Buffer[] | undefined, sar: SarFields): PartInfo | undefined {
  for (const element of udh ?? []) {
    if (element[0] === 0x00 && element[1] === 3 && element.length >= 5) {
      return valid({ kind: 'udh8', reference: element[2] ?? 0, total: element[3] ?? 0, sequence: element[4] ?? 0 });
    }
    if (element[0] === 0x08 && element[1] === 4 && element.length >= 6) {
      return valid({ kind: 'udh16', reference: element.readUInt16BE(2), total: element[4] ?? 0, sequence: element[5] ?? 0 });
    }
  }
  const { sar_msg_ref_num: reference, sar_total_segments: total, sar_segment_seqnum: sequence } = sar;
  if (typeof reference === 'number' && typeof total === 'number' && typeof sequence === 'number') {
    return valid({ kind: 'sar', reference, total, sequence });
  }
  return undefined;
}

/** A total of 1 or a sequence outside 1..total is not a concatenated message. */
function valid(part: PartInfo): PartInfo | undefined {
  return part.total > 1 && part.sequence >= 1 && part.sequence <= part.total ? part : undefined;
}
