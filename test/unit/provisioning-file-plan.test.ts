import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import type { ClientRecord, ProvisioningSnapshot, RouteRecord } from '../../daemon/domain/provisioning.js';
import { planProvisioning, PlanError, type ClientSecrets } from '../../ops/smsprocctl/plan.js';
import { parseProvisioningFile, type ProvisioningFile } from '../../ops/smsprocctl/provisioning-file.js';

function fileOf(text: string): ProvisioningFile {
  const parsed = parseProvisioningFile(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problems.join('\n'));
  return parsed.value;
}

const route: RouteRecord = {
  id: 'mts-1' as RouteId, host: 'smsc', port: 2775, tls: false, systemId: 'sys', password: 'pw', systemType: '',
  bindMode: 'transceiver', binds: 1, windowSize: 10, tps: 50, defaultDataCoding: 0, gsmPacking: 'unpacked',
  concatenation: 'udh8', receiptIdFormat: 'auto', inDoubtPolicy: 'resend', sourceTon: 5, sourceNpi: 0, destTon: 1,
  destNpi: 1, disabled: false,
};

const client: ClientRecord = {
  id: 'acme' as ClientId, name: 'ACME', login: 'acme', passwordHash: 'scrypt$h', urlToken: 'u'.repeat(22), virtualPort: 1,
  disabled: false, demo: false, allowedIps: ['10.0.0.0/8', '192.0.2.1'], senders: ['ACME'], reservedTps: 0, maxTps: null,
  maxQueued: 100_000, dlrUrl: null, moUrl: null, callbackFormat: 'post-json', callbackSecret: 's'.repeat(43),
  shortCodes: [], keywords: [{ shortCode: '4444', keyword: 'VOTE' }], moReplyAllowed: false, smpp: null,
  apiTokens: [{ id: 't1', sha256: 'ab', createdAt: new Date(0), label: '' }],
};

const snapshot: ProvisioningSnapshot = { version: 7, clients: [client], routes: [route], prefixes: [{ prefix: '7916', routeId: route.id }] };

const storedSecrets = new Map<string, ClientSecrets>([['acme', { passwordHash: 'scrypt$h', urlToken: client.urlToken, callbackSecret: client.callbackSecret, smppPasswordHash: null }]]);

const sameAsStored = [
  'clients:',
  '  acme:',
  '    name: ACME',
  '    login: acme',
  '    virtualPort: 1',
  '    allowedIps: [192.0.2.1, 10.0.0.0/8]',
  '    senders: [ACME]',
  '    keywords: [{shortCode: "4444", keyword: vote}]',
  'routes:',
  '  mts-1: {host: smsc, port: 2775, systemId: sys, password: "***"}',
  'prefixes:',
  '  "7916": mts-1',
].join('\n');

test('a file equal to the store (list order, keyword case and masked secrets aside) plans nothing', () => {
  const plan = planProvisioning(snapshot, fileOf(sameAsStored), storedSecrets, { prune: true });
  assert.deepEqual(plan.items, []);
  assert.deepEqual(plan.changes, []);
});

test('updates name the fields that differ; the update keeps the virtual port and leaves API tokens alone', () => {
  const file = fileOf(sameAsStored.replace('name: ACME', 'name: ACME Bank').replace('port: 2775', 'port: 2776').replace('    virtualPort: 1\n', ''));
  const plan = planProvisioning(snapshot, file, storedSecrets, { prune: false });
  assert.deepEqual(plan.items, [
    { action: 'update', kind: 'route', id: 'mts-1', fields: ['port'] },
    { action: 'update', kind: 'client', id: 'acme', fields: ['name'] },
  ]);
  const put = plan.changes.find((change) => change.op === 'client.put');
  assert.ok(put !== undefined && put.op === 'client.put');
  assert.equal(put.client.virtualPort, 1);
  assert.equal('apiTokens' in put.client, false);
  const routePut = plan.changes.find((change) => change.op === 'route.put');
  assert.ok(routePut !== undefined && routePut.op === 'route.put');
  assert.equal(routePut.route.password, 'pw', 'a masked password keeps the stored one');
});

test('what the file omits is kept without --prune and deleted with it, prefixes before their routes', () => {
  const empty = fileOf('{}');
  assert.deepEqual(planProvisioning(snapshot, empty, new Map(), { prune: false }).items, []);
  const plan = planProvisioning(snapshot, empty, new Map(), { prune: true });
  assert.deepEqual(plan.items.map((item) => `${item.action} ${item.kind} ${item.id}`), ['delete route mts-1', 'delete client acme', 'delete prefix 7916']);
  assert.deepEqual(plan.changes.map((change) => change.op), ['prefix.delete', 'client.delete', 'route.delete']);
});

test('creates put routes before the prefixes that name them; a new client gets a null port for the store to allocate', () => {
  const file = fileOf([
    'clients:',
    '  news: {name: News, login: news}',
    'routes:',
    '  tele2: {host: t2, port: 2775, systemId: s, password: p}',
    'prefixes:',
    '  "7952": tele2',
  ].join('\n'));
  const secrets = new Map<string, ClientSecrets>([['news', { passwordHash: null, urlToken: 'n'.repeat(22), callbackSecret: 'c'.repeat(43), smppPasswordHash: null }]]);
  const plan = planProvisioning(snapshot, file, secrets, { prune: false });
  assert.deepEqual(plan.items.map((item) => `${item.action} ${item.kind} ${item.id}`), ['create route tele2', 'create client news', 'create prefix 7952']);
  assert.deepEqual(plan.changes.map((change) => change.op), ['route.put', 'client.put', 'prefix.put']);
  const put = plan.changes[1];
  assert.ok(put?.op === 'client.put');
  assert.equal(put.client.virtualPort, null);
});

