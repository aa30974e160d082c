import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { decodePdu } from '../../daemon/smpp/codec.js';
import type { PduOf } from '../../daemon/smpp/pdu.js';
import { parseReceiptDate, parseReceiptText, receiptFromPdu, receiptIdCandidates, statusOfStat } from '../../daemon/smpp/receipt-parser.js';
import { tlv } from '../../daemon/smpp/tlv.js';
import { MessageStatus } from '../../daemon/domain/status.js';
import { readTsv, unescapeOctets } from '../testdata.js';
import { pduRows } from './smpp-pdu-rows.js';

const two = (n: number): string => String(n).padStart(2, '0');

/** The raw date written back in the form it came in, from the parsed UTC instant (offset 0). */
function reformat(date: Date, raw: string): string {
  const y = date.getUTCFullYear();
  const body = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}`;
  const ss = two(date.getUTCSeconds());
  if (raw.length === 10) return `${two(y % 100)}${body}`;
  if (raw.length === 14) return `${y}${body}${ss}`;
  const short = `${two(y % 100)}${body}${ss}`;
  return short === raw ? short : `${y}${body}`;
}

for (const row of readTsv('smpp-receipts.tsv')) {
  const f = row.fields;
  test(`smpp-receipts.tsv line ${row.line}: ${(f.raw_text ?? '').slice(0, 60)}`, () => {
    const result = parseReceiptText(unescapeOctets(f.raw_text ?? ''));
    if (f.expected_id === '' && f.expected_stat === '') {
      assert.ok(!result.ok);
      assert.equal(result.error.kind, 'noReceiptFields');
      return;
    }
    assert.ok(result.ok);
    const r = result.receipt;
    assert.equal(r.id, f.expected_id);
    assert.equal(r.stat ?? '', f.expected_stat);
    assert.equal(r.err ?? '', f.expected_err);
    assert.equal(r.submitDateRaw ?? '', f.expected_submit_date);
    assert.equal(r.doneDateRaw ?? '', f.expected_done_date);
    assert.notEqual(r.status, null, `stat ${r.stat} maps to a status`);
    for (const [raw, date] of [[r.submitDateRaw, r.submitDate], [r.doneDateRaw, r.doneDate]] as const) {
      if (raw === null) continue;
      if (/^0+$/.test(raw)) {
        assert.equal(date, null, 'an all-zero date is no date');
      } else if (/^\d+$/.test(raw)) {
        assert.ok(date !== null, `date ${raw} parses`);
        assert.equal(reformat(date, raw), raw);
      } else {
        assert.ok(date !== null, `SMPP absolute time ${raw} parses`);
      }
    }
  });
}

test('dates: the documented forms, all read as UTC unless told the SMSC offset', () => {
  assert.equal(parseReceiptDate('1002101730')?.toISOString(), '2010-02-10T17:30:00.000Z');
  assert.equal(parseReceiptDate('110206193041')?.toISOString(), '2011-02-06T19:30:41.000Z');
  assert.equal(parseReceiptDate('201506201641')?.toISOString(), '2015-06-20T16:41:00.000Z', 'YYYYMMDDhhmm when YYMMDDhhmmss is no date');
  assert.equal(parseReceiptDate('20110314181534')?.toISOString(), '2011-03-14T18:15:34.000Z');
  assert.equal(parseReceiptDate('180711070003912+')?.toISOString(), '2018-07-11T04:00:03.900Z', 'SMPP absolute time at UTC+3');
  assert.equal(parseReceiptDate('180711070003912-')?.toISOString(), '2018-07-11T10:00:03.900Z');
  assert.equal(parseReceiptDate('1002101730', 120)?.toISOString(), '2010-02-10T15:30:00.000Z', 'SMSC at UTC+2');
  assert.equal(parseReceiptDate('0000000000'), null);
  assert.equal(parseReceiptDate('1013101730'), null, 'month 13');
  assert.equal(parseReceiptDate('1002301730'), null, '30 February');
  assert.equal(parseReceiptDate('yesterday'), null);
});

test('stat values map to our statuses, case-insensitively; unknown ones to null', () => {
  const expected: Record<string, MessageStatus> = {
    DELIVRD: 'delivered', UNDELIV: 'undeliverable', EXPIRED: 'expired', REJECTD: 'rejected', DELETED: 'cancelled',
    ACCEPTD: 'submitted', ENROUTE: 'submitted', UNKNOWN: 'in_doubt', FAILED: 'failed', delivrd: 'delivered',
  };
  for (const [stat, status] of Object.entries(expected)) assert.equal(statusOfStat(stat), status, stat);
  assert.equal(statusOfStat('WHATEVER'), null);
});

test('receipt text: text: is byte-exact, vendor fields are extras, a text key inside text does not win', () => {
  const raw = Buffer.concat([Buffer.from('id:7 stat:DELIVRD err:000 IMSI:219101100935850 MCCMNC:21910 text:'), Buffer.from([0x04, 0x1f, 0x20, 0x1b])]);
  const result = parseReceiptText(raw);
  assert.ok(result.ok);
  assert.deepEqual(result.receipt.text, Buffer.from([0x04, 0x1f, 0x20, 0x1b]));
  assert.deepEqual(result.receipt.extras, { IMSI: '219101100935850', MCCMNC: '21910' });
  const shuffled = parseReceiptText(Buffer.from('sub:001 id:abc err:000 text: stat:DELIVRD'));
  assert.ok(shuffled.ok);
  assert.deepEqual(shuffled.receipt.text, Buffer.alloc(0));
  assert.equal(shuffled.receipt.stat, 'DELIVRD');
});

function deliverRows(): PduOf<'deliver_sm'>[] {
  return pduRows().flatMap((r) => {
    const result = decodePdu(r.bytes);
    return result.ok && result.pdu.command === 'deliver_sm' ? [result.pdu] : [];
  });
}

test('from a deliver_sm: receipted_message_id and message_state win, the text fills the rest', () => {
  const cloudhopper = deliverRows().find((p) => p.sequenceNumber === 2 && p.esmClass === 4)!;
  const result = receiptFromPdu(cloudhopper);
  assert.ok(result.ok);
  assert.equal(result.receipt.id, '38601fa');
  assert.equal(result.receipt.textId, '0059113978');
  assert.equal(result.receipt.status, 'delivered');
  assert.equal(result.receipt.doneDate?.toISOString(), '2010-02-10T17:31:00.000Z');
  const fromTlv = new Set(receiptIdCandidates('38601fa', 'hex'));
  assert.ok(receiptIdCandidates('0059113978', 'decimal').some((c) => fromTlv.has(c)), 'decimal text and hex TLV meet');
});

test('every receipt deliver_sm in smpp-pdus.tsv yields an id and a status; MO deliver_sm is not a receipt', () => {
  let receipts = 0;
  for (const pdu of deliverRows()) {
    const result = receiptFromPdu(pdu);
    if ((pdu.esmClass & 0x3c) !== 0x04) {
      assert.ok(!result.ok);
      assert.equal(result.error.kind, 'notAReceipt');
      continue;
    }
    receipts += 1;
    assert.ok(result.ok);
    assert.ok(result.receipt.id !== null && result.receipt.id !== '');
    assert.ok(result.receipt.status !== null);
  }
  assert.ok(receipts >= 10, `${receipts} receipts`);
});

test('network_error_code is read: Bangladesh GP REJECTD err:125 carries GSM error 0x007D', () => {
  const gp = deliverRows().find((p) => p.sequenceNumber === 29)!;
  const result = receiptFromPdu(gp);
  assert.ok(result.ok);
  assert.equal(result.receipt.status, 'rejected');
  assert.deepEqual(result.receipt.networkError, { networkType: 8, code: 125 });
  assert.equal(result.receipt.err, '125');
});

test('the receipt in message_payload is read; the Sicap form with no key is read from its TLVs alone', () => {
  const payloadRow = deliverRows().find((p) => p.shortMessage.length === 0 && p.esmClass === 4)!;
  const fromPayload = receiptFromPdu(payloadRow);
  assert.ok(fromPayload.ok);
  assert.equal(fromPayload.receipt.textId, '0489708364');
  assert.equal(fromPayload.receipt.id, '1d305b4c');
  const sicap: PduOf<'deliver_sm'> = {
    ...payloadRow,
    shortMessage: Buffer.from('362d9701 2'),
    tlvs: [tlv('receipted_message_id', '362d9701'), tlv('message_state', 2)],
  };
  const result = receiptFromPdu(sicap);
  assert.ok(result.ok);
  assert.equal(result.receipt.id, '362d9701');
  assert.equal(result.receipt.status, 'delivered');
  assert.equal(result.receipt.stat, null);
  const bare = receiptFromPdu({ ...sicap, tlvs: [] });
  assert.ok(!bare.ok);
  assert.equal(bare.error.kind, 'noReceiptFields');
});

test('receiptIdCandidates: decimal and hex forms, 20-digit decimals exact with BigInt', () => {
  assert.deepEqual(new Set(receiptIdCandidates('0059113978', 'decimal')), new Set(['0059113978', '59113978', '38601fa', '38601FA']));
  const big = receiptIdCandidates('64567564356765435676', 'auto');
  assert.ok(big.includes(BigInt('64567564356765435676').toString(16)));
  assert.ok(receiptIdCandidates(BigInt('64567564356765435676').toString(16), 'hex').includes('64567564356765435676'));
  assert.ok(receiptIdCandidates('6E84FC04', 'auto').includes(String(0x6e84fc04)));
  assert.deepEqual(receiptIdCandidates('74e02ee1-4e2f', 'auto'), ['74e02ee1-4e2f', '74E02EE1-4E2F'], 'a UUID is matched as written, any case');
  assert.deepEqual(new Set(receiptIdCandidates('123', 'hex')), new Set(['123', '291']));
});
