/**
 * SMPP 3.4 commands (section 5.1.2) and the layout of their mandatory fields (section 4), in wire
 * order. The PDU types in pdu.ts are derived from these tables, so a field is declared once.
 */
export const commandIds = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  query_sm: 0x00000003,
  query_sm_resp: 0x80000003,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  replace_sm: 0x00000007,
  replace_sm_resp: 0x80000007,
  cancel_sm: 0x00000008,
  cancel_sm_resp: 0x80000008,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
  submit_multi: 0x00000021,
  submit_multi_resp: 0x80000021,
  alert_notification: 0x00000102,
  data_sm: 0x00000103,
  data_sm_resp: 0x80000103,
} as const;
export type CommandName = keyof typeof commandIds;

export const commandNameById: ReadonlyMap<number, CommandName> = new Map(
  (Object.keys(commandIds) as CommandName[]).map((name) => [commandIds[name], name]),
);

/** Bit 31 of command_id marks a response. */
export function isResponseId(commandId: number): boolean {
  return commandId >= 0x80000000;
}

/** The response a request is answered with; null for outbind and alert_notification, which have none. */
export function responseCommandOf(command: CommandName): CommandName | null {
  if (isResponseId(commandIds[command])) return null;
  return commandNameById.get((commandIds[command] | 0x80000000) >>> 0) ?? null;
}

/**
 * Field kinds: int1 an unsigned octet, cstring a NUL-terminated C-Octet String,
 * shortMessage sm_length (1 octet) then that many octets, destAddresses number_of_dests then
 * dest_address entries, unsuccessSmes no_unsuccess then unsuccess_sme entries.
 */
export type FieldKind = 'int1' | 'cstring' | 'shortMessage' | 'destAddresses' | 'unsuccessSmes';
type FieldList = readonly (readonly [string, FieldKind])[];

const bind = [
  ['systemId', 'cstring'],
  ['password', 'cstring'],
  ['systemType', 'cstring'],
  ['interfaceVersion', 'int1'],
  ['addrTon', 'int1'],
  ['addrNpi', 'int1'],
  ['addressRange', 'cstring'],
] as const;

const bindResp = [['systemId', 'cstring']] as const;
const messageIdOnly = [['messageId', 'cstring']] as const;
const sourceAddress = [
  ['sourceAddrTon', 'int1'],
  ['sourceAddrNpi', 'int1'],
  ['sourceAddr', 'cstring'],
] as const;
const destAddress = [
  ['destAddrTon', 'int1'],
  ['destAddrNpi', 'int1'],
  ['destinationAddr', 'cstring'],
] as const;
const messageTail = [
  ['esmClass', 'int1'],
  ['protocolId', 'int1'],
  ['priorityFlag', 'int1'],
  ['scheduleDeliveryTime', 'cstring'],
  ['validityPeriod', 'cstring'],
  ['registeredDelivery', 'int1'],
  ['replaceIfPresentFlag', 'int1'],
  ['dataCoding', 'int1'],
  ['smDefaultMsgId', 'int1'],
  ['shortMessage', 'shortMessage'],
] as const;
const shortMessagePdu = [['serviceType', 'cstring'], ...sourceAddress, ...destAddress, ...messageTail] as const;

export const commandFields = {
  generic_nack: [],
  bind_receiver: bind,
  bind_receiver_resp: bindResp,
  bind_transmitter: bind,
  bind_transmitter_resp: bindResp,
  query_sm: [['messageId', 'cstring'], ...sourceAddress],
  query_sm_resp: [
    ['messageId', 'cstring'],
    ['finalDate', 'cstring'],
    ['messageState', 'int1'],
    ['errorCode', 'int1'],
  ],
  submit_sm: shortMessagePdu,
  submit_sm_resp: messageIdOnly,
  deliver_sm: shortMessagePdu,
  deliver_sm_resp: messageIdOnly,
  unbind: [],
  unbind_resp: [],
  replace_sm: [
    ['messageId', 'cstring'],
    ...sourceAddress,
    ['scheduleDeliveryTime', 'cstring'],
    ['validityPeriod', 'cstring'],
    ['registeredDelivery', 'int1'],
    ['smDefaultMsgId', 'int1'],
    ['shortMessage', 'shortMessage'],
  ],
  replace_sm_resp: [],
  cancel_sm: [['serviceType', 'cstring'], ['messageId', 'cstring'], ...sourceAddress, ...destAddress],
  cancel_sm_resp: [],
  bind_transceiver: bind,
  bind_transceiver_resp: bindResp,
  outbind: [
    ['systemId', 'cstring'],
    ['password', 'cstring'],
  ],
  enquire_link: [],
  enquire_link_resp: [],
  submit_multi: [['serviceType', 'cstring'], ...sourceAddress, ['destAddresses', 'destAddresses'], ...messageTail],
  submit_multi_resp: [
    ['messageId', 'cstring'],
    ['unsuccessSmes', 'unsuccessSmes'],
  ],
  alert_notification: [
    ...sourceAddress,
    ['esmeAddrTon', 'int1'],
    ['esmeAddrNpi', 'int1'],
    ['esmeAddr', 'cstring'],
  ],
  data_sm: [
    ['serviceType', 'cstring'],
    ...sourceAddress,
    ...destAddress,
    ['esmClass', 'int1'],
    ['registeredDelivery', 'int1'],
    ['dataCoding', 'int1'],
  ],
  data_sm_resp: messageIdOnly,
} as const satisfies Record<CommandName, FieldList>;
