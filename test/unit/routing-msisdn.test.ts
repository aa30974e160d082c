import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalizeMsisdn, type MsisdnRules } from '../../daemon/routing/msisdn.js';

const russia: MsisdnRules = { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 };
const internationalOnly: MsisdnRules = { defaultCountryCode: null, nationalPrefix: null, nationalNumberLength: null };

const cases: readonly [string, MsisdnRules, string, string | null][] = [
  ['plain international', russia, '79161234567', '79161234567'],
  ['plus and spaces', russia, '+7 916 123-45-67', '79161234567'],
  ['parentheses', russia, '+7 (916) 123-45-67', '79161234567'],
  ['00 international prefix', russia, '0044 20 7946 0958', '442079460958'],
  ['national with trunk prefix', russia, '8 916 123 45 67', '79161234567'],
  ['national without trunk prefix', russia, '9161234567', '79161234567'],
  ['national form refused without rules', internationalOnly, '89161234567', '89161234567'],
  ['ten digits are international without rules', internationalOnly, '9161234567', '9161234567'],
  ['too short', russia, '12345', null],
  ['too long', russia, '+1234567890123456', null],
  ['letters', russia, '7916abc4567', null],
  ['leading zero after plus', russia, '+0916123456', null],
  ['empty', russia, '', null],
  ['only a plus', russia, '+', null],
  ['plus inside', russia, '7916+1234567', null],
];

for (const [name, rules, input, expected] of cases) {
  test(`msisdn: ${name} (${JSON.stringify(input)})`, () => {
    assert.equal(normalizeMsisdn(input, rules), expected);
  });
}

test('property: any input gives null or 8 to 15 digits without a leading zero', () => {
  const input = fc.oneof(fc.string(), fc.stringMatching(/^[+0-9 ()-]{0,20}$/));
  fc.assert(fc.property(input, (raw) => {
    for (const rules of [russia, internationalOnly]) {
      const result = normalizeMsisdn(raw, rules);
      if (result !== null && !/^[1-9][0-9]{7,14}$/.test(result)) return false;
    }
    return true;
  }));
});
