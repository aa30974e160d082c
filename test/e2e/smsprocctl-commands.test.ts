import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { ctlHarness, type CtlHarness } from './smsprocctl-harness.js';

let ctl: CtlHarness;
before(() => {
  ctl = ctlHarness();
});
after(() => ctl.cleanup());

interface ClientJson {
  id: string;
  passwordSet: boolean;
  passwordHash?: string;
  urlPath: string;
  virtualPort: number;
  disabled: boolean;
  allowedIps: string[];
  senders: string[];
  keywords: { shortCode: string; keyword: string }[];
  callbackSecret: string;
  apiTokens: { id: string; label: string; sha256?: string }[];
}

test('client add prints the unique URL once; show, list and disable work and never print secrets', () => {
  const added = ctl.run(['client', 'add', 'acme-bank', '--name', 'ACME Bank', '--login', 'acme', '--password-stdin', '--reserved-tps', '50', '--dlr-url', 'https://acme.example/dlr'], 'pa55word\n');
  assert.equal(added.code, 0, added.stderr);
  const url = /\/c\/([A-Za-z0-9_-]{22})\//.exec(added.stdout);
  assert.ok(url, `URL path printed: ${added.stdout}`);
  const token = url[1] ?? '';

  const shown = ctl.run(['client', 'show', 'acme-bank']);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, /name:\s+ACME Bank/);
  assert.match(shown.stdout, /password:\s+set/);
  assert.ok(!shown.stdout.includes(token), 'the URL token is masked');
  assert.ok(!shown.stdout.includes('scrypt$'), 'no password hash');

  const view = ctl.json<ClientJson>(['client', 'show', 'acme-bank']);
  assert.equal(view.passwordSet, true);
  assert.equal(view.passwordHash, undefined);
  assert.equal(view.callbackSecret, '***');
  assert.equal(view.urlPath, '/c/***/');
  assert.equal(view.virtualPort > 0, true);
  const secrets = ctl.json<ClientJson>(['client', 'show', 'acme-bank', '--show-secrets']);
  assert.equal(secrets.urlPath, `/c/${token}/`);
  assert.match(secrets.passwordHash ?? '', /^scrypt\$/);

  assert.equal(ctl.run(['client', 'add', 'news', '--name', 'News', '--login', 'news', '--callback-format', 'post-xml']).code, 0);
  const list = ctl.run(['client', 'list']);
  assert.match(list.stdout, /^ID\s+NAME\s+LOGIN\s+PORT/);
  assert.match(list.stdout, /\nacme-bank\s+ACME Bank\s+acme\s+\d+\s+enabled/);
  const listed = ctl.json<ClientJson[]>(['client', 'list']);
  assert.deepEqual(listed.map((client) => client.id), ['acme-bank', 'news']);
  assert.notEqual(listed[0]?.virtualPort, listed[1]?.virtualPort, 'virtual ports are distinct');

  assert.equal(ctl.run(['client', 'disable', 'news']).code, 0);
  assert.equal(ctl.json<ClientJson>(['client', 'show', 'news']).disabled, true);
  assert.match(ctl.run(['client', 'disable', 'news']).stdout, /already disabled: nothing changed/);
  assert.equal(ctl.json<{ changed: boolean }>(['client', 'enable', 'news']).changed, true);
  assert.equal(ctl.json<ClientJson>(['client', 'show', 'news']).disabled, false);
});

test('errors are clear, go to stderr and carry distinct exit codes', () => {
  const duplicate = ctl.run(['client', 'add', 'acme-bank', '--name', 'X', '--login', 'x']);
  assert.equal(duplicate.code, 4);
  assert.match(duplicate.stderr, /already exists/);
  const missing = ctl.run(['client', 'show', 'nobody']);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /client "nobody" does not exist/);
  const missingJson = ctl.run(['client', 'show', 'nobody', '--json']);
  assert.equal(missingJson.code, 3);
  assert.deepEqual(JSON.parse(missingJson.stderr), { error: 'client "nobody" does not exist', problems: [], exitCode: 3 });
  const badId = ctl.run(['client', 'add', 'Bad Id', '--name', 'X', '--login', 'x']);
  assert.equal(badId.code, 2);
  const badOptions = ctl.run(['client', 'add', 'shop', '--name', 'Shop', '--login', 'shop', '--reserved-tps', 'many', '--callback-format', 'smoke']);
  assert.equal(badOptions.code, 2);
  assert.match(badOptions.stderr, /--reserved-tps/);
  assert.match(badOptions.stderr, /--callback-format/);
  const usage = ctl.run(['client', 'add', 'shop', '--login', 'shop']);
  assert.equal(usage.code, 2, 'a missing required option is a usage error');
  assert.match(usage.stderr, /--name/);
  const sameLogin = ctl.run(['client', 'add', 'acme2', '--name', 'ACME 2', '--login', 'acme']);
  assert.equal(sameLogin.code, 4);
  assert.match(sameLogin.stderr, /login "acme" is used by both/);
});

