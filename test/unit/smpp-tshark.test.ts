import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodePdu } from '../../daemon/smpp/codec.js';
import { commandIds } from '../../daemon/smpp/commands.js';
import type { Pdu } from '../../daemon/smpp/pdu.js';
import { tlvValue } from '../../daemon/smpp/tlv.js';
import { samplePdus } from './smpp-samples.js';

/** text2pcap's input: an od-style dump, 16 octets a line, each line headed by its offset; offset 0 starts a packet. */
function hexDump(packets: readonly Buffer[]): string {
  const lines: string[] = [];
  for (const bytes of packets) {
    for (let offset = 0; offset < bytes.length; offset += 16) {
      const octets = [...bytes.subarray(offset, offset + 16)].map((b) => b.toString(16).padStart(2, '0'));
      lines.push(`${offset.toString(16).padStart(6, '0')} ${octets.join(' ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const fields = [
  'frame.number', 'smpp.command_id', 'smpp.command_status', 'smpp.sequence_number', 'smpp.system_id', 'smpp.password',
  'smpp.source_addr', 'smpp.destination_addr', 'smpp.message_id', 'smpp.receipted_message_id', 'smpp.message_state',
  'smpp.sm_length', 'smpp.data_coding', 'smpp.sar_msg_ref_num', 'smpp.sar_total_segments', 'smpp.sar_segment_seqnum',
  'smpp.interface_version', 'smpp.SC_interface_version', '_ws.malformed', '_ws.expert.severity',
] as const;
type Field = (typeof fields)[number];

/** Writes the PDUs to a pcap, one TCP segment each from port 40000 to 2775, and reads them back with tshark's SMPP dissector. */
function dissect(pdus: readonly Pdu[]): Record<Field, string>[] {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-tshark-'));
  try {
    writeFileSync(join(dir, 'in.txt'), hexDump(pdus.map(encodePdu)));
    execFileSync('text2pcap', ['-q', '-T', '40000,2775', join(dir, 'in.txt'), join(dir, 'out.pcap')], { stdio: 'pipe', timeout: 30_000 });
    const out = execFileSync(
      'tshark',
      ['-r', join(dir, 'out.pcap'), '-o', 'tcp.desegment_tcp_streams:FALSE', '-d', 'tcp.port==2775,smpp', '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    return out.trimEnd().split('\n').map((line) => {
      const cells = line.split('\t');
      return Object.fromEntries(fields.map((f, i) => [f, cells[i] ?? ''])) as Record<Field, string>;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    const expectTlv = (field: Field, value: string | number | undefined): void => {
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
