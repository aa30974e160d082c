import { CommandStatus } from '../../daemon/smpp/command-status.js';
import type { Pdu, PduOf } from '../../daemon/smpp/pdu.js';
import { tlv } from '../../daemon/smpp/tlv.js';

function submitSm(sequenceNumber: number, overrides: Partial<PduOf<'submit_sm'>>): PduOf<'submit_sm'> {
  return {
    command: 'submit_sm', commandStatus: 0, sequenceNumber, tlvs: [],
    serviceType: '', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'MyBank', destAddrTon: 1, destAddrNpi: 1,
    destinationAddr: '358401234567', esmClass: 0, protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '',
    validityPeriod: '', registeredDelivery: 1, replaceIfPresentFlag: 0, dataCoding: 0, smDefaultMsgId: 0,
    shortMessage: Buffer.from('Your code is 1234'), ...overrides,
  };
}

const ucs2 = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();

function bind(command: 'bind_transceiver' | 'bind_transmitter' | 'bind_receiver', sequenceNumber: number, systemId: string): Pdu {
  return { command, commandStatus: 0, sequenceNumber, tlvs: [], systemId, password: 'secret1', systemType: '', interfaceVersion: 0x34, addrTon: 0, addrNpi: 0, addressRange: '' };
}

/** PDUs smsproc sends, in both roles (ESME towards operators, SMSC towards clients), several of each kind. */
export function samplePdus(): Pdu[] {
  return [
    bind('bind_transceiver', 1, 'smsproc'),
    bind('bind_transceiver', 2, 'route-7'),
    bind('bind_transmitter', 3, 'smsproc-tx'),
    bind('bind_receiver', 4, 'smsproc-rx'),
    submitSm(10, {}),
    submitSm(11, { sourceAddrTon: 1, sourceAddrNpi: 1, sourceAddr: '4670000000', shortMessage: Buffer.from([0x48, 0x65, 0x00, 0x02, 0x1b, 0x65]) }),
    submitSm(12, { dataCoding: 8, shortMessage: ucs2('Привет, мир') }),
    submitSm(13, { dataCoding: 8, esmClass: 0x40, shortMessage: Buffer.concat([Buffer.from('050003a70201', 'hex'), ucs2('Часть один')]) }),
    submitSm(14, { esmClass: 0x40, shortMessage: Buffer.concat([Buffer.from('06080412340202', 'hex'), Buffer.from('second part')]) }),
    submitSm(15, { tlvs: [tlv('sar_msg_ref_num', 0x1234), tlv('sar_total_segments', 3), tlv('sar_segment_seqnum', 1)], shortMessage: Buffer.from('part one of three') }),
    submitSm(16, { shortMessage: Buffer.alloc(0), tlvs: [tlv('message_payload', Buffer.from('a long text carried in message_payload'))] }),
    submitSm(17, { validityPeriod: '000001000000000R', registeredDelivery: 0x11 }),
    { command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: 20, tlvs: [], messageId: '0192b1c2-7d3e-7abc-8def-0123456789ab' },
    { command: 'submit_sm_resp', commandStatus: CommandStatus.ESME_RTHROTTLED, sequenceNumber: 21, tlvs: [], messageId: '', bodyOmitted: true },
    { command: 'deliver_sm_resp', commandStatus: 0, sequenceNumber: 30, tlvs: [], messageId: '' },
    { command: 'deliver_sm_resp', commandStatus: 0, sequenceNumber: 0x7fffffff, tlvs: [], messageId: '' },
    { command: 'deliver_sm_resp', commandStatus: CommandStatus.ESME_RSYSERR, sequenceNumber: 31, tlvs: [], messageId: '' },
    {
      command: 'deliver_sm', commandStatus: 0, sequenceNumber: 40, serviceType: '', sourceAddrTon: 1, sourceAddrNpi: 1, sourceAddr: '358401234567',
      destAddrTon: 5, destAddrNpi: 0, destinationAddr: 'MyBank', esmClass: 0x04, protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '',
      validityPeriod: '', registeredDelivery: 0, replaceIfPresentFlag: 0, dataCoding: 0, smDefaultMsgId: 0,
      shortMessage: Buffer.from('id:0192b1c2 sub:001 dlvrd:001 submit date:2611260203 done date:2611260204 stat:DELIVRD err:000 text:Your code'),
      tlvs: [tlv('receipted_message_id', '0192b1c2'), tlv('message_state', 2)],
    },
    { command: 'enquire_link', commandStatus: 0, sequenceNumber: 50, tlvs: [] },
    { command: 'enquire_link', commandStatus: 0, sequenceNumber: 51, tlvs: [] },
    { command: 'enquire_link_resp', commandStatus: 0, sequenceNumber: 52, tlvs: [] },
    { command: 'unbind', commandStatus: 0, sequenceNumber: 60, tlvs: [] },
    { command: 'unbind', commandStatus: 0, sequenceNumber: 61, tlvs: [] },
    { command: 'unbind_resp', commandStatus: 0, sequenceNumber: 62, tlvs: [] },
    { command: 'generic_nack', commandStatus: CommandStatus.ESME_RINVCMDID, sequenceNumber: 70, tlvs: [] },
    { command: 'bind_transceiver_resp', commandStatus: 0, sequenceNumber: 1, tlvs: [tlv('sc_interface_version', 0x34)], systemId: 'smsproc' },
  ];
}
