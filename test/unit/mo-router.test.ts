import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import { buildMoRouter, validateMoRouting, type MoRoute, type MoRoutingClient } from '../../daemon/routing/mo-router.js';
import { projectRoot } from '../testdata.js';

const id = (value: string): ClientId => value as ClientId;

const clients: MoRoutingClient[] = [
  { id: id('bank'), shortCodes: ['1900'], keywords: [] },
  { id: id('tv'), shortCodes: [], keywords: [{ shortCode: '7377', keyword: 'VOTE' }, { shortCode: '7377', keyword: 'ГОЛОС' }] },
  { id: id('shop'), shortCodes: [], keywords: [{ shortCode: '7377', keyword: 'SHOP' }, { shortCode: '7377', keyword: 'ЁЛКА' }] },
  { id: id('promo'), shortCodes: [], keywords: [{ shortCode: '7377', keyword: 'PROMO', prefix: true }, { shortCode: '7377', keyword: 'PROMOX', prefix: true }] },
  { id: id('straße'), shortCodes: [], keywords: [{ shortCode: '7377', keyword: 'STRASSE', prefix: true }] },
];
const withDefault = buildMoRouter(clients, { defaultClientId: id('catch-all') });
const withoutDefault = buildMoRouter(clients, { defaultClientId: null });

const cases: { name: string; shortCode: string; text: string; expected: MoRoute; router?: 'without-default' }[] = [
  {
    name: 'exclusive short code takes any text, keyword parsed for the client',
    shortCode: '1900',
    text: ' balance  1234 ',
    expected: { kind: 'client', clientId: id('bank'), via: 'short-code', keyword: 'BALANCE', args: '1234' },
  },
  { name: 'exclusive short code takes an empty text', shortCode: '1900', text: '', expected: { kind: 'client', clientId: id('bank'), via: 'short-code', keyword: '', args: '' } },
  { name: 'keyword on a shared code', shortCode: '7377', text: 'VOTE 1', expected: { kind: 'client', clientId: id('tv'), via: 'keyword', keyword: 'VOTE', args: '1' } },
  { name: 'mixed case keyword', shortCode: '7377', text: 'vOtE\t2 Yes', expected: { kind: 'client', clientId: id('tv'), via: 'keyword', keyword: 'VOTE', args: '2 Yes' } },
  { name: 'Cyrillic keyword in lower case', shortCode: '7377', text: 'голос 3', expected: { kind: 'client', clientId: id('tv'), via: 'keyword', keyword: 'ГОЛОС', args: '3' } },
  { name: 'ё upper-cases to Ё', shortCode: '7377', text: 'ёлка', expected: { kind: 'client', clientId: id('shop'), via: 'keyword', keyword: 'ЁЛКА', args: '' } },
  {
    name: 'Е is not Ё',
    shortCode: '7377',
    text: 'елка',
    expected: { kind: 'default', clientId: id('catch-all'), reason: 'no-keyword-match', keyword: 'ЕЛКА', args: '' },
  },
  {
    name: 'Latin homoglyphs do not match a Cyrillic keyword',
    shortCode: '7377',
    text: 'ГOЛOC 2',
    expected: { kind: 'default', clientId: id('catch-all'), reason: 'no-keyword-match', keyword: 'ГOЛOC', args: '2' },
  },
  {
    name: 'a whole-word keyword does not match a longer first word',
    shortCode: '7377',
    text: 'SHOP123',
    expected: { kind: 'default', clientId: id('catch-all'), reason: 'no-keyword-match', keyword: 'SHOP123', args: '' },
  },
  {
    name: 'a whole-word keyword does not match a longer first word (VOTE1)',
    shortCode: '7377',
    text: 'vote1',
    expected: { kind: 'default', clientId: id('catch-all'), reason: 'no-keyword-match', keyword: 'VOTE1', args: '' },
  },
  {
    name: 'a prefix registration matches a longer first word, the rest of the word leads the args',
    shortCode: '7377',
    text: 'promo2024 now',
    expected: { kind: 'client', clientId: id('promo'), via: 'keyword', keyword: 'PROMO', args: '2024 now' },
  },
  { name: 'a prefix registration matches the bare word', shortCode: '7377', text: 'Promo', expected: { kind: 'client', clientId: id('promo'), via: 'keyword', keyword: 'PROMO', args: '' } },
  { name: 'the longest prefix wins', shortCode: '7377', text: 'promoxyz', expected: { kind: 'client', clientId: id('promo'), via: 'keyword', keyword: 'PROMOX', args: 'yz' } },
  {
    name: 'a prefix that grows when upper-cased (ß → SS) keeps the original rest',
    shortCode: '7377',
    text: 'straßeNord',
    expected: { kind: 'client', clientId: id('straße'), via: 'keyword', keyword: 'STRASSE', args: 'Nord' },
  },
  {
    name: 'unknown short code goes to the default client',
    shortCode: '9999',
    text: 'VOTE 1',
    expected: { kind: 'default', clientId: id('catch-all'), reason: 'unknown-short-code', keyword: 'VOTE', args: '1' },
  },
  {
    name: 'no default client: unmatched keyword is unrouted',
    shortCode: '7377',
    text: 'HELLO there',
    expected: { kind: 'unrouted', reason: 'no-keyword-match', keyword: 'HELLO', args: 'there' },
    router: 'without-default',
  },
  {
    name: 'no default client: unknown short code is unrouted',
    shortCode: '5555',
    text: 'VOTE 1',
    expected: { kind: 'unrouted', reason: 'unknown-short-code', keyword: 'VOTE', args: '1' },
    router: 'without-default',
  },
  {
    name: 'no default client: a matching keyword still routes',
    shortCode: '7377',
    text: 'ГОЛОС 2',
    expected: { kind: 'client', clientId: id('tv'), via: 'keyword', keyword: 'ГОЛОС', args: '2' },
    router: 'without-default',
  },
];

