import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { BASE_CHARS, ESC, EXTENSION_CHARS } from '../../daemon/text/gsm7-alphabet.js';
import { chooseEncoding } from '../../daemon/text/encoding.js';
import { decodeGsm7, encodeGsm7 } from '../../daemon/text/gsm7.js';
import { decodeShortMessage } from '../../daemon/text/short-message-decoder.js';
import { packSeptets, unpackSeptets } from '../../daemon/text/septet-packing.js';
import { decodeUcs2, encodeUcs2 } from '../../daemon/text/ucs2.js';

const gsmCharacters = [
  ...BASE_CHARS.filter((_ch, septet) => septet !== ESC),
  ...EXTENSION_CHARS.filter((ch): ch is string => ch !== undefined),
];
const gsmText = fc.string({ unit: fc.constantFrom(...gsmCharacters), maxLength: 300 });
const septets = fc.uint8Array({ maxLength: 300, max: 0x7f });

test('GSM 7-bit: encode then decode gives the text back, also through data_coding 0 and 0xF0', () => {
  fc.assert(
    fc.property(gsmText, (text) => {
      assert.equal(chooseEncoding(text), 'gsm7');
      const encoded = encodeGsm7(text);
      assert.equal(decodeGsm7(encoded), text);
      assert.equal(decodeShortMessage(encoded, 0x00), text);
      assert.equal(decodeShortMessage(encoded, 0xf0), text);
    }),
  );
});

test('7-bit packing: unpack(pack(septets, fill), fill, count) is the identity for every fill', () => {
  fc.assert(
    fc.property(septets, fc.integer({ min: 0, max: 6 }), fc.boolean(), (input, fill, padWithCr) => {
      const packed = packSeptets(input, fill, padWithCr);
      assert.equal(packed.length, Math.ceil((fill + input.length * 7) / 8));
      assert.deepEqual(unpackSeptets(packed, fill, input.length), Buffer.from(input));
    }),
  );
});

test('UCS-2: encode then decode gives any JS string back, lone surrogates included', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }), (text, surrogates) => {
      const mixed = text + surrogates;
      const encoded = encodeUcs2(mixed);
      assert.equal(encoded.length, mixed.length * 2);
      assert.equal(decodeUcs2(encoded), mixed);
      assert.equal(decodeShortMessage(encoded, 0x08), mixed);
    }),
  );
});