test('a prefix moved to another route is an update', () => {
  const file = fileOf('routes:\n  tele2: {host: t2, port: 2775, systemId: s, password: p}\nprefixes:\n  "7916": tele2\n');
  const plan = planProvisioning(snapshot, file, new Map(), { prune: false });
  assert.deepEqual(plan.items.at(-1), { action: 'update', kind: 'prefix', id: '7916', fields: ['route'] });
});

test('problems are all listed: unknown route, masked secret of a new route, a short code or login claimed twice', () => {
  const file = fileOf([
    'clients:',
    '  news: {name: News, login: acme, shortCodes: ["7711"]}',
    '  shop: {name: Shop, login: shop, shortCodes: ["7711"]}',
    'routes:',
    '  tele2: {host: t2, port: 2775, systemId: s, password: "***"}',
    'prefixes:',
    '  "7952": nowhere',
  ].join('\n'));
  const secrets = new Map<string, ClientSecrets>([
    ['news', { passwordHash: null, urlToken: 'n'.repeat(22), callbackSecret: 'c'.repeat(43), smppPasswordHash: null }],
    ['shop', { passwordHash: null, urlToken: 'm'.repeat(22), callbackSecret: 'd'.repeat(43), smppPasswordHash: null }],
  ]);
  assert.throws(() => planProvisioning(snapshot, file, secrets, { prune: false }), (error: unknown) => {
    assert.ok(error instanceof PlanError);
    const text = error.problems.join('\n');
    assert.match(text, /routes\.tele2\.password: .*new/);
    assert.match(text, /prefixes\.7952: route nowhere/);
    assert.match(text, /short code 7711 is used by both client news and client shop/);
    assert.match(text, /login "acme" is used by both client news and client acme|login "acme" is used by both client acme and client news/);
    return true;
  });
});

test('with --prune a prefix may only name a route of the file', () => {
  const file = fileOf('prefixes:\n  "7916": mts-1\n');
  assert.doesNotThrow(() => planProvisioning(snapshot, file, new Map(), { prune: false }));
  assert.throws(() => planProvisioning(snapshot, file, new Map(), { prune: true }), /route mts-1 is not in the file/);
});

test('SMPP access: a file that gives it plans an update of `smpp` with the hashed password; the same again plans nothing; a system_id twice is refused', () => {
  const withSmpp = sameAsStored.replace('    senders: [ACME]\n', '    senders: [ACME]\n    smpp: {systemId: acme, password: secret1, maxBinds: 3}\n');
  const secrets = new Map<string, ClientSecrets>([['acme', { ...storedSecrets.get('acme')!, smppPasswordHash: 'scrypt$smpp' }]]);
  const plan = planProvisioning(snapshot, fileOf(withSmpp), secrets, { prune: false });
  assert.deepEqual(plan.items, [{ action: 'update', kind: 'client', id: 'acme', fields: ['smpp'] }]);
  const put = plan.changes[0];
  assert.ok(put?.op === 'client.put');
  assert.deepEqual(put.client.smpp, { systemId: 'acme', passwordHash: 'scrypt$smpp', maxBinds: 3, enabled: true });

  const stored: ProvisioningSnapshot = { ...snapshot, clients: [{ ...client, smpp: { systemId: 'acme', passwordHash: 'scrypt$smpp', maxBinds: 3, enabled: true } }] };
  assert.deepEqual(planProvisioning(stored, fileOf(withSmpp), secrets, { prune: false }).items, []);

  const twice = `${withSmpp.replace('routes:', [
    '  other:',
    '    name: Other',
    '    login: other',
    '    smpp: {systemId: acme, passwordHash: "scrypt$x"}',
    'routes:',
  ].join('\n'))}`;
  const twiceSecrets = new Map(secrets).set('other', { passwordHash: null, urlToken: 'o'.repeat(22), callbackSecret: 'c'.repeat(43), smppPasswordHash: 'scrypt$x' });
  assert.throws(() => planProvisioning(snapshot, fileOf(twice), twiceSecrets, { prune: false }), (error: unknown) => error instanceof PlanError && error.problems.some((p) => p.includes('SMPP system_id "acme"')));
});

test('SMPP access in a file needs exactly one of password and passwordHash, a password of at most 8 characters', () => {
  const bad = (smpp: string): boolean => !parseProvisioningFile(sameAsStored.replace('    senders: [ACME]\n', `    senders: [ACME]\n    smpp: ${smpp}\n`)).ok;
  assert.ok(bad('{systemId: acme}'));
  assert.ok(bad('{systemId: acme, password: a, passwordHash: "scrypt$x"}'));
  assert.ok(bad('{systemId: acme, password: ninechars}'));
  assert.ok(bad('{systemId: "has space", password: a}'));
  assert.ok(!bad('{systemId: acme, password: eight888}'));
});