for (const { name, shortCode, text, expected, router } of cases) {
  test(`route: ${name}`, () => {
    assert.deepEqual((router === 'without-default' ? withoutDefault : withDefault).route(shortCode, text), expected);
  });
}

test('an exclusive short code wins over keywords registered on it', () => {
  const router = buildMoRouter(
    [
      { id: id('tv'), shortCodes: [], keywords: [{ shortCode: '1900', keyword: 'VOTE' }] },
      { id: id('bank'), shortCodes: ['1900'], keywords: [] },
    ],
    { defaultClientId: null },
  );
  assert.deepEqual(router.route('1900', 'VOTE 1'), { kind: 'client', clientId: id('bank'), via: 'short-code', keyword: 'VOTE', args: '1' });
});

test('keywords stored in lower case still match (normalised when the index is built)', () => {
  const router = buildMoRouter([{ id: id('tv'), shortCodes: [], keywords: [{ shortCode: '7377', keyword: 'голос' }] }], { defaultClientId: null });
  assert.equal(router.route('7377', 'ГОЛОС').kind, 'client');
});

test('a clean provisioning has no problems', () => {
  assert.deepEqual(validateMoRouting(clients, { defaultClientId: id('bank') }), []);
});

test('conflicting and malformed registrations are reported, each with what to fix', () => {
  const problems = validateMoRouting(
    [
      { id: id('a'), shortCodes: ['1900', '1900'], keywords: [{ shortCode: '7377', keyword: 'VOTE' }, { shortCode: '7377', keyword: 'STOP' }, { shortCode: '7377', keyword: 'STOP' }] },
      { id: id('b'), shortCodes: ['1900'], keywords: [{ shortCode: '7377', keyword: 'VOTE', prefix: true }, { shortCode: '1900', keyword: 'INFO' }] },
      { id: id('c'), shortCodes: [], keywords: [{ shortCode: '7377', keyword: 'vote now' }, { shortCode: '7377', keyword: ' ' }, { shortCode: '7377', keyword: 'shop' }] },
    ],
    { defaultClientId: id('nobody') },
  );
  const summary = problems.map((problem) => [problem.kind, problem.shortCode, problem.clientIds]);
  assert.deepEqual(summary, [
    ['exclusive-code-conflict', '1900', ['a', 'b']],
    ['exclusive-code-has-keywords', '1900', ['a', 'b']],
    ['invalid-keyword', '7377', ['c']],
    ['invalid-keyword', '7377', ['c']],
    ['invalid-keyword', '7377', ['c']],
    ['keyword-conflict', '7377', ['a', 'b']],
    ['duplicate-keyword', '7377', ['a']],
    ['unknown-default-client', null, ['nobody']],
  ]);
  const messages = problems.map((problem) => problem.message).join('\n');
  assert.match(messages, /short code 1900 is exclusive to several clients \(a, b\)/);
  assert.match(messages, /keyword VOTE on short code 7377 is registered by several clients \(a, b\); only a would receive it/);
  assert.match(messages, /keyword INFO of client b on it never matches/);
  assert.match(messages, /"vote now" on 7377: a keyword is one word without spaces/);
  assert.match(messages, /"shop" on 7377: .*stored upper-cased \("SHOP"\)/);
  assert.match(messages, /default MO client nobody does not exist/);
  const doc = readFileSync(join(projectRoot(), 'docs', 'mo.md'), 'utf8');
  for (const { kind } of problems) assert.ok(doc.includes(`| \`${kind}\` |`), `docs/mo.md explains ${kind}`);
});

test('with conflicts, the first client in provisioning order wins (deterministic across nodes)', () => {
  const router = buildMoRouter(
    [
      { id: id('a'), shortCodes: ['1900'], keywords: [{ shortCode: '7377', keyword: 'VOTE' }] },
      { id: id('b'), shortCodes: ['1900'], keywords: [{ shortCode: '7377', keyword: 'VOTE' }] },
    ],
    { defaultClientId: null },
  );
  const exclusive = router.route('1900', 'x');
  assert.ok(exclusive.kind === 'client' && exclusive.clientId === 'a');
  const vote = router.route('7377', 'VOTE');
  assert.ok(vote.kind === 'client' && vote.clientId === 'a');
});
