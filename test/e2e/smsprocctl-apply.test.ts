import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ctlHarness, type CtlHarness } from './smsprocctl-harness.js';

interface ApplyJson {
  items: { action: string; kind: string; id: string; fields: string[] }[];
  applied: boolean;
  dryRun: boolean;
  version: number;
}

let ctl: CtlHarness;
const example = readFileSync('docs/examples/provisioning.yaml', 'utf8');
let examplePath: string;
before(() => {
  ctl = ctlHarness();
  examplePath = ctl.writeFile('provisioning.yaml', example);
});
after(() => ctl.cleanup());

const summary = (result: ApplyJson): string[] => result.items.map((item) => `${item.action} ${item.kind} ${item.id}`);

test('a dry run prints the plan and changes nothing', () => {
  const dry = ctl.run(['apply', examplePath, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^ACTION\s+KIND\s+ID/);
  assert.match(dry.stdout, /create\s+client\s+acme-bank/);
  assert.match(dry.stdout, /dry run: 9 change\(s\) not applied/);
  assert.deepEqual(ctl.json<unknown[]>(['client', 'list']), []);
});

test('the documented example applies; applying it again changes nothing and keeps the version', () => {
  const first = ctl.run(['apply', examplePath]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /applied 9 change\(s\)/);
  assert.match(first.stdout, /client acme-bank: unique URL path \/c\/[A-Za-z0-9_-]+\//);
  const versionAfterFirst = ctl.json<ApplyJson>(['apply', examplePath, '--dry-run']).version;

  const second = ctl.run(['apply', examplePath]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^no changes \(provisioning version \d+\)/);
  const again = ctl.json<ApplyJson>(['apply', examplePath]);
  assert.deepEqual(again.items, []);
  assert.equal(again.applied, false);
  assert.equal(again.version, versionAfterFirst);

  const trial = ctl.json<{ urlPath: string }>(['client', 'show', 'trial-shop', '--show-secrets']);
  assert.match(first.stdout, new RegExp(`client trial-shop: unique URL path ${trial.urlPath}`));
  const news = ctl.json<{ keywords: unknown[]; passwordSet: boolean; callbackSecret: string }>(['client', 'show', 'daily-news']);
  assert.deepEqual(news.keywords, [{ shortCode: '4444', keyword: 'VOTE' }, { shortCode: '4444', keyword: 'ГОЛОС' }]);
  assert.equal(news.passwordSet, true);
  assert.deepEqual(ctl.json<unknown[]>(['prefix', 'list']).length, 4);
});

test('export masks secrets; export applied back changes nothing', () => {
  const exported = ctl.run(['export']);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(!exported.stdout.includes('s3cret'), 'route password masked');
  assert.ok(!exported.stdout.includes('scrypt$'), 'password hashes masked');
  assert.match(exported.stdout, /urlToken: "\*\*\*"/);
  assert.match(exported.stdout, /callbackSecret: "\*\*\*"/);
  const roundTrip = ctl.json<ApplyJson>(['apply', ctl.writeFile('exported.yaml', exported.stdout), '--prune']);
  assert.deepEqual(roundTrip.items, [], 'masked export applies with no changes, even with --prune');

  const withSecrets = ctl.run(['export', '--show-secrets']);
  assert.match(withSecrets.stdout, /password: s3cret/);
  assert.match(withSecrets.stdout, /passwordHash: scrypt\$/);
  assert.deepEqual(ctl.json<ApplyJson>(['apply', ctl.writeFile('exported-secrets.yaml', withSecrets.stdout), '--prune']).items, []);
});

test('a changed file updates only what differs; a changed password is rehashed', () => {
  const before = ctl.json<{ passwordHash: string }>(['client', 'show', 'acme-bank', '--show-secrets']).passwordHash;
  const changed = example.replace('reservedTps: 50', 'reservedTps: 60').replace('password: change-me-please', 'password: a-new-password').replace('"7916": mts-1', '"7916": beeline-1');
  const result = ctl.json<ApplyJson>(['apply', ctl.writeFile('changed.yaml', changed)]);
  assert.deepEqual(result.items, [
    { action: 'update', kind: 'client', id: 'acme-bank', fields: ['passwordHash', 'reservedTps'] },
    { action: 'update', kind: 'prefix', id: '7916', fields: ['route'] },
  ]);
  const after = ctl.json<{ passwordHash: string; reservedTps: number }>(['client', 'show', 'acme-bank', '--show-secrets']);
  assert.notEqual(after.passwordHash, before);
  assert.equal(after.reservedTps, 60);
});

test('omitted objects stay without --prune and are deleted with it', () => {
  const small = ctl.writeFile('small.yaml', [
    'clients:',
    '  acme-bank: {name: ACME Bank, login: acme, allowedIps: [203.0.113.10]}',
    'routes:',
    '  mts-1: {host: smpp.mts.example, port: 2775, systemId: smsproc, password: "***"}',
    'prefixes:',
    '  "7": mts-1',
  ].join('\n'));
  const kept = ctl.json<ApplyJson>(['apply', small]);
  assert.deepEqual(summary(kept), ['update route mts-1', 'update client acme-bank'], 'only updates without --prune');
  const pruned = ctl.json<ApplyJson>(['apply', small, '--prune']);
  assert.deepEqual(summary(pruned), [
    'delete route beeline-1',
    'delete client daily-news',
    'delete client trial-shop',
    'delete prefix 7903',
    'delete prefix 7905',
    'delete prefix 7916',
  ]);
  assert.deepEqual(ctl.json<{ id: string }[]>(['client', 'list']).map((client) => client.id), ['acme-bank']);
  assert.deepEqual(ctl.json<unknown[]>(['prefix', 'list']), [{ prefix: '7', route: 'mts-1' }]);
  assert.deepEqual(ctl.json<ApplyJson>(['apply', small, '--prune']).items, []);
});

test('an invalid file is refused with every problem and its path; nothing changes', () => {
  const before = ctl.json<ApplyJson>(['apply', examplePath, '--dry-run']).version;
  const bad = ctl.writeFile('bad.yaml', [
    'clients:',
    '  acme-bank: {name: ACME Bank, login: acme, senders: [WAYTOOLONGSENDER], colour: red}',
    'routes:',
    '  r2: {host: h, port: 0, systemId: s, password: p}',
    'prefixes:',
    '  "79x": r2',
  ].join('\n'));
  const refused = ctl.run(['apply', bad]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /clients\.acme-bank\.senders\.0: sender "WAYTOOLONGSENDER"/);
  assert.match(refused.stderr, /clients\.acme-bank: .*colour/);
  assert.match(refused.stderr, /routes\.r2\.port/);
  assert.match(refused.stderr, /prefixes\.79x/);
  const unknownRoute = ctl.run(['apply', ctl.writeFile('unknown-route.yaml', 'prefixes:\n  "44": nowhere\n')]);
  assert.equal(unknownRoute.code, 2);
  assert.match(unknownRoute.stderr, /prefixes\.44: route nowhere/);
  assert.equal(ctl.json<ApplyJson>(['apply', examplePath, '--dry-run']).version, before);
  assert.equal(ctl.run(['apply', '/nonexistent.yaml']).code, 2);
});
