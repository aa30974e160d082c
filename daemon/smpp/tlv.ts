/**
 * SMPP 3.4 optional parameters (TLVs, section 5.3.2). A PDU keeps its TLVs as a list of raw
 * {tag, value} in wire order, so that unknown and vendor TLVs (and known ones written oddly by an
 * SMSC) re-encode byte for byte; typed reading and building go through this registry.
 */
export type TlvType = 'int1' | 'int2' | 'int4' | 'cstring' | 'octets';

export const tlvDefinitions = {
  dest_addr_subunit: { tag: 0x0005, type: 'int1' },
  dest_network_type: { tag: 0x0006, type: 'int1' },
  dest_bearer_type: { tag: 0x0007, type: 'int1' },
  dest_telematics_id: { tag: 0x0008, type: 'int2' },
  source_addr_subunit: { tag: 0x000d, type: 'int1' },
  source_network_type: { tag: 0x000e, type: 'int1' },
  source_bearer_type: { tag: 0x000f, type: 'int1' },
  source_telematics_id: { tag: 0x0010, type: 'int2' },
  qos_time_to_live: { tag: 0x0017, type: 'int4' },
  payload_type: { tag: 0x0019, type: 'int1' },
  additional_status_info_text: { tag: 0x001d, type: 'cstring' },
  receipted_message_id: { tag: 0x001e, type: 'cstring' },
  ms_msg_wait_facilities: { tag: 0x0030, type: 'int1' },
  privacy_indicator: { tag: 0x0201, type: 'int1' },
  source_subaddress: { tag: 0x0202, type: 'octets' },
  dest_subaddress: { tag: 0x0203, type: 'octets' },
  user_message_reference: { tag: 0x0204, type: 'int2' },
  user_response_code: { tag: 0x0205, type: 'int1' },
  source_port: { tag: 0x020a, type: 'int2' },
  destination_port: { tag: 0x020b, type: 'int2' },
  sar_msg_ref_num: { tag: 0x020c, type: 'int2' },
  language_indicator: { tag: 0x020d, type: 'int1' },
  sar_total_segments: { tag: 0x020e, type: 'int1' },
  sar_segment_seqnum: { tag: 0x020f, type: 'int1' },
  sc_interface_version: { tag: 0x0210, type: 'int1' },
  callback_num_pres_ind: { tag: 0x0302, type: 'int1' },
  callback_num_atag: { tag: 0x0303, type: 'octets' },
  number_of_messages: { tag: 0x0304, type: 'int1' },
  callback_num: { tag: 0x0381, type: 'octets' },
  dpf_result: { tag: 0x0420, type: 'int1' },
  set_dpf: { tag: 0x0421, type: 'int1' },
  ms_availability_status: { tag: 0x0422, type: 'int1' },
  network_error_code: { tag: 0x0423, type: 'octets' },
  message_payload: { tag: 0x0424, type: 'octets' },
  delivery_failure_reason: { tag: 0x0425, type: 'int1' },
  more_messages_to_send: { tag: 0x0426, type: 'int1' },
  message_state: { tag: 0x0427, type: 'int1' },
  ussd_service_op: { tag: 0x0501, type: 'int1' },
  display_time: { tag: 0x1201, type: 'int1' },
  sms_signal: { tag: 0x1203, type: 'int2' },
  ms_validity: { tag: 0x1204, type: 'int1' },
  alert_on_message_delivery: { tag: 0x130c, type: 'octets' },
  its_reply_type: { tag: 0x1380, type: 'int1' },
  its_session_info: { tag: 0x1383, type: 'octets' },
} as const satisfies Record<string, { tag: number; type: TlvType }>;
export type TlvName = keyof typeof tlvDefinitions;

type ValueOfType<T extends TlvType> = T extends 'cstring' ? string : T extends 'octets' ? Buffer : number;
export type TlvValue<N extends TlvName> = ValueOfType<(typeof tlvDefinitions)[N]['type']>;

/** One TLV as it is on the wire: the value without tag and length. */
export interface Tlv {
  readonly tag: number;
  readonly value: Buffer;
}

export const tlvNameByTag: ReadonlyMap<number, TlvName> = new Map(
  (Object.keys(tlvDefinitions) as TlvName[]).map((name) => [tlvDefinitions[name].tag, name]),
);

const intSize: Readonly<Record<TlvType, number | null>> = { int1: 1, int2: 2, int4: 4, cstring: null, octets: null };

/** The fixed value length of a known integer TLV, or null when any length is allowed. */
export function tlvFixedLength(tag: number): number | null {
  const name = tlvNameByTag.get(tag);
  return name === undefined ? null : intSize[tlvDefinitions[name].type];
}

/** Builds a TLV from a typed value; a cstring gets its NUL terminator. */
export function tlv<N extends TlvName>(name: N, value: TlvValue<N>): Tlv {
  const { tag, type } = tlvDefinitions[name];
  if (typeof value === 'string') return { tag, value: Buffer.from(`${value}\0`, 'latin1') };
  if (Buffer.isBuffer(value)) return { tag, value };
  const size = intSize[type] ?? 4;
  const bytes = Buffer.alloc(size);
  bytes.writeUIntBE(value as number, 0, size);
  return { tag, value: bytes };
}

/**
 * The typed value of the first TLV with this name, or undefined when absent. A cstring is read up to
 * its NUL, or whole when an SMSC left the NUL out; an integer TLV of the wrong size reads as undefined.
 */
export function tlvValue<N extends TlvName>(tlvs: readonly Tlv[], name: N): TlvValue<N> | undefined {
  const { tag, type } = tlvDefinitions[name];
  const found = tlvs.find((t) => t.tag === tag);
  if (found === undefined) return undefined;
  const bytes = found.value;
  switch (type) {
    case 'cstring': {
      const nul = bytes.indexOf(0);
      return bytes.toString('latin1', 0, nul === -1 ? bytes.length : nul) as TlvValue<N>;
    }
    case 'octets':
      return bytes as TlvValue<N>;
    default: {
      const size = intSize[type];
      if (size === null || bytes.length !== size) return undefined;
      return bytes.readUIntBE(0, size) as TlvValue<N>;
    }
  }
}
