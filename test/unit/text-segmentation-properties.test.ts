import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ConcatenationMethod } from '../../daemon/domain/provisioning.js';
import type { TextEncoding } from '../../daemon/text/encoding.js';
import { decodeGsm7 } from '../../daemon/text/gsm7.js';
import { analyze, split, type TextAnalysis } from '../../daemon/text/segmentation.js';
import { decodeUcs2 } from '../../daemon/text/ucs2.js';

// An independent copy of the TS 23.038 tables, written as the spec prints them (ESC left out).
const GSM_BASE = new Set([
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?',
  ...'¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
]);
const GSM_EXTENSION = new Set([...'\f^{}\\[~]|€']);
const METHODS: readonly ConcatenationMethod[] = ['udh8', 'udh16', 'sar', 'payload'];
const SINGLE: Record<TextEncoding, number> = { gsm7: 160, ucs2: 70 };
const PER_PART: Record<ConcatenationMethod, Record<TextEncoding, number>> = {
  udh8: { gsm7: 153, ucs2: 67 },
  udh16: { gsm7: 152, ucs2: 66 },
  sar: { gsm7: 160, ucs2: 70 },
  payload: { gsm7: 160, ucs2: 70 },
};

/** The slow, obvious version: list the characters, give each its width, fill parts greedily. */
function naiveAnalyze(text: string, method: ConcatenationMethod, forced?: TextEncoding): TextAnalysis {
  const characters = Array.from(text);
  const isGsm = (ch: string): boolean => GSM_BASE.has(ch) || GSM_EXTENSION.has(ch);
  const encoding: TextEncoding = forced ?? (characters.every(isGsm) ? 'gsm7' : 'ucs2');
  if (encoding === 'gsm7') {
    const offending = characters.findIndex((ch) => !isGsm(ch));
    if (offending !== -1) {
      const character = characters[offending]!;
      return { ok: false, encoding, character, index: characters.slice(0, offending).join('').length };
    }
  }
  const widths = characters.map((ch) => (encoding === 'gsm7' ? (GSM_EXTENSION.has(ch) ? 2 : 1) : ch.length));
  const units = widths.reduce((sum, width) => sum + width, 0);
  if (units <= SINGLE[encoding]) return { ok: true, encoding, units, segments: 1 };
  const parts: number[] = [0];
  for (const width of widths) {
    if (parts[parts.length - 1]! + width > PER_PART[method][encoding]) parts.push(0);
    parts[parts.length - 1]! += width;
  }
  return { ok: true, encoding, units, segments: parts.length };
}

const gsmBase = fc.constantFrom(...GSM_BASE);
const gsmExtension = fc.constantFrom(...GSM_EXTENSION);
const cyrillic = fc.integer({ min: 0x410, max: 0x44f }).map((code) => String.fromCharCode(code));
const emoji = fc.integer({ min: 0x1f600, max: 0x1f64f }).map((code) => String.fromCodePoint(code));
const loneSurrogate = fc.constantFrom('\ud83d', '\ude00');

const mixedUnit = fc.oneof(
  { weight: 8, arbitrary: gsmBase },
  { weight: 3, arbitrary: gsmExtension },
  { weight: 2, arbitrary: cyrillic },
  { weight: 2, arbitrary: emoji },
  { weight: 1, arbitrary: loneSurrogate },
);
const gsmUnit = fc.oneof({ weight: 6, arbitrary: gsmBase }, { weight: 1, arbitrary: gsmExtension });
/** Mostly GSM with a rare foreign character, so that both encodings and long GSM texts are drawn often. */
const mostlyGsmUnit = fc.oneof({ weight: 300, arbitrary: gsmUnit }, { weight: 1, arbitrary: mixedUnit });

/** Lengths near every limit and its multiples (where an off-by-one shows), and uniform ones. */
const boundaries = [66, 67, 70, 152, 153, 160].flatMap((limit) => [1, 2, 3, 4].map((k) => limit * k));
const length = fc.oneof(
  fc.integer({ min: 0, max: 700 }),
  fc.tuple(fc.constantFrom(...boundaries), fc.integer({ min: -3, max: 3 })).map(([at, delta]) => Math.max(0, at + delta)),
);
const textOf = (unit: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  length.chain((n) => fc.array(unit, { minLength: n, maxLength: n })).map((characters) => characters.join(''));
const anyText = fc.oneof(textOf(gsmBase), textOf(cyrillic), textOf(gsmUnit), textOf(mostlyGsmUnit), textOf(mixedUnit));
const method = fc.constantFrom(...METHODS);
const forced = fc.constantFrom<TextEncoding | undefined>(undefined, 'gsm7', 'ucs2');

test('analyze agrees with the naive reference for every method and forced encoding', () => {
  fc.assert(
    fc.property(anyText, method, forced, (text, m, f) => {
      assert.deepEqual(analyze(text, m, f), naiveAnalyze(text, m, f));
    }),
    { numRuns: 1000 },
  );
});

test('split: parts join to the text, stay within their limit and never cut an ESC pair or a surrogate pair', () => {
  fc.assert(
    fc.property(anyText, method, forced, fc.integer({ min: 0, max: 255 }), (text, m, f, reference) => {
      const analysis = analyze(text, m, f);
      if (!analysis.ok) return;
      const { encoding } = analysis;
      const result = split(text, m, encoding, { reference });
      assert.equal(result.segments, analysis.segments);
      assert.equal(result.units, analysis.units);
      assert.equal(result.parts.map((part) => part.text).join(''), text);
      assert.equal(result.parts.length, m === 'payload' ? 1 : analysis.segments);

      const limit = result.parts.length === 1 ? (m === 'payload' ? Infinity : SINGLE[encoding]) : PER_PART[m][encoding];
      let boundary = 0;
      for (const part of result.parts) {
        assert.ok(part.units <= limit, `part ${part.seqnum} has ${part.units} units, limit ${limit}`);
        boundary += part.text.length;
        const before = text.charCodeAt(boundary - 1);
        const after = text.charCodeAt(boundary);
        assert.ok(!(before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff), 'surrogate pair split');

        const body = part.udh === null ? part.octets : part.octets.subarray(part.udh.length);
        if (encoding === 'gsm7') {
          assert.equal(body.length, part.units, 'one octet per septet');
          assert.notEqual(body[body.length - 1], 0x1b, 'a part ends with a lone ESC');
          assert.equal(decodeGsm7(body), part.text);
        } else {
          assert.equal(body.length, part.units * 2);
          assert.equal(decodeUcs2(body), part.text);
        }
        const multipart = result.parts.length > 1;
        assert.equal(part.udh !== null, multipart && (m === 'udh8' || m === 'udh16'));
        assert.equal(part.sar !== null, multipart && m === 'sar');
        if (part.udh !== null) {
          assert.equal(part.udh[part.udh.length - 2], result.parts.length, 'UDH total');
          assert.equal(part.udh[part.udh.length - 1], part.seqnum, 'UDH sequence number');
        }
      }
    }),
    { numRuns: 1000 },
  );
});
