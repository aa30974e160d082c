import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { readTsv, unescapeOctets, unescapeText } from '../testdata.js';

test('shared test data is readable and every row names its source', () => {
  for (const name of ['gsm0338.tsv', 'smpp-pdus.tsv', 'smpp-receipts.tsv', 'mo-samples.tsv']) {
    const rows = readTsv(name);
    assert.ok(rows.length > 30, `${name} has rows`);
    for (const row of rows) assert.notEqual(row.source, '', `${name}:${row.line} has a source`);
  }
});

test('escapes decode as shared/testdata/README.md describes', () => {
  assert.equal(unescapeText('a\\nb\\\\c\\x1b\\u00A0'), 'a\nb\\c\x1b\u00a0');
  assert.deepEqual([...unescapeOctets('id:1\\x00\\\\')], [0x69, 0x64, 0x3a, 0x31, 0x00, 0x5c]);
});
