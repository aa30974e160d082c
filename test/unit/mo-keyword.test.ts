import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { normalizeKeyword, parseKeyword } from '../../daemon/routing/keyword.js';

const cases: [string, string, string, string][] = [
  ['no-break space and CR LF are whitespace', '\u00A0stop\r\nnow\u00A0 please ', 'STOP', 'now please'],
  ['NFC composes a decomposed letter before upper-casing', 'cafe\u0301 Cafe\u0301', 'CAFÉ', 'Café'],
  ['ё becomes Ё, not Е', 'ёлка', 'ЁЛКА', ''],
  ['Unicode upper-casing may lengthen a word', 'straße', 'STRASSE', ''],
  ['other spaces (EN SPACE, ZWJ) are not separators', 'VOTE\u2002 1\u200D2', 'VOTE\u2002', '1\u200D2'],
  ['form feed is not a separator', 'A\fB', 'A\fB', ''],
  ['empty text', '', '', ''],
  ['whitespace only', ' \t\r\n\u00A0', '', ''],
];

for (const [name, text, keyword, args] of cases) {
  test(`keyword: ${name}`, () => {
    assert.deepEqual(parseKeyword(text), { keyword, args });
  });
}

test('normalizeKeyword is locale-independent (Turkish dotless i is not produced)', () => {
  assert.equal(normalizeKeyword('info'), 'INFO');
});
