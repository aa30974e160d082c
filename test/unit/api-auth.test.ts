import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { hashPassword } from '../../daemon/domain/credentials.js';
import { ACME_PASSWORD, ACME_TOKEN, ACME_URL_TOKEN, basic, client, openApiFixture, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;
before(async () => {
  fx = await openApiFixture();
});
after(async () => fx.close());

interface ErrorJson { error: { code: number; name: string } }
const message = { from: 'ACME', to: '79161234567', text: 'hi' };

async function send(options: { url?: string; headers?: Record<string, string>; query?: Record<string, string>; remoteAddress?: string }) {
  const query = new URLSearchParams({ ...options.query, from: 'ACME', to: '79161234567', text: 'hi' });
  return fx.app.inject({ method: 'GET', url: `${options.url ?? '/api/v1/sms'}?${query}`, headers: options.headers, remoteAddress: options.remoteAddress ?? '127.0.0.1' });
}

const accepted: readonly [string, Parameters<typeof send>[0]][] = [
  ['username/password parameters', { query: { username: 'acme', password: ACME_PASSWORD } }],
  ['login/password parameters', { query: { login: 'acme', password: ACME_PASSWORD } }],
  ['HTTP Basic', { headers: { authorization: basic('acme') } }],
  ['API token', { headers: { authorization: `Bearer ${ACME_TOKEN}` } }],
  ['unique URL', { url: `/c/${ACME_URL_TOKEN}/sms` }],
  ['IPv6 loopback', { headers: { authorization: basic('acme') }, remoteAddress: '::1' }],
  ['IPv4 in an allowed CIDR', { headers: { authorization: basic('acme') }, remoteAddress: '10.1.2.3' }],
  ['IPv4-mapped IPv6 in an allowed CIDR', { headers: { authorization: basic('acme') }, remoteAddress: '::ffff:10.1.2.3' }],
  ['IPv4 allowed in mapped form', { headers: { authorization: basic('acme') }, remoteAddress: '192.168.7.7' }],
  ['IPv6 in an allowed CIDR', { headers: { authorization: basic('acme') }, remoteAddress: '2001:db8::42' }],
  ['trusted proxy forwarding an allowed client', { headers: { authorization: basic('acme'), 'x-forwarded-for': '203.0.113.9, 10.4.4.4' }, remoteAddress: '10.9.9.9' }],
];

for (const [name, options] of accepted) {
  test(`auth accepted: ${name}`, async () => {
    const response = await send(options);
    assert.equal(response.statusCode, 202, response.body);
  });
}

const refused: readonly [string, Parameters<typeof send>[0], number, string][] = [
  ['no credentials', {}, 401, 'AUTH_REQUIRED'],
  ['wrong password', { query: { username: 'acme', password: 'nope' } }, 401, 'AUTH_FAILED'],
  ['unknown login', { headers: { authorization: basic('nobody') } }, 401, 'AUTH_FAILED'],
  ['unknown token', { headers: { authorization: 'Bearer sp_unknown' } }, 401, 'AUTH_FAILED'],
  ['malformed Basic header', { headers: { authorization: 'Basic bm9jb2xvbg==' }, query: { username: 'acme', password: ACME_PASSWORD } }, 401, 'AUTH_FAILED'],
  ['unknown URL', { url: '/c/no-such-token/sms' }, 404, 'UNKNOWN_URL'],
  ['address outside the allowlist', { headers: { authorization: basic('acme') }, remoteAddress: '198.51.100.1' }, 403, 'IP_NOT_ALLOWED'],
  ['IPv6 outside the allowlist', { headers: { authorization: basic('acme') }, remoteAddress: '2001:db9::1' }, 403, 'IP_NOT_ALLOWED'],
  ['untrusted peer claiming an allowed address', { headers: { authorization: basic('elsewhere'), 'x-forwarded-for': '192.0.2.10' }, remoteAddress: '127.0.0.1' }, 403, 'IP_NOT_ALLOWED'],
  ['trusted proxy forwarding a client outside the allowlist', { headers: { authorization: basic('acme'), 'x-forwarded-for': '198.51.100.1' }, remoteAddress: '10.9.9.9' }, 403, 'IP_NOT_ALLOWED'],
  ['spoofed left part of the chain is ignored', { headers: { authorization: basic('acme'), 'x-forwarded-for': '127.0.0.1, 198.51.100.1' }, remoteAddress: '10.9.9.9' }, 403, 'IP_NOT_ALLOWED'],
  ['wrong password from outside the allowlist', { query: { username: 'acme', password: 'nope' }, remoteAddress: '198.51.100.1' }, 403, 'IP_NOT_ALLOWED'],
  ['disabled client', { headers: { authorization: basic('off') } }, 403, 'CLIENT_DISABLED'],
];

for (const [name, options, status, code] of refused) {
  test(`auth refused: ${name} → ${status} ${code}`, async () => {
    const response = await send(options);
    assert.equal(response.statusCode, status, response.body);
    assert.equal(response.json<ErrorJson>().error.name, code);
  });
}

test('trusted proxy: the forwarded client is checked, not the proxy', async () => {
  const response = await send({ headers: { authorization: basic('elsewhere'), 'x-forwarded-for': '192.0.2.10' }, remoteAddress: '10.9.9.9' });
  assert.equal(response.statusCode, 202, response.body);
});

test('a password change applies after the provisioning reload, and the cached check no longer holds', async () => {
  const before = await send({ headers: { authorization: basic('slow') } });
  assert.equal(before.statusCode, 202, before.body);
  const passwordHash = await hashPassword('new-password');
  await fx.store.applyProvisioning([{ op: 'client.put', client: client('slow', { passwordHash, maxTps: 2, virtualPort: fx.provisioning.clientById('slow' as never)!.virtualPort }) }]);
  await fx.provisioning.refresh();
  const old = await send({ headers: { authorization: basic('slow') } });
  assert.equal(old.statusCode, 401);
  fx.now += 1000; // the client has a rate ceiling of 2 segments/s
  const fresh = await send({ headers: { authorization: basic('slow', 'new-password') } });
  assert.equal(fresh.statusCode, 202, fresh.body);
});

test('provisioning polling picks up a change within 2 s', async () => {
  await fx.store.applyProvisioning([{ op: 'client.put', client: client('newcomer', { urlToken: 'newcomer-url-token-01234' }) }]);
  const deadline = Date.now() + 2000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await fx.app.inject({ method: 'GET', url: '/c/newcomer-url-token-01234/balance' })).statusCode;
    if (status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(status, 200);
});

test('JSON body credentials and a body that is not an object', async () => {
  const ok = await fx.app.inject({ method: 'POST', url: '/api/v1/sms', payload: { ...message, username: 'acme', password: ACME_PASSWORD } });
  assert.equal(ok.statusCode, 202, ok.body);
  const array = await fx.app.inject({ method: 'POST', url: '/api/v1/sms', headers: { authorization: basic('acme') }, payload: [message] as never });
  assert.equal(array.json<ErrorJson>().error.name, 'BODY_MALFORMED');
});
