import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { concatUdh16, concatUdh8, sarValues } from '../../daemon/text/concatenation.js';
import { chooseEncoding, findUnencodable } from '../../daemon/text/encoding.js';
import { encodeGsm7 } from '../../daemon/text/gsm7.js';
import { analyze, split } from '../../daemon/text/segmentation.js';
import { fillBitsAfterUdh, packSeptets, unpackSeptets } from '../../daemon/text/septet-packing.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

test('Russian text is UCS-2: "Привет, мир!" is 12 units in one segment', () => {
  assert.equal(chooseEncoding('Привет, мир!'), 'ucs2');
  assert.deepEqual(analyze('Привет, мир!', 'udh8'), { ok: true, encoding: 'ucs2', units: 12, segments: 1 });
  const { parts } = split('Привет, мир!', 'udh8', 'ucs2');
  assert.equal(hex(parts[0]!.octets), '041F04400438043204350442002C0020043C043804400021');
});

test('strict table: lowercase ç and the backtick are not GSM; forcing gsm7 names the first one', () => {
  assert.equal(chooseEncoding('Ç'), 'gsm7');
  assert.equal(chooseEncoding('ç'), 'ucs2');
  assert.deepEqual(analyze('Ça ç`', 'udh8', 'gsm7'), { ok: false, encoding: 'gsm7', character: 'ç', index: 3 });
  assert.deepEqual(findUnencodable('ok `x', 'gsm7'), { character: '`', index: 3 });
  assert.equal(findUnencodable('ok 😀', 'ucs2'), null);
});

test('an emoji offending a forced gsm7 is reported whole, not as half a surrogate pair', () => {
  assert.deepEqual(analyze('hi 😀', 'sar', 'gsm7'), { ok: false, encoding: 'gsm7', character: '😀', index: 3 });
});

test('the raw ESC control character is not accepted as text', () => {
  assert.equal(chooseEncoding('a\x1bb'), 'ucs2');
});

test('an empty text is one empty GSM segment', () => {
  assert.deepEqual(analyze('', 'udh8'), { ok: true, encoding: 'gsm7', units: 0, segments: 1 });
  assert.equal(split('', 'udh8', 'gsm7').parts[0]!.octets.length, 0);
});

test('forcing ucs2 on GSM text counts UTF-16 units', () => {
  assert.deepEqual(analyze('a'.repeat(71), 'udh8', 'ucs2'), { ok: true, encoding: 'ucs2', units: 71, segments: 2 });
});

test('per-method limits: 306 GSM septets are 2 parts with udh8, 3 with udh16, 2 with SAR; payload is one PDU', () => {
  const text = 'a'.repeat(306);
  assert.equal(split(text, 'udh8', 'gsm7').parts.length, 2);
  assert.deepEqual(split(text, 'udh16', 'gsm7').parts.map((part) => part.units), [152, 152, 2]);
  assert.deepEqual(split(text, 'sar', 'gsm7').parts.map((part) => part.units), [160, 146]);
  const payload = split(text, 'payload', 'gsm7');
  assert.equal(payload.segments, 2);
  assert.equal(payload.parts.length, 1);
  assert.equal(payload.parts[0]!.octets.length, 306);
  assert.equal(payload.parts[0]!.udh, null);
});

test('UCS-2 limits: 133 units are 2 parts with udh8 (67), 3 with udh16 (66) and 2 with SAR (70)', () => {
  const text = 'Ж'.repeat(133);
  const segments = (['udh8', 'udh16', 'sar', 'payload'] as const).map((method) => split(text, method, 'ucs2').segments);
  assert.deepEqual(segments, [2, 3, 2, 2]);
});

test('udh8 parts carry 05 00 03 rr nn ii before their septets', () => {
  const { parts } = split('x'.repeat(200), 'udh8', 'gsm7', { reference: 0xcc });
  assert.equal(hex(parts[0]!.udh!), '050003CC0201');
  assert.equal(hex(parts[1]!.octets.subarray(0, 6)), '050003CC0202');
  assert.equal(parts[0]!.octets.length, 6 + 153);
  assert.equal(parts[0]!.sar, null);
});

