import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseProvisioningFile } from '../../ops/smsprocctl/provisioning-file.js';
import { parseOverrides } from '../../ops/smsprocctl/overrides-file.js';
import { checkIpOrCidr, checkKeyword, checkSender } from '../../ops/smsprocctl/validate.js';

function problemsOf(text: string): readonly string[] {
  const parsed = parseProvisioningFile(text);
  assert.equal(parsed.ok, false, 'the file should be refused');
  return parsed.ok ? [] : parsed.problems;
}

test('the documented example parses, with defaults filled in and values in canonical form', () => {
  const parsed = parseProvisioningFile(readFileSync('docs/examples/provisioning.yaml', 'utf8'));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problems.join('\n'));
  const file = parsed.value;
  assert.deepEqual(Object.keys(file.clients).sort(), ['acme-bank', 'daily-news', 'trial-shop']);
  assert.deepEqual(file.clients['daily-news']?.keywords, [{ shortCode: '4444', keyword: 'VOTE' }, { shortCode: '4444', keyword: 'ГОЛОС' }]);
  assert.equal(file.clients['acme-bank']?.allowedIps[2], '2001:db8:ac::/48');
  assert.equal(file.clients['trial-shop']?.callbackFormat, 'post-json', 'default callback format');
  assert.equal(file.routes['beeline-1']?.windowSize, 10, 'default window');
  assert.equal(file.routes['mts-1']?.inDoubtPolicy, 'hold');
  assert.equal(file.prefixes['7903'], 'beeline-1');
});

test('map keys stay as written: numeric-looking prefixes keep their digits', () => {
  const parsed = parseProvisioningFile('routes:\n  r1: {host: h, port: 1, systemId: s, password: p}\nprefixes:\n  7916: r1\n  "44": r1\n');
  assert.ok(parsed.ok);
  assert.deepEqual(Object.keys(parsed.value.prefixes).sort(), ['44', '7916']);
});

test('unknown keys are refused and every problem is listed with its path', () => {
  const problems = problemsOf([
    'clients:',
    '  acme:',
    '    name: ACME',
    '    login: acme',
    '    sender: [ACME]',
    '    senders: ["ACME BANK LTD", ACME]',
    '    allowedIps: [10.0.0.1/8, "999.1.1.1"]',
    '  Bad_Id: {name: x, login: y}',
    'routes:',
    '  r1: {host: h, port: 70000, systemId: s, password: p, bindMode: duplex}',
    'extra: 1',
  ].join('\n'));
  const text = problems.join('\n');
  assert.match(text, /clients\.acme: .*sender/, 'unknown key "sender" named');
  assert.match(text, /clients\.acme\.senders\.0: sender "ACME BANK LTD" is not valid/);
  assert.match(text, /clients\.acme\.allowedIps\.0: .*host bits set: did you mean 10\.0\.0\.0\/8/);
  assert.match(text, /clients\.acme\.allowedIps\.1: /);
  assert.match(text, /clients\.Bad_Id/);
  assert.match(text, /routes\.r1\.port/);
  assert.match(text, /routes\.r1\.bindMode/);
  assert.match(text, /\(top level\): .*extra/);
  assert.ok(problems.length >= 8, `every problem listed, got ${problems.length}`);
});

test('password and passwordHash together, duplicates and maxTps below the reservation are refused', () => {
  const text = problemsOf([
    'clients:',
    '  acme:',
    '    name: ACME',
    '    login: acme',
    '    password: a',
    '    passwordHash: b',
    '    senders: [ACME, ACME]',
    '    reservedTps: 50',
    '    maxTps: 10',
    '    keywords: [{shortCode: "4444", keyword: vote}, {shortCode: "4444", keyword: VOTE}]',
  ].join('\n')).join('\n');
  assert.match(text, /either password or passwordHash/);
  assert.match(text, /sender "ACME" is listed twice/);
  assert.match(text, /maxTps must not be below reservedTps/);
  assert.match(text, /keyword VOTE on 4444 is listed twice/);
});

test('YAML errors are reported, not thrown', () => {
  const problems = problemsOf('clients: [1, 2\n');
  assert.ok(problems.length > 0);
  const duplicate = problemsOf('routes:\n  r1: {}\n  r1: {}\n');
  assert.match(duplicate.join('\n'), /unique|duplicate/i);
});

test('value checks: senders, addresses, keywords', () => {
  const valid = ['ACME', 'A.B-C_D&E F', '79161234567', '123456789012345'];
  for (const sender of valid) assert.ok(checkSender(sender).ok, sender);
  const invalidSenders = ['', 'TWELVECHARSX', '1234567890123456', ' ACME', 'ACME!', 'Ёлка'];
  for (const sender of invalidSenders) assert.equal(checkSender(sender).ok, false, sender);
  assert.deepEqual(checkIpOrCidr('2001:0DB8:0000::0001'), { ok: true, value: '2001:db8::1' });
  assert.equal(checkIpOrCidr('192.168.001.010').ok, false, 'leading zeros are ambiguous (octal?) and refused');
  assert.equal(checkIpOrCidr('10.1').ok, false, 'short IPv4 forms are refused');
  assert.deepEqual(checkIpOrCidr('::ffff:192.0.2.7'), { ok: true, value: '192.0.2.7' });
  assert.equal(checkIpOrCidr('fe80::1%eth0').ok, false, 'zone ids are refused');
  assert.equal(checkIpOrCidr('2001:db8::1/129').ok, false);
  assert.deepEqual(checkKeyword('голос'), { ok: true, value: 'ГОЛОС' });
  assert.deepEqual(checkKeyword('straße'), { ok: true, value: 'STRASSE' });
  assert.equal(checkKeyword('two words').ok, false);
});

test('overrides file: comments, header and both separators; bad lines listed with their numbers', () => {
  const routes = new Set(['mts-1', 'beeline-1']);
  const good = parseOverrides('msisdn,route\n# ported in May\n79161234567,beeline-1\n+79031234567\tmts-1\n\n', routes);
  assert.ok(good.ok);
  assert.deepEqual(good.value, [
    { msisdn: '79161234567', routeId: 'beeline-1' },
    { msisdn: '79031234567', routeId: 'mts-1' },
  ]);
  const bad = parseOverrides('79161234567,mts-1\n7916,mts-1\n79031234567,nowhere\n79161234567,beeline-1\njunk\n', routes);
  assert.equal(bad.ok, false);
  if (bad.ok) return;
  assert.deepEqual(bad.problems.map((problem) => problem.split(':')[0]), ['line 2', 'line 3', 'line 4', 'line 5']);
});
