/**
 * SMPP codec throughput: PDUs per second for encode and decode of submit_sm and deliver_sm (a delivery
 * receipt with TLVs), and receipt parsing. Run: npx tsc -p . && node dist/ops/bench/smpp-codec.js
 * Output: one line per case, `case<TAB>pdus_per_s<TAB>ns_per_op`.
 */
import { decodePdu, encodePdu } from '../../daemon/smpp/codec.js';
import type { Pdu } from '../../daemon/smpp/pdu.js';
import { receiptFromPdu } from '../../daemon/smpp/receipt-parser.js';
import { tlv } from '../../daemon/smpp/tlv.js';

const submitSm: Pdu = {
  command: 'submit_sm', commandStatus: 0, sequenceNumber: 123456, tlvs: [tlv('sar_msg_ref_num', 0x1234), tlv('sar_total_segments', 2), tlv('sar_segment_seqnum', 1)],
  serviceType: '', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'MyBank', destAddrTon: 1, destAddrNpi: 1, destinationAddr: '358401234567',
  esmClass: 0, protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '', validityPeriod: '', registeredDelivery: 1,
  replaceIfPresentFlag: 0, dataCoding: 0, smDefaultMsgId: 0, shortMessage: Buffer.alloc(153, 0x41),
};
const deliverSm: Pdu = {
  command: 'deliver_sm', commandStatus: 0, sequenceNumber: 654321, serviceType: '', sourceAddrTon: 1, sourceAddrNpi: 1, sourceAddr: '358401234567',
  destAddrTon: 5, destAddrNpi: 0, destinationAddr: 'MyBank', esmClass: 0x04, protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '',
  validityPeriod: '', registeredDelivery: 0, replaceIfPresentFlag: 0, dataCoding: 0, smDefaultMsgId: 0,
  shortMessage: Buffer.from('id:0059113978 sub:001 dlvrd:001 submit date:2611260203 done date:2611260204 stat:DELIVRD err:000 text:Your code is 1234'),
  tlvs: [tlv('receipted_message_id', '38601fa'), tlv('message_state', 2)],
};

function measure(name: string, op: () => unknown, seconds = 1): void {
  for (let i = 0; i < 20_000; i++) op(); // warm-up
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(seconds * 1e9);
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < 1000; i++) op();
    ops += 1000;
  }
  const ns = Number(process.hrtime.bigint() - start);
  console.log(`${name}\t${Math.round((ops / ns) * 1e9)}\t${Math.round(ns / ops)}`);
}

const submitBytes = encodePdu(submitSm);
const deliverBytes = encodePdu(deliverSm);
const decodedDeliver = decodePdu(deliverBytes);
if (!decodedDeliver.ok || decodedDeliver.pdu.command !== 'deliver_sm') throw new Error('bench PDU does not decode');
const receiptPdu = decodedDeliver.pdu;

console.log('case\tpdus_per_s\tns_per_op');
measure('encode submit_sm', () => encodePdu(submitSm));
measure('decode submit_sm', () => decodePdu(submitBytes));
measure('encode deliver_sm', () => encodePdu(deliverSm));
measure('decode deliver_sm', () => decodePdu(deliverBytes));
measure('receipt from deliver_sm', () => receiptFromPdu(receiptPdu));
