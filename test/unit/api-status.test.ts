import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger } from '../../daemon/log.js';
import { after, before, test } from 'node:test';
import { ACME_TOKEN, ACME_URL_TOKEN, basic, openApiFixture, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;
before(async () => {
  fx = await openApiFixture();
});
after(async () => fx.close());

const auth = { authorization: `Bearer ${ACME_TOKEN}` };
interface ErrorJson { error: { code: number; name: string } }

async function submit(clientRef?: string): Promise<string> {
  const response = await fx.app.inject({ method: 'POST', url: '/api/v1/sms', headers: auth, payload: { from: 'ACME', to: '79161234567', text: 'status me', clientRef } });
  assert.equal(response.statusCode, 202, response.body);
  return response.json<{ messages: { id: string }[] }>().messages[0]!.id;
}

test('status by id, under /api/v1 and the unique URL', async () => {
  const id = await submit();
  for (const url of [`/api/v1/messages/${id}`, `/c/${ACME_URL_TOKEN}/messages/${id}`]) {
    const response = await fx.app.inject({ method: 'GET', url, headers: url.startsWith('/c/') ? {} : auth });
    assert.equal(response.statusCode, 200, response.body);
    const view = response.json<{ id: string; status: string; to: string; segments: number; history: unknown[] }>();
    assert.equal(view.id, id);
    assert.equal(view.status, 'accepted');
    assert.equal(view.to, '79161234567');
    assert.equal(view.segments, 1);
  }
});

test('status by client reference', async () => {
  const id = await submit('ref-status-1');
  const response = await fx.app.inject({ method: 'GET', url: '/api/v1/messages?clientRef=ref-status-1', headers: auth });
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(response.json<{ id: string }>().id, id);
  const missing = await fx.app.inject({ method: 'GET', url: '/api/v1/messages', headers: auth });
  assert.equal(missing.json<ErrorJson>().error.name, 'PARAMETER_INVALID');
});

test('another client cannot see the message; unknown ids are 404', async () => {
  const id = await submit();
  const other = await fx.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: { authorization: basic('slow') } });
  assert.equal(other.statusCode, 404);
  assert.equal(other.json<ErrorJson>().error.name, 'MESSAGE_NOT_FOUND');
  const unknown = await fx.app.inject({ method: 'GET', url: '/api/v1/messages/no-such-id', headers: auth });
  assert.equal(unknown.statusCode, 404);
});

test('balance counts accepted segments and waiting messages', async () => {
  const before = (await fx.app.inject({ method: 'GET', url: `/c/${ACME_URL_TOKEN}/balance` })).json<{ segmentsUsed: number; queued: number; demoRemaining: number | null }>();
  await submit();
  const after = (await fx.app.inject({ method: 'GET', url: '/api/v1/balance', headers: auth })).json<{ segmentsUsed: number; queued: number; demoRemaining: number | null }>();
  assert.equal(after.segmentsUsed, before.segmentsUsed + 1);
  assert.equal(after.queued, before.queued + 1);
  assert.equal(after.demoRemaining, null);
});

test('health: 200 while the store answers', async () => {
  const response = await fx.app.inject({ method: 'GET', url: '/health' });
  assert.equal(response.statusCode, 200);
  assert.equal(response.json<{ status: string }>().status, 'ok');
});

test('a closed store: submit answers 503 STORE_UNAVAILABLE with Retry-After, health 503', async () => {
  const broken = await openApiFixture();
  try {
    await broken.store.close();
    const response = await broken.app.inject({ method: 'POST', url: '/api/v1/sms', headers: auth, payload: { from: 'ACME', to: '79161234567', text: 'x' } });
    assert.equal(response.statusCode, 503, response.body);
    assert.equal(response.json<ErrorJson>().error.name, 'STORE_UNAVAILABLE');
    assert.ok(Number(response.headers['retry-after']) >= 1);
    const health = await broken.app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 503);
    assert.ok(Number(health.headers['retry-after']) >= 1);
  } finally {
    await broken.app.close();
    broken.provisioning.close();
    rmSync(broken.dir, { recursive: true, force: true });
  }
});

test('while closing, requests are answered 503 SHUTTING_DOWN with Retry-After', async () => {
  const draining = await openApiFixture();
  try {
    const closed = draining.app.close();
    const response = await draining.app.inject({ method: 'GET', url: '/api/v1/balance', headers: auth });
    await closed;
    assert.equal(response.statusCode, 503, response.body);
    assert.equal(response.json<ErrorJson>().error.name, 'SHUTTING_DOWN');
    assert.equal(response.headers['retry-after'], '1');
  } finally {
    draining.provisioning.close();
    await draining.store.close();
    rmSync(draining.dir, { recursive: true, force: true });
  }
});

test('request logs carry neither passwords from the query nor unique-URL tokens', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logged = await openApiFixture({ logger: createLogger('debug', sink) });
  try {
    await logged.app.inject({ method: 'GET', url: `/c/${ACME_URL_TOKEN}/balance` });
    await logged.app.inject({ method: 'GET', url: '/api/v1/balance?username=acme&password=very-secret-pw' });
    const text = lines.join('');
    assert.match(text, /\/c\/\[redacted\]\/balance/);
    assert.match(text, /"path":"\/api\/v1\/balance"/);
    assert.ok(!text.includes(ACME_URL_TOKEN), 'URL token logged');
    assert.ok(!text.includes('very-secret-pw'), 'password logged');
  } finally {
    await logged.close();
  }
});
