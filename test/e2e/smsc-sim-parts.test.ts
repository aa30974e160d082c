import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseAccount, parseMix } from '../../ops/smsc-sim/command-line.js';
import { concatInfo } from '../../ops/smsc-sim/concat.js';
import { MessageIdGenerator, receiptTextId } from '../../ops/smsc-sim/message-id.js';
import { encodeMo } from '../../ops/smsc-sim/mo-encoding.js';
import { receiptDate, receiptText, statusPicker, wantsReceipt } from '../../ops/smsc-sim/receipt.js';

test('receipt text has the standard fields, dates as YYMMDDhhmm UTC, and an ASCII excerpt', () => {
  const submittedAtMs = Date.UTC(2026, 10, 26, 1, 2, 59);
  assert.equal(receiptDate(submittedAtMs), '2611260102');
  assert.equal(receiptText({ textId: '42', status: 'EXPIRED', submittedAtMs, doneAtMs: submittedAtMs + 60_000, text: 'Код 1234 для входа в банк' }),
    'id:42 sub:001 dlvrd:000 submit date:2611260102 done date:2611260103 stat:EXPIRED err:003 text:??? 1234 ??? ????? ?');
});

test('registered_delivery: 1 always, 2 on failure only, 3 on success only, 0 never', () => {
  assert.deepEqual([0, 1, 2, 3].map((bits) => wantsReceipt(bits, 'DELIVRD')), [false, true, false, true]);
  assert.deepEqual([0, 1, 2, 3].map((bits) => wantsReceipt(bits, 'UNDELIV')), [false, true, true, false]);
  assert.equal(wantsReceipt(0x11, 'DELIVRD'), true, 'intermediate-notification bits are ignored');
});

test('status picker follows weights; a mix without a positive weight is refused', () => {
  const draws = [0, 0.49, 0.5, 0.99];
  let next = 0;
  const pick = statusPicker({ DELIVRD: 1, REJECTD: 1 }, () => draws[next++] ?? 0);
  assert.deepEqual(draws.map(() => pick()), ['DELIVRD', 'DELIVRD', 'REJECTD', 'REJECTD']);
  assert.throws(() => statusPicker({ DELIVRD: 0 }, Math.random), /positive weight/);
});

test('message ids: hex of ten digits, decimal equivalents, unique and increasing', () => {
  const hex = new MessageIdGenerator('hex', 5);
  const first = hex.next();
  assert.match(first, /^[0-9a-f]{10}$/);
  assert.equal(Number.parseInt(hex.next(), 16), Number.parseInt(first, 16) + 1);
  assert.equal(receiptTextId('1000000005', 'hex', 'decimal'), String(2 ** 36 + 5));
  assert.equal(receiptTextId('1000000005', 'hex', 'same'), '1000000005');
  assert.equal(new MessageIdGenerator('decimal', 0).next(), String(2 ** 36));
});

test('concatenation info from 8-bit and 16-bit UDH and SAR; a single part is not concatenated', () => {
  assert.deepEqual(concatInfo([Buffer.from([0x00, 3, 9, 2, 1])], {}), { kind: 'udh8', reference: 9, total: 2, sequence: 1 });
  assert.deepEqual(concatInfo([Buffer.from([0x08, 4, 1, 2, 3, 3])], {}), { kind: 'udh16', reference: 258, total: 3, sequence: 3 });
  assert.deepEqual(concatInfo(undefined, { sar_msg_ref_num: 5, sar_total_segments: 2, sar_segment_seqnum: 2 }), { kind: 'sar', reference: 5, total: 2, sequence: 2 });
  assert.equal(concatInfo([Buffer.from([0x00, 3, 9, 1, 1])], {}), undefined);
  assert.equal(concatInfo([Buffer.from([0x00, 3, 9, 2, 3])], {}), undefined, 'sequence beyond total');
});

test('MO encoding never splits a GSM escape or a UTF-16 surrogate pair', () => {
  const gsm = encodeMo({ text: 'x'.repeat(152) + '€' + 'y'.repeat(20), reference: 1 });
  assert.equal(gsm.length, 2);
  assert.equal(gsm[0]?.shortMessage.length, 6 + 152, 'the escape moved to the second part');
  assert.equal(gsm[1]?.shortMessage[6], 0x1b);
  const emoji = encodeMo({ text: 'я'.repeat(66) + '😀' + 'я'.repeat(10), reference: 1 });
  assert.equal(emoji[0]?.shortMessage.length, 6 + 132, 'the surrogate pair stays whole');
  assert.equal(emoji[0]?.dataCoding, 8);
  assert.deepEqual(encodeMo({ text: 'ok', reference: 1 }).map((part) => part.esmClass), [0]);
});

test('command line: accounts with colons in the password, status mixes', () => {
  assert.deepEqual(parseAccount('smsproc:se:cret:2:100'), { systemId: 'smsproc', password: 'se:cret', maxBinds: 2, tps: 100 });
  assert.throws(() => parseAccount('smsproc:secret:2'), /systemId:password:maxBinds:tps/);
  assert.deepEqual(parseMix('DELIVRD=90,undeliv=10'), { DELIVRD: 90, UNDELIV: 10 });
  assert.throws(() => parseMix('DELIVERED=1'), /STATUS=weight/);
});
