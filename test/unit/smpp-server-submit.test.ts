import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import { SmsprocError } from '../../daemon/domain/errors.js';
import type { PduOf } from '../../daemon/smpp/pdu.js';
import { receiptFromPdu } from '../../daemon/smpp/receipt-parser.js';
import { tlv, tlvValue } from '../../daemon/smpp/tlv.js';
import type { CallbackEvent } from '../../daemon/storage/port.js';
import { encodeGsm7 } from '../../daemon/text/gsm7.js';
import { encodeUcs2 } from '../../daemon/text/ucs2.js';
import { readClientSubmit } from '../../daemon/smpp-server/client-submit.js';
import { moPdu, receiptPdu } from '../../daemon/smpp-server/event-pdus.js';
import { PartAssembly } from '../../daemon/smpp-server/part-assembly.js';
import { parseSmppTime } from '../../daemon/smpp-server/smpp-time.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

function submit(fields: Partial<PduOf<'submit_sm'>> = {}): PduOf<'submit_sm'> {
  return {
    command: 'submit_sm', commandStatus: 0, sequenceNumber: 1, tlvs: [], serviceType: '', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'ACME',
    destAddrTon: 1, destAddrNpi: 1, destinationAddr: '79161234567', esmClass: 0, protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '',
    validityPeriod: '', registeredDelivery: 0, replaceIfPresentFlag: 0, dataCoding: 0, smDefaultMsgId: 0, shortMessage: Buffer.from('hi'),
    ...fields,
  };
}

function textOf(pdu: PduOf<'submit_sm'>): string | undefined {
  const read = readClientSubmit(pdu, NOW);
  assert.equal(read.kind, 'message');
  return read.params.text;
}

test('text is decoded by data_coding: GSM 7-bit unpacked, IA5, Latin-1, UCS-2 (kept UCS-2), message_payload', () => {
  assert.equal(textOf(submit({ dataCoding: 0, shortMessage: encodeGsm7('€ {x} @ü') })), '€ {x} @ü');
  assert.equal(textOf(submit({ dataCoding: 1, shortMessage: Buffer.from('plain', 'latin1') })), 'plain');
  assert.equal(textOf(submit({ dataCoding: 3, shortMessage: Buffer.from('café', 'latin1') })), 'café');
  const ucs2 = readClientSubmit(submit({ dataCoding: 8, shortMessage: encodeUcs2('Привет 😀') }), NOW);
  assert.ok(ucs2.kind === 'message');
  assert.equal(ucs2.params.text, 'Привет 😀');
  assert.equal(ucs2.params.coding, 'ucs2');
  assert.equal(textOf(submit({ shortMessage: Buffer.alloc(0), tlvs: [tlv('message_payload', encodeGsm7('x'.repeat(300)))] })), 'x'.repeat(300));
});

test('sender, recipient, receipts, priority, schedule and validity become API parameters', () => {
  const read = readClientSubmit(submit({ registeredDelivery: 1, priorityFlag: 3, scheduleDeliveryTime: '000000010000000R', validityPeriod: '000000020000000R' }), NOW);
  assert.ok(read.kind === 'message');
  assert.equal(read.params.from, 'ACME');
  assert.deepEqual(read.params.to, ['79161234567']);
  assert.equal(read.params.dlr, true);
  assert.equal(read.params.priority, 'high');
  assert.equal(read.params.schedule, new Date(NOW + 3_600_000).toISOString());
  assert.equal(read.params.validity, '60', 'validity counts from the schedule');
  const plain = readClientSubmit(submit({ registeredDelivery: 0x10 }), NOW);
  assert.ok(plain.kind === 'message');
  assert.equal(plain.params.dlr, false, 'only bits 1-0 ask for a receipt');
  assert.equal(plain.params.validity, undefined);
});

test('binary data_coding, receipt esm_class and text in both fields are refused with registry errors', () => {
  const refusal = (pdu: PduOf<'submit_sm'>): string => {
    try {
      readClientSubmit(pdu, NOW);
    } catch (error) {
      assert.ok(error instanceof SmsprocError);
      return `${error.definition.name} 0x${(error.definition.smppStatus ?? 0).toString(16)}`;
    }
    return 'accepted';
  };
  assert.equal(refusal(submit({ dataCoding: 4 })), 'CODING_INVALID 0x45');
  assert.equal(refusal(submit({ esmClass: 0x04 })), 'PARAMETER_INVALID 0x45');
  assert.equal(refusal(submit({ tlvs: [tlv('message_payload', Buffer.from('x'))] })), 'PARAMETER_INVALID 0x45');
  assert.equal(refusal(submit({ esmClass: 0x40, shortMessage: Buffer.from([0x09, 0x00]) })), 'PARAMETER_INVALID 0x45');
});

test('UDH and SAR parts come back as parts keyed by source, destination, reference, total and coding', () => {
  const udh = readClientSubmit(submit({ esmClass: 0x40, shortMessage: Buffer.concat([Buffer.from([5, 0, 3, 0x2a, 3, 2]), encodeGsm7('mid')]) }), NOW);
  assert.ok(udh.kind === 'part');
  assert.deepEqual([udh.key, udh.total, udh.seq, Buffer.from(udh.payload).toString('latin1')], ['ACME|79161234567|42|3|0', 3, 2, 'mid']);
  const sar = readClientSubmit(submit({ tlvs: [tlv('sar_msg_ref_num', 7), tlv('sar_total_segments', 2), tlv('sar_segment_seqnum', 1)] }), NOW);
  assert.ok(sar.kind === 'part');
  assert.deepEqual([sar.key, sar.total, sar.seq], ['ACME|79161234567|7|2|0', 2, 1]);
});

