import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { startApiServer, type ApiServer } from '../../daemon/api/server.js';
import type { Config } from '../../daemon/config/schema.js';
import { createLogger } from '../../daemon/log.js';
import { ACME_TOKEN, basic, openApiFixture, type ApiFixture } from '../unit/api-fixture.js';

let fx: ApiFixture;
let certFile: string;
let keyFile: string;
const servers: ApiServer[] = [];

before(async () => {
  fx = await openApiFixture();
  certFile = join(fx.dir, 'cert.pem');
  keyFile = join(fx.dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
});

after(async () => {
  for (const server of servers) await server.close();
  await fx.close();
});

async function start(api: Partial<Config['api']>): Promise<ApiServer> {
  const config: Config = { ...fx.config, api: { ...fx.config.api, host: '127.0.0.1', port: 0, ...api } };
  const server = await startApiServer({ config, store: fx.store, provisioning: fx.provisioning, logger: createLogger('silent') });
  servers.push(server);
  return server;
}

/** Sends raw bytes (in the given chunks) and returns what came back before the server closed (or reset) the connection. */
function rawExchange(port: number, chunks: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      answer += data;
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', () => resolve(answer));
    socket.on('connect', () => {
      void (async () => {
        for (const chunk of chunks) {
          socket.write(chunk);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
    });
  });
}

function httpRequestLine(path: string, authorization: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nConnection: close\r\n\r\n`;
}

test('plain HTTP on a real socket: submit with fetch', async () => {
  const server = await start({});
  assert.equal(server.tls, false);
  const response = await fetch(`http://127.0.0.1:${server.port}/api/v1/sms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ACME_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: 'ACME', to: '79161234567', text: 'over TCP' }),
  });
  assert.equal(response.status, 202);
  const body = (await response.json()) as { messages: { id: string }[] };
  assert.equal(body.messages.length, 1);
});

test('HTTPS with a self-signed certificate', async () => {
  const server = await start({ tlsCertFile: certFile, tlsKeyFile: keyFile });
  assert.equal(server.tls, true);
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpsRequest({
      host: '127.0.0.1', port: server.port, path: '/api/v1/balance', method: 'GET',
      ca: readFileSync(certFile), headers: { authorization: `Bearer ${ACME_TOKEN}` },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.end();
  });
  assert.equal(status, 200, body);
  assert.equal((JSON.parse(body) as { clientId: string }).clientId, 'acme');
});

test('PROXY protocol from a trusted peer names the client; the line may arrive in pieces', async () => {
  const server = await start({ proxyProtocol: true, trustedProxies: ['127.0.0.1'] });
  const auth = basic('elsewhere'); // allowed only from 192.0.2.10
  const proxied = await rawExchange(server.port, ['PROXY TCP4 192.0.2.10 127.0.0.1 5555 80\r\n' + httpRequestLine('/api/v1/balance', auth)]);
  assert.match(proxied, /^HTTP\/1\.1 200 /);
  const split = await rawExchange(server.port, ['PROXY TCP4 192.0', '.2.10 127.0.0.1 5555 80\r\nGET /api/v1/bal', `ance HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nConnection: close\r\n\r\n`]);
  assert.match(split, /^HTTP\/1\.1 200 /);
  const direct = await rawExchange(server.port, [httpRequestLine('/api/v1/balance', auth)]);
  assert.match(direct, /^HTTP\/1\.1 403 /, 'without the line the TCP peer is the client');
  const elsewhere = await rawExchange(server.port, ['PROXY TCP4 198.51.100.7 127.0.0.1 5555 80\r\n' + httpRequestLine('/api/v1/balance', auth)]);
  assert.match(elsewhere, /^HTTP\/1\.1 403 /);
  assert.match(elsewhere, /198\.51\.100\.7/);
  const invalid = await rawExchange(server.port, ['PROXY TCP4 999.1.1.1 127.0.0.1 1 2\r\n' + httpRequestLine('/api/v1/balance', auth)]);
  assert.equal(invalid, '', 'an invalid line from a trusted peer closes the connection unanswered');
});

test('PROXY protocol from an untrusted peer is not honoured', async () => {
  const server = await start({ proxyProtocol: true, trustedProxies: ['10.0.0.1'] });
  const answer = await rawExchange(server.port, ['PROXY TCP4 192.0.2.10 127.0.0.1 5555 80\r\n' + httpRequestLine('/api/v1/balance', basic('elsewhere'))]);
  assert.match(answer, /^HTTP\/1\.1 400 /);
});

test('PROXY protocol in front of TLS, the line and the TLS hello in one segment', async () => {
  const server = await start({ proxyProtocol: true, trustedProxies: ['127.0.0.1'], tlsCertFile: certFile, tlsKeyFile: keyFile });
  const answer = await new Promise<string>((resolve, reject) => {
    const raw = connect(server.port, '127.0.0.1', () => {
      // Corked, so the PROXY line and the ClientHello leave together, as a fast proxy sends them.
      raw.cork();
      raw.write('PROXY TCP4 192.0.2.10 127.0.0.1 5555 443\r\n');
      setTimeout(() => raw.uncork(), 20);
      const secure = tlsConnect({ socket: raw, ca: readFileSync(certFile), servername: 'localhost' }, () => {
        secure.write(httpRequestLine('/api/v1/balance', basic('elsewhere')));
      });
      let text = '';
      secure.setEncoding('utf8');
      secure.on('data', (chunk: string) => {
        text += chunk;
      });
      secure.on('end', () => resolve(text));
      secure.on('error', reject);
    });
    raw.on('error', reject);
  });
  assert.match(answer, /^HTTP\/1\.1 200 /);
});
