import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import smpp from 'smpp';
import { decodePdu, encodePdu } from '../../daemon/smpp/codec.js';
import { commandFields } from '../../daemon/smpp/commands.js';
import type { Pdu } from '../../daemon/smpp/pdu.js';
import { tlvDefinitions, tlvNameByTag, tlvValue } from '../../daemon/smpp/tlv.js';
import { pduRows } from './smpp-pdu-rows.js';
import { samplePdus } from './smpp-samples.js';

/**
 * The `smpp` package (farhadi/node-smpp 0.5) as an independent decoder. Known differences, not
 * compared: it decodes short_message and message_payload into text by its own rules (we keep octets),
 * leaves the fields of a header-only response undefined (we give '' with bodyOmitted), and drops
 * unknown TLVs when it re-encodes (we keep them).
 */
/** The package turns SMPP times into Date objects (a relative time against its own clock); not compared. */
const timeFields = new Set(['scheduleDeliveryTime', 'validityPeriod', 'finalDate']);
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function compare(ours: Pdu, bytes: Buffer, where: string): void {
  const theirs = smpp.PDU.fromBuffer(bytes);
  assert.ok(theirs !== false, `${where}: the package decodes it`);
  assert.equal(theirs.command, ours.command, where);
  assert.equal(theirs.command_status, ours.commandStatus, where);
  assert.equal(theirs.sequence_number, ours.sequenceNumber, where);
  const fields = ours as unknown as Record<string, unknown>;
  for (const [name, kind] of commandFields[ours.command]) {
    const theirValue: unknown = theirs[name === 'destAddresses' ? 'dest_address' : name === 'unsuccessSmes' ? 'unsuccess_sme' : snake(name)];
    if (ours.bodyOmitted === true) {
      assert.equal(theirValue, undefined, `${where}: ${name} absent in a header-only response`);
      continue;
    }
    if (kind === 'int1' || (kind === 'cstring' && !timeFields.has(name))) assert.equal(theirValue, fields[name], `${where}: ${name}`);
    else if (kind === 'shortMessage' && fields.dataCoding === 8 && ((fields.esmClass as number) & 0x40) === 0) {
      const text = Buffer.from(fields[name] as Buffer).swap16().toString('utf16le');
      assert.equal((theirValue as { message?: unknown }).message, text, `${where}: UCS-2 short_message`);
    }
    else if (kind === 'destAddresses' && ours.command === 'submit_multi') {
      const mapped = ours.destAddresses.map((d) => (d.kind === 'sme' ? { dest_addr_ton: d.ton, dest_addr_npi: d.npi, destination_addr: d.address } : { dl_name: d.name }));
      assert.deepEqual(theirValue, mapped, `${where}: dest_address`);
    }
  }
  for (const t of ours.tlvs) {
    const name = tlvNameByTag.get(t.tag);
    if (name === undefined) {
      assert.deepEqual(theirs[String(t.tag)], t.value, `${where}: unknown TLV 0x${t.tag.toString(16)} raw`);
      continue;
    }
    const type = tlvDefinitions[name].type;
    if (type === 'octets' || !(name in smpp.tlvs)) continue;
    const theirName = name === 'destination_port' ? 'dest_port' : name;
    assert.equal(theirs[theirName], tlvValue(ours.tlvs, name), `${where}: TLV ${name}`);
  }
}

test('the smpp package decodes every well-formed smpp-pdus.tsv row to the same command, header, fields and TLVs', () => {
  let compared = 0;
  for (const r of pduRows().filter((x) => !x.malformed)) {
    const result = decodePdu(r.bytes);
    assert.ok(result.ok);
    compare(result.pdu, r.bytes, r.name);
    compared += 1;
  }
  assert.ok(compared >= 55, `${compared} rows compared`);
});

test('the smpp package decodes the PDUs we encode to the same fields', () => {
  for (const pdu of samplePdus()) compare(pdu, encodePdu(pdu), `${pdu.command} seq ${pdu.sequenceNumber}`);
});

test('PDUs the smpp package encodes decode with our codec to the same fields', () => {
  const submit = new smpp.PDU('submit_sm', {
    sequence_number: 5, source_addr_ton: 5, source_addr: 'MyBank', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '358401234567',
    registered_delivery: 1, short_message: Buffer.from('Hello'), sar_msg_ref_num: 77, sar_total_segments: 2, sar_segment_seqnum: 1,
  });
  const result = decodePdu(submit.toBuffer());
  assert.ok(result.ok && result.pdu.command === 'submit_sm');
  assert.equal(result.pdu.sourceAddr, 'MyBank');
  assert.equal(result.pdu.destinationAddr, '358401234567');
  assert.deepEqual(result.pdu.shortMessage, Buffer.from('Hello'));
  assert.equal(tlvValue(result.pdu.tlvs, 'sar_msg_ref_num'), 77);
  assert.equal(tlvValue(result.pdu.tlvs, 'sar_segment_seqnum'), 1);
  const receipt = new smpp.PDU('deliver_sm', { sequence_number: 6, esm_class: 4, short_message: Buffer.from('id:1 stat:DELIVRD'), receipted_message_id: 'abc', message_state: 2 });
  const decoded = decodePdu(receipt.toBuffer());
  assert.ok(decoded.ok && decoded.pdu.command === 'deliver_sm');
  assert.equal(tlvValue(decoded.pdu.tlvs, 'receipted_message_id'), 'abc');
  assert.equal(tlvValue(decoded.pdu.tlvs, 'message_state'), 2);
  assert.equal(encodePdu(decoded.pdu).toString('hex'), receipt.toBuffer().toString('hex'), 'and re-encodes to its bytes');
});