test('SMPP times: absolute with its quarter-hour offset, relative, absent and invalid', () => {
  assert.deepEqual(parseSmppTime('261126150000000+', NOW), { kind: 'at', atMs: Date.UTC(2026, 10, 26, 15, 0, 0) });
  assert.deepEqual(parseSmppTime('261126150000012+', NOW), { kind: 'at', atMs: Date.UTC(2026, 10, 26, 12, 0, 0) });
  assert.deepEqual(parseSmppTime('261126150000004-', NOW), { kind: 'at', atMs: Date.UTC(2026, 10, 26, 16, 0, 0) });
  assert.deepEqual(parseSmppTime('000001000030000R', NOW), { kind: 'at', atMs: NOW + 86_400_000 + 30_000 });
  assert.deepEqual(parseSmppTime('', NOW), { kind: 'absent' });
  assert.deepEqual(parseSmppTime('261131150000000+', NOW), { kind: 'invalid' });
  assert.deepEqual(parseSmppTime('tomorrow', NOW), { kind: 'invalid' });
});

test('part assembly: held until complete, in part order whatever the arrival order; duplicates and timeouts', () => {
  const parts = new PartAssembly<string>(1000);
  assert.deepEqual(parts.add('k', 3, 3, Buffer.from('c'), 't3', 0), { kind: 'held' });
  assert.deepEqual(parts.add('k', 3, 1, Buffer.from('a'), 't1', 10), { kind: 'held' });
  assert.deepEqual(parts.add('k', 3, 1, Buffer.from('a'), 'again', 20), { kind: 'duplicate' });
  const done = parts.add('k', 3, 2, Buffer.from('b'), 't2', 30);
  assert.ok(done.kind === 'complete');
  assert.equal(done.payload.toString(), 'abc');
  assert.deepEqual(done.tags, ['t1', 't2', 't3']);
  assert.equal(parts.heldSets, 0);
  parts.add('old', 2, 1, Buffer.from('x'), 'stale', 100);
  assert.equal(parts.nextDeadline(), 1100);
  assert.deepEqual(parts.expire(1099), []);
  assert.deepEqual(parts.expire(1100), ['stale']);
});

function event(kind: 'dlr' | 'mo', payload: CallbackEvent['payload']): CallbackEvent {
  return { id: 'e1', clientId: 'acme' as ClientId, kind, url: 'smpp:', kannel: false, payload, attempts: 0, createdAt: new Date(NOW) };
}

test('a receipt deliver_sm has the Appendix B text and TLVs, and our receipt parser reads it back', () => {
  const pdu = receiptPdu(event('dlr', {
    messageId: '0195f0c2-aaaa-7bbb-8ccc-0123456789ab', status: 'undeliverable', errorCode: '11', recipient: '79161234567', sender: 'ACME',
    segments: 2, submittedAt: '2026-11-26T12:01:00.000Z', doneAt: '2026-11-26T12:03:45.000Z',
  }));
  assert.equal(pdu.shortMessage.toString('latin1'), 'id:0195f0c2-aaaa-7bbb-8ccc-0123456789ab sub:002 dlvrd:000 submit date:2611261201 done date:2611261203 stat:UNDELIV err:011 text:');
  assert.equal(pdu.esmClass, 0x04);
  assert.equal(tlvValue(pdu.tlvs, 'receipted_message_id'), '0195f0c2-aaaa-7bbb-8ccc-0123456789ab');
  assert.equal(tlvValue(pdu.tlvs, 'message_state'), 5);
  const parsed = receiptFromPdu(pdu);
  assert.ok(parsed.ok);
  assert.equal(parsed.receipt.status, 'undeliverable');
  assert.equal(parsed.receipt.id, '0195f0c2-aaaa-7bbb-8ccc-0123456789ab');
});

test('an MO deliver_sm is GSM 7-bit when it fits, else UCS-2; a long one goes in message_payload', () => {
  const gsm = moPdu(event('mo', { from: '79005550001', shortCode: '5555', text: 'VOTE 1' }));
  assert.deepEqual([gsm.sourceAddr, gsm.destinationAddr, gsm.dataCoding, gsm.shortMessage.toString('latin1')], ['79005550001', '5555', 0, 'VOTE 1']);
  const ucs2 = moPdu(event('mo', { from: '79005550001', shortCode: '5555', text: 'голос' }));
  assert.equal(ucs2.dataCoding, 8);
  assert.deepEqual(ucs2.shortMessage, encodeUcs2('голос'));
  const long = moPdu(event('mo', { from: '79005550001', shortCode: '5555', text: 'я'.repeat(200) }));
  assert.equal(long.shortMessage.length, 0);
  assert.deepEqual(tlvValue(long.tlvs, 'message_payload'), encodeUcs2('я'.repeat(200)));
});