test('sender, ip and keyword values are validated; canonical forms are stored', () => {
  const longSender = ctl.run(['sender', 'add', 'acme-bank', 'ACMEBANKLTD1']);
  assert.equal(longSender.code, 2);
  assert.match(longSender.stderr, /sender "ACMEBANKLTD1" is not valid/);
  assert.equal(ctl.run(['sender', 'add', 'acme-bank', '1234567890123456']).code, 2);
  assert.equal(ctl.run(['sender', 'add', 'acme-bank', 'ACMEBANK']).code, 0);
  assert.equal(ctl.run(['sender', 'add', 'acme-bank', '79001234567']).code, 0);
  assert.equal(ctl.run(['sender', 'add', 'nobody', 'ACME']).code, 3);

  const hostBits = ctl.run(['ip', 'allow', 'acme-bank', '10.1.2.3/8']);
  assert.equal(hostBits.code, 2);
  assert.match(hostBits.stderr, /did you mean 10\.0\.0\.0\/8/);
  assert.equal(ctl.run(['ip', 'allow', 'acme-bank', 'not-an-ip']).code, 2);
  assert.equal(ctl.run(['ip', 'allow', 'acme-bank', '2001:DB8:0::1']).code, 0);
  assert.equal(ctl.run(['ip', 'allow', 'acme-bank', '203.0.113.0/24']).code, 0);
  assert.equal(ctl.run(['ip', 'deny', 'acme-bank', '203.0.113.0/24']).code, 0);

  assert.equal(ctl.run(['keyword', 'add', 'acme-bank', '4444', 'голос']).code, 0);
  assert.equal(ctl.run(['keyword', 'add', 'acme-bank', '4444', 'two words']).code, 2);
  assert.equal(ctl.run(['keyword', 'add', 'acme-bank', '44a', 'VOTE']).code, 2, 'short codes are digits');
  const taken = ctl.run(['keyword', 'add', 'news', '4444', 'ГОЛОС']);
  assert.equal(taken.code, 4);
  assert.match(taken.stderr, /keyword ГОЛОС on 4444 is used by both/);
  assert.equal(ctl.run(['shortcode', 'add', 'news', '7711']).code, 0);

  const view = ctl.json<ClientJson>(['client', 'show', 'acme-bank']);
  assert.deepEqual(view.senders, ['ACMEBANK', '79001234567']);
  assert.deepEqual(view.allowedIps, ['2001:db8::1']);
  assert.deepEqual(view.keywords, [{ shortCode: '4444', keyword: 'ГОЛОС' }]);
  assert.match(ctl.run(['sender', 'remove', 'acme-bank', 'NOSUCH']).stdout, /already absent/);
});

test('API tokens are printed once and stored as hashes only', () => {
  const added = ctl.json<{ tokenId: string; token: string }>(['client', 'token', 'add', 'acme-bank', '--label', 'billing']);
  assert.match(added.token, /^sp_/);
  const view = ctl.json<ClientJson>(['client', 'show', 'acme-bank']);
  assert.deepEqual(view.apiTokens.map((token) => [token.id, token.label, token.sha256]), [[added.tokenId, 'billing', undefined]]);
  assert.ok(!ctl.run(['client', 'show', 'acme-bank']).stdout.includes(added.token));
  assert.equal(ctl.run(['client', 'token', 'remove', 'acme-bank', 'nope']).code, 3);
  assert.equal(ctl.run(['client', 'token', 'remove', 'acme-bank', added.tokenId]).code, 0);
  assert.deepEqual(ctl.json<ClientJson>(['client', 'show', 'acme-bank']).apiTokens, []);
});