test('udh16 parts carry 06 08 04 rrrr nn ii; SAR parts carry the three TLV values and no UDH', () => {
  const udh16 = split('x'.repeat(200), 'udh16', 'gsm7', { reference: 0x1b2a });
  assert.equal(hex(udh16.parts[1]!.udh!), '0608041B2A0202');
  const sar = split('x'.repeat(200), 'sar', 'gsm7', { reference: 0x1b2a });
  assert.equal(sar.parts[0]!.udh, null);
  assert.deepEqual(sar.parts[1]!.sar, { sarMsgRefNum: 0x1b2a, sarTotalSegments: 2, sarSegmentSeqnum: 2 });
  assert.equal(sar.parts[1]!.octets.length, 40);
});

test('a single part carries neither UDH nor SAR', () => {
  for (const method of ['udh8', 'udh16', 'sar'] as const) {
    const [part] = split('x'.repeat(160), method, 'gsm7', { reference: 7 }).parts;
    assert.equal(part!.udh, null);
    assert.equal(part!.sar, null);
  }
});

test('UDH and SAR builders check their ranges', () => {
  assert.equal(hex(concatUdh8(255, 255, 255)), '050003FFFFFF');
  assert.equal(hex(concatUdh16(0xffff, 3, 1)), '060804FFFF0301');
  assert.throws(() => concatUdh8(256, 2, 1), RangeError);
  assert.throws(() => concatUdh16(0x10000, 2, 1), RangeError);
  assert.throws(() => sarValues(1, 256, 1), RangeError);
  assert.throws(() => sarValues(1, 2, 3), RangeError);
  assert.throws(() => concatUdh8(1, 2, 0), RangeError);
});

test('split refuses a text its encoding cannot carry and more than 255 parts', () => {
  assert.throws(() => split('Привет', 'udh8', 'gsm7'), /not in gsm7/);
  assert.throws(() => split('a'.repeat(153 * 255 + 1), 'udh8', 'gsm7'), /256 parts/);
  assert.equal(split('a'.repeat(153 * 255), 'udh8', 'gsm7').parts.length, 255);
  assert.equal(split('a'.repeat(153 * 256), 'payload', 'gsm7').parts.length, 1);
});

test('packed GSM after a UDH: 1 fill bit after 6 octets, none after 7, and 140 octets for a full part', () => {
  assert.equal(fillBitsAfterUdh(6), 1);
  assert.equal(fillBitsAfterUdh(7), 0);
  assert.equal(fillBitsAfterUdh(12), 2);
  const text = 'hello'.repeat(40);
  const [first] = split(text, 'udh8', 'gsm7', { reference: 0xcc, gsmPacking: 'packed' }).parts;
  assert.equal(first!.octets.length, 140);
  assert.equal(hex(first!.octets.subarray(0, 10)), '050003CC0201D06536FB', 'as in the gsm0338.tsv pack-udh row');
  assert.equal(unpackSeptets(first!.octets.subarray(6), 1, 153).toString('latin1'), first!.text);
  const udh16 = split(text, 'udh16', 'gsm7', { gsmPacking: 'packed' }).parts[0]!;
  assert.equal(udh16.octets.length, 7 + 133);
});

test('packing pads 7 spare bits with CR when asked (TS 23.038 6.1.2.3.1), zeros otherwise', () => {
  const septets = encodeGsm7('1234567');
  assert.equal(hex(packSeptets(septets)), '31D98C56B3DD00');
  assert.equal(hex(packSeptets(septets, 0, true)), '31D98C56B3DD1A');
  assert.equal(hex(packSeptets(encodeGsm7('123456'), 0, true)), '31D98C56B301');
  assert.equal(hex(split('1234567', 'udh8', 'gsm7', { gsmPacking: 'packed' }).parts[0]!.octets), '31D98C56B3DD1A');
});

test('unpacking without a count returns every whole septet present', () => {
  assert.equal(unpackSeptets(Buffer.from('E8329BFD4697D9EC37', 'hex')).toString('latin1'), 'hellohello');
  assert.equal(unpackSeptets(Buffer.from('31D98C56B3DD00', 'hex')).length, 8);
});
