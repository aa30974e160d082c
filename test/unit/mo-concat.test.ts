import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { concatFromSar, concatInfoOf, ESM_CLASS_UDHI, parseConcatUdh, type ConcatResult } from '../../daemon/dispatch/concat-info.js';

const bytes = (hex: string): Buffer => Buffer.from(hex.replace(/ /g, ''), 'hex');

function partOf(result: ConcatResult): { reference: number; total: number; seq: number; payload: string } {
  assert.equal(result.kind, 'part', result.kind === 'malformed' ? result.reason : 'a part');
  return { ...result.info, payload: Buffer.from(result.payload).toString('hex') };
}

test('8-bit reference IE', () => {
  assert.deepEqual(partOf(parseConcatUdh(bytes('050003 2F 0A 01 0054'))), { reference: 0x2f, total: 10, seq: 1, payload: '0054' });
});

test('16-bit reference IE', () => {
  assert.deepEqual(partOf(parseConcatUdh(bytes('060804 1B2A 02 02 7468'))), { reference: 0x1b2a, total: 2, seq: 2, payload: '7468' });
});

test('other IEs before and after the concatenation IE are skipped', () => {
  // 0x0A text formatting (4 octets), then 8-bit concat, then 0x24 national language (1 octet).
  assert.deepEqual(partOf(parseConcatUdh(bytes('0E 0A04 00050000 0003 7F 03 02 2401 1E 0000'))), { reference: 0x7f, total: 3, seq: 2, payload: '0000' });
});

test('a UDH without a concatenation IE is a single message, payload after the UDH', () => {
  const result = parseConcatUdh(bytes('03 2401 1E 4142'));
  assert.equal(result.kind, 'single');
  assert.equal(Buffer.from(result.payload).toString('hex'), '4142');
});

test('a repeated concatenation IE counts by its last occurrence (TS 23.040 9.2.3.24)', () => {
  assert.deepEqual(partOf(parseConcatUdh(bytes('0B 0003 01 02 01 0804 0102 03 03'))), { reference: 0x0102, total: 3, seq: 3, payload: '' });
});

const malformed: [string, string, RegExp][] = [
  ['empty short_message', '', /empty/],
  ['UDH length overruns the message', '08 0003 2F 02 01', /UDH length 8 overruns short_message of 6 octets/],
  ['IE header cut off by the UDH length', '06 0003 2F 02 01 00 41', /cut off/],
  ['IE length overruns the UDH', '05 0004 2F 02 01 41', /0x00 of length 4 overruns the UDH/],
  ['8-bit IE with the wrong length', '06 0004 2F 02 01 00', /length 4, expected 3/],
  ['16-bit IE with the wrong length', '05 0803 2F 02 01', /0x08 has length 3, expected 4/],
  ['total 0', '05 0003 2F 00 01', /total is 0/],
  ['seq 0', '05 0003 2F 02 00', /part number 0 is outside 1\.\.2/],
  ['seq beyond total', '05 0003 2F 02 03', /part number 3 is outside 1\.\.2/],
];
for (const [name, hex, reason] of malformed) {
  test(`malformed UDH: ${name}`, () => {
    const result = parseConcatUdh(bytes(hex));
    assert.equal(result.kind, 'malformed');
    assert.match(result.reason, reason);
  });
}

test('concatInfoOf reads the UDH only when esm_class has UDHI', () => {
  const message = bytes('050003 2F 02 01 4142');
  const plain = concatInfoOf(0x00, message);
  assert.equal(plain.kind, 'single');
  assert.equal(plain.payload.length, 8, 'without UDHI the whole message is text');
  assert.deepEqual(partOf(concatInfoOf(ESM_CLASS_UDHI | 0x04, message)), { reference: 0x2f, total: 2, seq: 1, payload: '4142' });
});

test('SAR TLVs give the concatenation when there is no UDH', () => {
  assert.deepEqual(partOf(concatInfoOf(0, bytes('4142'), { msgRefNum: 0xbeef, totalSegments: 3, segmentSeqnum: 3 })), {
    reference: 0xbeef,
    total: 3,
    seq: 3,
    payload: '4142',
  });
});

test('SAR TLVs with a UDH that has no concatenation IE: SAR numbering, payload after the UDH', () => {
  assert.deepEqual(partOf(concatInfoOf(ESM_CLASS_UDHI, bytes('03 2401 1E 4142'), { msgRefNum: 7, totalSegments: 2, segmentSeqnum: 1 })), {
    reference: 7,
    total: 2,
    seq: 1,
    payload: '4142',
  });
});

test('malformed SAR TLVs', () => {
  const cases: [Parameters<typeof concatFromSar>[0], RegExp][] = [
    [{ msgRefNum: 1, totalSegments: 2 }, /incomplete/],
    [{ msgRefNum: 0x10000, totalSegments: 2, segmentSeqnum: 1 }, /out of range/],
    [{ msgRefNum: 1, totalSegments: 256, segmentSeqnum: 1 }, /out of range/],
    [{ msgRefNum: 1, totalSegments: 0, segmentSeqnum: 0 }, /total is 0/],
    [{ msgRefNum: 1, totalSegments: 2, segmentSeqnum: 3 }, /part number 3/],
  ];
  for (const [sar, reason] of cases) {
    const result = concatFromSar(sar);
    assert.equal(result.kind, 'malformed');
    assert.match(result.reason, reason);
  }
  const viaDeliverSm = concatInfoOf(0, bytes('41'), { segmentSeqnum: 1 });
  assert.equal(viaDeliverSm.kind, 'malformed');
});
