import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseConcatUdh } from '../../daemon/dispatch/concat-info.js';
import { decodeGsm7 } from '../../daemon/text/gsm7.js';
import { alphabetOfDataCoding, decodeShortMessage } from '../../daemon/text/short-message-decoder.js';
import { readTsv, unescapeText } from '../testdata.js';

test('GSM: ESC before a code the extension table lacks decodes as the base character (TS 23.038)', () => {
  assert.equal(decodeGsm7(Buffer.from([0x1b, 0x41, 0x1b, 0x65])), 'A€');
  assert.equal(decodeGsm7(Buffer.from([0x1b, 0x09])), 'Ç');
});

test('GSM: ESC ESC and a trailing ESC decode as a space; an octet above 0x7F as U+FFFD', () => {
  assert.equal(decodeGsm7(Buffer.from([0x41, 0x1b, 0x1b, 0x42])), 'A B');
  assert.equal(decodeGsm7(Buffer.from([0x41, 0x1b])), 'A ');
  assert.equal(decodeGsm7(Buffer.from([0x41, 0x80, 0x1b, 0xc1])), 'A\ufffd\ufffd');
});

test('GSM: 0x00 is @, 0x09 is capital Ç, 0x24 is ¤ and 0x02 is $', () => {
  assert.equal(decodeGsm7(Buffer.from([0x00, 0x09, 0x24, 0x02])), '@Ç¤$');
});

test('data_coding → alphabet: SMPP values 0x00–0x0F and the TS 23.038 coding groups', () => {
  const expected: ReadonlyArray<readonly [number, string]> = [
    [0x00, 'gsm7'], [0x01, 'ascii'], [0x02, 'binary'], [0x03, 'latin1'], [0x04, 'binary'], [0x05, 'binary'],
    [0x06, 'cyrillic'], [0x07, 'hebrew'], [0x08, 'ucs2'], [0x09, 'binary'], [0x0e, 'binary'], [0x0f, 'binary'],
    [0x10, 'gsm7'], [0x11, 'gsm7'], [0x14, 'binary'], [0x15, 'binary'], [0x18, 'ucs2'], [0x1b, 'ucs2'], [0x1c, 'binary'],
    [0x20, 'binary'], [0x38, 'binary'], [0x40, 'gsm7'], [0x48, 'ucs2'], [0x60, 'binary'], [0x80, 'binary'], [0xbf, 'binary'],
    [0xc0, 'gsm7'], [0xd8, 'gsm7'], [0xe0, 'ucs2'], [0xef, 'ucs2'], [0xf0, 'gsm7'], [0xf3, 'gsm7'], [0xf4, 'binary'], [0xf7, 'binary'],
  ];
  for (const [dataCoding, alphabet] of expected) {
    assert.equal(alphabetOfDataCoding(dataCoding), alphabet, `data_coding 0x${dataCoding.toString(16)}`);
  }
});

test('decodeShortMessage: IA5, Latin-1, 8-bit, ISO-8859-5, UCS-2 and a UCS-2 group code', () => {
  assert.equal(decodeShortMessage(Buffer.from([0x48, 0x69, 0x40, 0xe9]), 0x01), 'Hi@\ufffd');
  assert.equal(decodeShortMessage(Buffer.from([0x48, 0x69, 0x40, 0xe9]), 0x03), 'Hi@é');
  assert.equal(decodeShortMessage(Buffer.from([0x00, 0x7f, 0xff]), 0x04), '\u0000\u007f\u00ff');
  assert.equal(decodeShortMessage(Buffer.from([0xbf, 0xe0, 0xd8, 0xd2, 0xd5, 0xe2, 0xf0]), 0x06), 'Привет№');
  const hello = Buffer.from('041F04400438043204350442002C0020043C043804400021', 'hex');
  assert.equal(decodeShortMessage(hello, 0x08), 'Привет, мир!');
  assert.equal(decodeShortMessage(hello, 0x18), 'Привет, мир!');
  assert.equal(decodeShortMessage(Buffer.from([0x04, 0x1f, 0x04]), 0x08), 'П\ufffd');
});

// Inbound samples: user data after the UDH (read by the MO path's parseConcatUdh), decoded by
// data_coding (shared/testdata/mo-samples.tsv).
for (const row of readTsv('mo-samples.tsv')) {
  const f = row.fields;
  if (f.short_message_hex === '') continue;
  test(`mo-samples.tsv:${row.line} data_coding ${f.data_coding} decodes to ${JSON.stringify(f.decoded_text)}`, () => {
    const octets = Buffer.from(f.short_message_hex ?? '', 'hex');
    let userData: Uint8Array = octets;
    if (f.udh_hex !== '') {
      const udh = parseConcatUdh(octets);
      assert.notEqual(udh.kind, 'malformed', 'UDH readable');
      if (udh.kind !== 'malformed') userData = udh.payload;
      assert.equal(octets.length - userData.length, (f.udh_hex ?? '').length / 2, 'UDH length');
    }
    assert.equal(decodeShortMessage(Buffer.from(userData), Number(f.data_coding)), unescapeText(f.decoded_text ?? ''));
  });
}