test('passwd and rotate-url replace the secrets and print only the new generated ones', () => {
  const hashOf = (): string => ctl.json<ClientJson>(['client', 'show', 'acme-bank', '--show-secrets']).passwordHash ?? '';
  const urlOf = (): string => ctl.json<ClientJson>(['client', 'show', 'acme-bank', '--show-secrets']).urlPath;
  const firstHash = hashOf();
  const given = ctl.run(['client', 'passwd', 'acme-bank', '--password-stdin'], 'another-pass\n');
  assert.equal(given.code, 0, given.stderr);
  assert.ok(!given.stdout.includes('another-pass'), 'a given password is not echoed');
  const secondHash = hashOf();
  assert.notEqual(secondHash, firstHash);
  const generated = ctl.json<{ password: string }>(['client', 'passwd', 'acme-bank']);
  assert.match(generated.password, /^[A-Za-z0-9_-]{16}$/);
  assert.notEqual(hashOf(), secondHash);

  const oldUrl = urlOf();
  const rotated = ctl.json<{ urlPath: string }>(['client', 'rotate-url', 'acme-bank']);
  assert.notEqual(rotated.urlPath, oldUrl);
  assert.equal(urlOf(), rotated.urlPath);
});

test('routes, prefixes, overrides and balance', () => {
  const added = ctl.run(['route', 'add', 'mts-1', '--host', 'smsc.example', '--port', '2775', '--system-id', 'smsproc', '--password', 'secret1', '--binds', '2', '--bind-mode', 'transmitter+receiver', '--tls']);
  assert.equal(added.code, 0, added.stderr);
  const badRoute = ctl.run(['route', 'add', 'r2', '--host', 'h', '--port', '99999', '--system-id', 's', '--password', 'p', '--in-doubt', 'maybe']);
  assert.equal(badRoute.code, 2);
  assert.match(badRoute.stderr, /--port/);
  assert.match(badRoute.stderr, /--in-doubt/);
  const shown = ctl.json<{ password: string; binds: number; tls: boolean; bindMode: string }>(['route', 'show', 'mts-1']);
  assert.deepEqual([shown.password, shown.binds, shown.tls, shown.bindMode], ['***', 2, true, 'transmitter+receiver']);
  assert.match(ctl.run(['route', 'list']).stdout, /mts-1\s+smsc\.example:2775\s+yes/);

  assert.equal(ctl.run(['prefix', 'add', '7916', 'mts-1']).code, 0);
  assert.equal(ctl.run(['prefix', 'add', '7916', 'nowhere']).code, 3);
  assert.equal(ctl.run(['prefix', 'add', '79x', 'mts-1']).code, 2);
  assert.deepEqual(ctl.json<unknown[]>(['prefix', 'list']), [{ prefix: '7916', route: 'mts-1' }]);
  const inUse = ctl.run(['route', 'remove', 'mts-1']);
  assert.equal(inUse.code, 2);
  assert.match(inUse.stderr, /still serves prefixes 7916/);

  const bad = ctl.writeFile('ported-bad.csv', '# ported numbers\n79161234567,mts-1\n7916,mts-1\n79031234567\tnowhere\n');
  const refused = ctl.run(['overrides', 'import', bad]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /line 3: /);
  assert.match(refused.stderr, /line 4: route "nowhere"/);
  assert.equal(ctl.json<{ count: number }>(['overrides', 'count']).count, 0, 'nothing of a bad file is imported');
  const good = ctl.writeFile('ported.tsv', 'msisdn\troute\n79161234567\tmts-1\n+79031234567\tmts-1\n');
  assert.match(ctl.run(['overrides', 'import', good]).stdout, /2 override\(s\) imported/);
  assert.equal(ctl.json<{ count: number }>(['overrides', 'count']).count, 2);
  const replacement = ctl.writeFile('ported2.csv', '79991234567,mts-1\n');
  assert.equal(ctl.json<{ imported: number }>(['overrides', 'import', replacement]).imported, 1);
  assert.equal(ctl.json<{ count: number }>(['overrides', 'count']).count, 1, 'an import replaces the table');

  const balance = ctl.json<{ clientId: string; segmentsUsed: number; queued: number }>(['balance', 'acme-bank']);
  assert.deepEqual([balance.clientId, balance.segmentsUsed, balance.queued], ['acme-bank', 0, 0]);
  assert.equal(ctl.run(['balance', 'nobody']).code, 3);
});
