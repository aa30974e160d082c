import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startApiServer, type ApiServer } from '../../daemon/api/server.js';
import type { Config } from '../../daemon/config/schema.js';
import { createLogger } from '../../daemon/log.js';
import { webExtension } from '../../daemon/web/web.js';
import { ACME_PASSWORD, openApiFixture, type ApiFixture } from '../unit/api-fixture.js';

/**
 * The web session cookie's Secure flag over TLS and behind a trusted TLS-terminating proxy, and the
 * allowlist and account state at the web login (the API fixture's clients; no delivery running).
 */
let fx: ApiFixture;
let certFile: string;
let keyFile: string;
const servers: ApiServer[] = [];

before(async () => {
  fx = await openApiFixture();
  certFile = join(fx.dir, 'web-cert.pem');
  keyFile = join(fx.dir, 'web-key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
});

test('web: a worker of two holds half the login throttle: five failed logins from one address make it wait there', async () => {
  const server = await start({ trustedProxies: ['127.0.0.1'] }, 1 / 2);
  const post = (password: string): Promise<Response> => fetch(`http://127.0.0.1:${server.port}/stats/login`, {
    method: 'POST', redirect: 'manual', body: loginBody('acme', password),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.9.8.7' },
  });
  for (let i = 0; i < 5; i += 1) assert.equal((await post('guess')).status, 401);
  const throttled = await post(ACME_PASSWORD);
  assert.equal(throttled.status, 429);
  assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
});

after(async () => {
  for (const server of servers) await server.close();
  await fx.close();
});

async function start(api: Partial<Config['api']>, loginThrottleShare?: number): Promise<ApiServer> {
  const config: Config = { ...fx.config, api: { ...fx.config.api, host: '127.0.0.1', port: 0, ...api } };
  const logger = createLogger('silent');
  const extensions = [webExtension({ config, store: fx.store, provisioning: fx.provisioning, logger, delivery: null, cluster: () => null, ...(loginThrottleShare === undefined ? {} : { loginThrottleShare }) })];
  const server = await startApiServer({ config, store: fx.store, provisioning: fx.provisioning, logger, extensions });
  servers.push(server);
  return server;
}

function loginBody(username: string, password = ACME_PASSWORD): string {
  return new URLSearchParams({ username, password }).toString();
}

test('web over HTTPS: the session cookie is Secure', async () => {
  const server = await start({ tlsCertFile: certFile, tlsKeyFile: keyFile });
  const { status, cookie } = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
    const request = httpsRequest({
      host: '127.0.0.1', port: server.port, path: '/stats/login', method: 'POST', rejectUnauthorized: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, cookie: String(response.headers['set-cookie'] ?? '') });
    });
    request.on('error', reject);
    request.end(loginBody('acme'));
  });
  assert.equal(status, 303);
  assert.match(cookie, /^smsproc_stats=[^;]+; Path=\/stats; HttpOnly; SameSite=Strict; Secure$/);
});

test('web behind a trusted proxy: Secure when it says https; the forwarded address meets the allowlist', async () => {
  const server = await start({ trustedProxies: ['127.0.0.1'] });
  const url = `http://127.0.0.1:${server.port}/stats/login`;
  const post = (username: string, headers: Record<string, string>): Promise<Response> => fetch(url, {
    method: 'POST', redirect: 'manual', body: loginBody(username), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  const tls = await post('acme', { 'x-forwarded-proto': 'https' });
  assert.equal(tls.status, 303);
  assert.match(tls.headers.get('set-cookie') ?? '', /; Secure$/);
  const plain = await post('acme', {});
  assert.doesNotMatch(plain.headers.get('set-cookie') ?? '', /Secure/);
  const outside = await post('acme', { 'x-forwarded-for': '192.0.2.50' });
  assert.equal(outside.status, 403, 'the proxy names an address outside acme\'s allowlist');
  assert.equal(outside.headers.get('set-cookie'), null);
  const inside = await post('acme', { 'x-forwarded-for': '10.1.2.3' });
  assert.equal(inside.status, 303, '10.0.0.0/8 is in acme\'s allowlist');
  assert.equal((await post('elsewhere', {})).status, 403, 'elsewhere allows 192.0.2.10 only');
  assert.equal((await post('off', {})).status, 403, 'a disabled account cannot log in');
});

test('web: a proxy that is not trusted cannot make the cookie Secure nor choose the address', async () => {
  const server = await start({ trustedProxies: [] });
  const response = await fetch(`http://127.0.0.1:${server.port}/stats/login`, {
    method: 'POST', redirect: 'manual', body: loginBody('acme'),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.50' },
  });
  assert.equal(response.status, 303, 'the TCP peer 127.0.0.1 is what counts');
  assert.doesNotMatch(response.headers.get('set-cookie') ?? '', /Secure/);
});

test('web: ten failed logins from one address make it wait (429 with Retry-After); another address may still log in', async () => {
  const server = await start({ trustedProxies: ['127.0.0.1'] });
  const post = (address: string, password: string): Promise<Response> => fetch(`http://127.0.0.1:${server.port}/stats/login`, {
    method: 'POST', redirect: 'manual', body: loginBody('acme', password),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
  });
  for (let i = 0; i < 10; i += 1) assert.equal((await post('10.9.9.9', 'guess')).status, 401);
  const throttled = await post('10.9.9.9', ACME_PASSWORD);
  assert.equal(throttled.status, 429, 'even the right password waits');
  assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
  assert.equal(((await throttled.json()) as { error: { name: string } }).error.name, 'LOGIN_THROTTLED');
  assert.equal((await post('10.9.9.10', ACME_PASSWORD)).status, 303);
});
