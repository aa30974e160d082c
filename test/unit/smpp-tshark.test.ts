import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { encodePdu } from '../../daemon/smpp/codec.js';
import { commandIds } from '../../daemon/smpp/commands.js';
import type { Pdu } from '../../daemon/smpp/pdu.js';
import { tlvValue } from '../../daemon/smpp/tlv.js';
import { samplePdus } from './smpp-samples.js';
import { dissectSmppFrames, type TsharkField } from '../tshark-smpp.js';

/** Our encoded PDUs through tshark's SMPP dissector. */
function dissect(pdus: readonly Pdu[]): Record<TsharkField, string>[] {
  return dissectSmppFrames(pdus.map(encodePdu));
}

const num = (text: string): number => Number(text);

test('the PDUs we send (binds, submit_sm GSM/UCS2/UDH/SAR, deliver_sm_resp, enquire_link, unbind, …) are checked with tshark', () => {
  const pdus = samplePdus();
  const rows = dissect(pdus);
  assert.equal(rows.length, pdus.length, 'one frame per PDU');
  pdus.forEach((pdu, i) => {
    const row = rows[i]!;
    const where = `${pdu.command} seq ${pdu.sequenceNumber}`;
    assert.equal(row['_ws.malformed'], '', `${where}: tshark reports it malformed`);
    assert.equal(row['_ws.expert.severity'], '', `${where}: tshark raises an expert notice`);
    assert.equal(num(row['smpp.command_id']), commandIds[pdu.command], where);
    assert.equal(num(row['smpp.command_status']), pdu.commandStatus, where);
    assert.equal(num(row['smpp.sequence_number']), pdu.sequenceNumber, where);
    // tshark does not dissect the body of a response with a non-zero command_status.
    if (pdu.commandStatus !== 0) return;
    const f = pdu as unknown as Record<string, unknown>;
    if ('systemId' in pdu) assert.equal(row['smpp.system_id'], f.systemId, `${where}: system_id`);
    if ('password' in pdu) assert.equal(row['smpp.password'], f.password, `${where}: password`);
    if ('interfaceVersion' in pdu) assert.equal(num(row['smpp.interface_version']), f.interfaceVersion, `${where}: interface_version`);
    if ('sourceAddr' in pdu) assert.equal(row['smpp.source_addr'], f.sourceAddr, `${where}: source_addr`);
    if ('destinationAddr' in pdu) assert.equal(row['smpp.destination_addr'], f.destinationAddr, `${where}: destination_addr`);
    if ('messageId' in pdu && pdu.messageId !== '') assert.equal(row['smpp.message_id'], pdu.messageId, `${where}: message_id`);
    if ('shortMessage' in pdu) assert.equal(num(row['smpp.sm_length']), pdu.shortMessage.length, `${where}: sm_length`);
    if ('dataCoding' in pdu) assert.equal(num(row['smpp.data_coding']), pdu.dataCoding, `${where}: data_coding`);
    const expectTlv = (field: TsharkField, value: string | number | undefined): void => {
      if (value === undefined) assert.equal(row[field], '', `${where}: no ${field}`);
      else assert.equal(typeof value === 'number' ? num(row[field]) : row[field], value, `${where}: ${field}`);
    };
    expectTlv('smpp.receipted_message_id', tlvValue(pdu.tlvs, 'receipted_message_id'));
    expectTlv('smpp.message_state', tlvValue(pdu.tlvs, 'message_state'));
    expectTlv('smpp.sar_msg_ref_num', tlvValue(pdu.tlvs, 'sar_msg_ref_num'));
    expectTlv('smpp.sar_total_segments', tlvValue(pdu.tlvs, 'sar_total_segments'));
    expectTlv('smpp.sar_segment_seqnum', tlvValue(pdu.tlvs, 'sar_segment_seqnum'));
    expectTlv('smpp.SC_interface_version', tlvValue(pdu.tlvs, 'sc_interface_version'));
  });
});
