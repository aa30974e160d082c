import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { PDU, Session } from 'smpp';
import { bindEsme, closeEsme, request, waitFor } from '../../ops/smsc-sim/esme-client.js';
import { startSmscSimulator, type SmscSimulator } from '../../ops/smsc-sim/simulator.js';

let simulator: SmscSimulator;
let session: Session;
const receipts: PDU[] = [];

before(async () => {
  simulator = await startSmscSimulator({ accounts: [{ systemId: 'mp', password: 'pw' }], receiptDelayMs: 0, captureMessages: 50 });
  ({ session } = await bindEsme(simulator.address().port, 'mp', 'pw', 'transceiver', (pdu) => receipts.push(pdu)));
});

after(async () => {
  await closeEsme(session);
  await simulator.close();
});

function ucs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

test('three parts with an 8-bit reference UDH: each acknowledged and receipted, one message counted', async () => {
  simulator.resetStats();
  receipts.length = 0;
  const texts = ['first part, ', 'second part, ', 'third part'];
  const responses = [];
  for (const [index, text] of texts.entries()) {
    responses.push(await request(session, 'submit_sm', {
      source_addr: 'SHOP', destination_addr: '79005550001', esm_class: 0x40, data_coding: 0, registered_delivery: 1,
      short_message: Buffer.concat([Buffer.from([0x05, 0x00, 0x03, 0x2a, 3, index + 1]), Buffer.from(text, 'latin1')]),
    }));
  }
  assert.deepEqual(responses.map((pdu) => pdu.command_status), [0, 0, 0]);
  assert.equal(new Set(responses.map((pdu) => pdu.message_id)).size, 3, 'one id per part');
  await waitFor('a receipt per part', () => receipts.length === 3);
  assert.deepEqual(receipts.map((pdu) => pdu.receipted_message_id).sort(), responses.map((pdu) => pdu.message_id).sort());
  const stats = simulator.stats();
  assert.equal(stats.submits.total, 3);
  assert.equal(stats.messages.total, 1);
  assert.equal(stats.messages.multipart, 1);
  assert.equal(stats.messages.incompleteNow, 0);
  assert.deepEqual(stats.received?.map((message) => [message.text, message.part?.kind, message.part?.sequence]),
    [['first part, ', 'udh8', 1], ['second part, ', 'udh8', 2], ['third part', 'udh8', 3]]);
});

test('UCS-2 parts with a 16-bit reference UDH, sent out of order, make one message; a part sent twice is a duplicate', async () => {
  simulator.resetStats();
  const parts = ['Привет, ', 'мир!'];
  const send = (sequence: number): Promise<PDU> => request(session, 'submit_sm', {
    source_addr: 'SHOP', destination_addr: '79005550002', esm_class: 0x40, data_coding: 8,
    short_message: Buffer.concat([Buffer.from([0x06, 0x08, 0x04, 0x12, 0x34, 2, sequence]), ucs2(parts[sequence - 1] ?? '')]),
  });
  await send(2);
  assert.equal(simulator.stats().messages.incompleteNow, 1, 'waiting for part 1');
  await send(1);
  await send(2);
  const stats = simulator.stats();
  assert.equal(stats.submits.total, 3);
  assert.equal(stats.messages.total, 1);
  assert.equal(stats.duplicates.submits, 1);
  assert.deepEqual(stats.received?.map((message) => message.part?.reference), [0x1234, 0x1234, 0x1234]);
  assert.equal(stats.received?.[1]?.text, 'Привет, ', 'UCS-2 decoded');
});

test('SAR TLVs are read as concatenation too', async () => {
  simulator.resetStats();
  for (const sequence of [1, 2]) {
    const response = await request(session, 'submit_sm', {
      source_addr: 'SHOP', destination_addr: '79005550003', short_message: `sar ${sequence}`,
      sar_msg_ref_num: 77, sar_total_segments: 2, sar_segment_seqnum: sequence,
    });
    assert.equal(response.command_status, 0);
  }
  const stats = simulator.stats();
  assert.equal(stats.submits.total, 2);
  assert.equal(stats.messages.total, 1);
  assert.equal(stats.messages.multipart, 1);
  assert.equal(stats.received?.[0]?.part?.kind, 'sar');
});

test('a whole multi-part message sent again counts as a duplicate message', async () => {
  simulator.resetStats();
  for (const reference of [1, 2]) {
    for (const sequence of [1, 2]) {
      await request(session, 'submit_sm', {
        destination_addr: '79005550004', esm_class: 0x40, data_coding: 0,
        short_message: Buffer.concat([Buffer.from([0x05, 0x00, 0x03, reference, 2, sequence]), Buffer.from(`half ${sequence} `, 'latin1')]),
      });
    }
  }
  const stats = simulator.stats();
  assert.equal(stats.messages.total, 2);
  assert.equal(stats.duplicates.messages, 1, 'resent with another reference, still the same message');
  assert.equal(stats.duplicates.submits, 2);
});
