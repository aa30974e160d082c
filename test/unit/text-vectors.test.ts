import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { chooseEncoding } from '../../daemon/text/encoding.js';
import { decodeGsm7, encodeGsm7 } from '../../daemon/text/gsm7.js';
import { analyze, split } from '../../daemon/text/segmentation.js';
import { packSeptets, unpackSeptets } from '../../daemon/text/septet-packing.js';
import { decodeUcs2, encodeUcs2 } from '../../daemon/text/ucs2.js';
import { readTsv, unescapeText } from '../testdata.js';

// Every row of shared/testdata/gsm0338.tsv; columns are described in shared/testdata/README.md.
const rows = readTsv('gsm0338.tsv');

test('gsm0338.tsv has the rows its README announces', () => {
  assert.equal(rows.length, 71);
});

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

for (const row of rows) {
  const f = row.fields;
  const text = unescapeText(f.text ?? '');
  const label = text.length > 24 ? `${text.slice(0, 24)}… (${text.length} chars)` : text;
  test(`gsm0338.tsv:${row.line} ${f.kind} ${JSON.stringify(label)}`, () => {
    const encoding = f.encoding === 'GSM7' ? 'gsm7' : 'ucs2';
    assert.equal(chooseEncoding(text), encoding, 'encoding');

    const analysis = analyze(text, 'udh8');
    assert.ok(analysis.ok);
    assert.equal(analysis.encoding, encoding);
    assert.equal(analysis.units, Number(f.expected_units), 'units');
    assert.equal(analysis.segments, Number(f.expected_segments), 'segments');

    const result = split(text, 'udh8', encoding, { reference: 0xcc });
    assert.deepEqual(result.parts.map((part) => part.units).join(','), f.expected_segment_units, 'units per part');
    assert.equal(result.parts.map((part) => part.text).join(''), text, 'parts join to the text');

    const encoded = encoding === 'gsm7' ? encodeGsm7(text) : encodeUcs2(text);
    if (f.expected_unpacked_hex !== '') assert.equal(hex(encoded), f.expected_unpacked_hex, 'unpacked octets');
    assert.equal(encoding === 'gsm7' ? decodeGsm7(encoded) : decodeUcs2(encoded), text, 'decodes back');

    if (f.expected_packed_hex === '') return;
    if (f.kind === 'pack-udh') {
      // The row's UDH (05 00 03 CC 02 01) is 6 octets, so 1 fill bit precedes the septets.
      const udh = Buffer.from('050003CC0201', 'hex');
      const packed = Buffer.concat([udh, packSeptets(encoded, 1)]);
      assert.equal(hex(packed), f.expected_packed_hex, 'packed after UDH');
      assert.deepEqual(unpackSeptets(packed.subarray(6), 1, encoded.length), encoded, 'unpacks back');
    } else {
      assert.equal(hex(packSeptets(encoded)), f.expected_packed_hex, 'packed octets');
      assert.deepEqual(unpackSeptets(packSeptets(encoded), 0, encoded.length), encoded, 'unpacks back');
    }
  });
}
