import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { ACME_TOKEN, ACME_URL_TOKEN, basic, openApiFixture, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;
before(async () => {
  fx = await openApiFixture({ config: { api: { trustedProxies: ['10.9.9.9'], maxRecipients: 5, maxBatchSize: 10, bodyLimitBytes: 64 * 1024 } } });
});
after(async () => fx.close());

const auth = { authorization: `Bearer ${ACME_TOKEN}` };

interface ErrorJson { error: { code: number; name: string; message: string } }

async function submitJson(body: unknown, headers: Record<string, string> = auth) {
  return fx.app.inject({ method: 'POST', url: '/api/v1/sms', headers, payload: body as Record<string, unknown> });
}

test('JSON submit: 202 with one id per recipient, routed and counted; the ledger has it', async () => {
  const response = await submitJson({ from: 'ACME', to: ['+7 916 123-45-67', '89031234567'], text: 'Hello', dlr: true });
  assert.equal(response.statusCode, 202, response.body);
  const body = response.json<{ status: string; replayed: boolean; segments: number; messages: { id: string; to: string; segments: number; encoding: string }[] }>();
  assert.equal(body.status, 'accepted');
  assert.equal(body.replayed, false);
  assert.deepEqual(body.messages.map((m) => m.to), ['79161234567', '79031234567']);
  assert.equal(body.segments, 2);
  const view = await fx.store.findMessage('acme' as never, { id: body.messages[0]!.id as never });
  assert.equal(view?.routeId, 'mts');
  assert.equal(view?.recipient, '79161234567');
  const second = await fx.store.findMessage('acme' as never, { id: body.messages[1]!.id as never });
  assert.equal(second?.routeId, 'ru');
});

test('GET with query parameters and form POST submit the same way', async () => {
  const get = await fx.app.inject({ method: 'GET', url: '/api/v1/sms?username=acme&password=acme-secret-1&from=ACME&to=79161234567&text=Hi%20there' });
  assert.equal(get.statusCode, 202, get.body);
  const form = await fx.app.inject({
    method: 'POST', url: '/api/v1/sms', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'login=acme&password=acme-secret-1&from=Bank&to=79161234567,79161234568&text=Caf%C3%A9',
  });
  assert.equal(form.statusCode, 202, form.body);
  assert.equal(form.json<{ messages: unknown[] }>().messages.length, 2);
});

test('Russian text is UCS-2: 70 characters fit one segment, 71 take two (67 per part)', async () => {
  const seventy = 'Ж'.repeat(70);
  const one = await submitJson({ from: 'ACME', to: '79161234567', text: seventy });
  assert.deepEqual(one.json<{ messages: { segments: number; encoding: string }[] }>().messages[0], { ...one.json<{ messages: { id: string }[] }>().messages[0], segments: 1, encoding: 'ucs2' });
  const two = await submitJson({ from: 'ACME', to: '79161234567', text: `${seventy}Ж` });
  assert.equal(two.json<{ segments: number }>().segments, 2);
  const long = await submitJson({ from: 'ACME', to: '79161234567', text: 'Привет! '.repeat(30) });
  assert.equal(long.json<{ segments: number }>().segments, 4, '240 UCS-2 units at 67 per part');
});

test('segments follow the route: SAR keeps 160 septets per part, UDH 153', async () => {
  const text = 'x'.repeat(320);
  const udh = await submitJson({ from: 'ACME', to: '79161234567', text });
  assert.equal(udh.json<{ segments: number }>().segments, 3);
  const sar = await submitJson({ from: 'ACME', to: '447911123456', text });
  assert.equal(sar.json<{ segments: number }>().segments, 2);
  const ported = await submitJson({ from: 'ACME', to: '79160000001', text });
  assert.equal(ported.json<{ segments: number }>().segments, 2, 'the portability override routes to the SAR route');
});

const validationCases: readonly [string, Record<string, unknown>, number, string][] = [
  ['no sender', { to: '79161234567', text: 'x' }, 400, 'SENDER_MISSING'],
  ['unregistered sender', { from: 'Other', to: '79161234567', text: 'x' }, 400, 'SENDER_NOT_REGISTERED'],
  ['sender too long', { from: 'ACMEACMEACME1', to: '79161234567', text: 'x' }, 400, 'SENDER_INVALID'],
  ['no recipient', { from: 'ACME', text: 'x' }, 400, 'RECIPIENT_MISSING'],
  ['bad recipient', { from: 'ACME', to: '7916abc', text: 'x' }, 400, 'RECIPIENT_INVALID'],
  ['too many recipients', { from: 'ACME', to: ['79161234561', '79161234562', '79161234563', '79161234564', '79161234565', '79161234566'], text: 'x' }, 400, 'TOO_MANY_RECIPIENTS'],
  ['no route (disabled route, no other prefix)', { from: 'ACME', to: '12025550123', text: 'x' }, 422, 'NO_ROUTE'],
  ['no route (no prefix)', { from: 'ACME', to: '33612345678', text: 'x' }, 422, 'NO_ROUTE'],
  ['no text', { from: 'ACME', to: '79161234567' }, 400, 'TEXT_MISSING'],
  ['text too long', { from: 'ACME', to: '79161234567', text: 'a'.repeat(153 * 16 + 1) }, 400, 'TEXT_TOO_LONG'],
  ['text not in forced GSM', { from: 'ACME', to: '79161234567', text: 'Привет', coding: 'gsm7' }, 400, 'TEXT_NOT_ENCODABLE'],
  ['unknown coding', { from: 'ACME', to: '79161234567', text: 'x', coding: 'latin1' }, 400, 'CODING_INVALID'],
  ['validity zero', { from: 'ACME', to: '79161234567', text: 'x', validity: 0 }, 400, 'VALIDITY_INVALID'],
  ['validity beyond the maximum', { from: 'ACME', to: '79161234567', text: 'x', validity: 7 * 24 * 60 + 1 }, 400, 'VALIDITY_INVALID'],
  ['schedule without offset', { from: 'ACME', to: '79161234567', text: 'x', schedule: '2030-01-01T10:00:00' }, 400, 'SCHEDULE_INVALID'],
  ['schedule too far ahead', { from: 'ACME', to: '79161234567', text: 'x', schedule: new Date(Date.now() + 31 * 86_400_000).toISOString() }, 400, 'SCHEDULE_INVALID'],
  ['unknown priority', { from: 'ACME', to: '79161234567', text: 'x', priority: 'urgent' }, 400, 'PRIORITY_INVALID'],
  ['client reference too long', { from: 'ACME', to: '79161234567', text: 'x', clientRef: 'r'.repeat(65) }, 400, 'CLIENT_REF_INVALID'],
  ['client reference not ASCII', { from: 'ACME', to: '79161234567', text: 'x', clientRef: 'заказ-1' }, 400, 'CLIENT_REF_INVALID'],
  ['dlr not a boolean', { from: 'ACME', to: '79161234567', text: 'x', dlr: 'maybe' }, 400, 'PARAMETER_INVALID'],
  ['recipient as an object', { from: 'ACME', to: [{ n: 1 }], text: 'x' }, 400, 'PARAMETER_INVALID'],
];

for (const [name, body, status, code] of validationCases) {
  test(`validation: ${name} → ${status} ${code}`, async () => {
    const response = await submitJson(body);
    assert.equal(response.statusCode, status, response.body);
    const { error } = response.json<ErrorJson>();
    assert.equal(error.name, code);
    assert.ok(error.message.length > 10);
  });
}

test('body errors: malformed JSON, unsupported type, too large', async () => {
  const bad = await fx.app.inject({ method: 'POST', url: '/api/v1/sms', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"to": ' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<ErrorJson>().error.name, 'BODY_MALFORMED');
  const plain = await fx.app.inject({ method: 'POST', url: '/api/v1/sms', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hello' });
  assert.equal(plain.statusCode, 415);
  assert.equal(plain.json<ErrorJson>().error.name, 'CONTENT_TYPE_UNSUPPORTED');
  const huge = await submitJson({ from: 'ACME', to: '79161234567', text: 'x'.repeat(70 * 1024) });
  assert.equal(huge.statusCode, 413);
  assert.equal(huge.json<ErrorJson>().error.name, 'BODY_TOO_LARGE');
  const missing = await fx.app.inject({ method: 'GET', url: '/api/v1/nothing' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<ErrorJson>().error.code, 1603);
});

test('scheduled and high-priority messages: status scheduled, AQ priority 0 in the ledger', async () => {
  const at = new Date(Date.now() + 3_600_000);
  const response = await submitJson({ from: 'ACME', to: '79161234567', text: 'later', schedule: at.toISOString().replace('Z', '+00:00'), priority: 'high', validity: 30 });
  assert.equal(response.statusCode, 202, response.body);
  const body = response.json<{ status: string; messages: { id: string }[] }>();
  assert.equal(body.status, 'scheduled');
  const view = await fx.store.findMessage('acme' as never, { id: body.messages[0]!.id as never });
  assert.equal(view?.notBefore?.getTime(), Math.floor(at.getTime()));
  assert.equal(view?.expiresAt.getTime(), at.getTime() + 30 * 60_000);
  assert.equal(view?.status, 'scheduled');
});

test('idempotency: same clientRef and content → the same ids with 200 and a replay marker; other content → 409', async () => {
  const body = { from: 'ACME', to: ['79161234567', '79161234568'], text: 'code 1234', clientRef: 'order-42' };
  const first = await submitJson(body);
  assert.equal(first.statusCode, 202);
  const again = await submitJson(body);
  assert.equal(again.statusCode, 200);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  const replay = again.json<{ replayed: boolean; messages: { id: string }[] }>();
  assert.equal(replay.replayed, true);
  assert.deepEqual(replay.messages.map((m) => m.id), first.json<{ messages: { id: string }[] }>().messages.map((m) => m.id));
  const conflict = await submitJson({ ...body, text: 'code 9999' });
  assert.equal(conflict.statusCode, 409);
  assert.equal(conflict.json<ErrorJson>().error.name, 'IDEMPOTENCY_CONFLICT');
});

test('idempotency: the Idempotency-Key header works like clientRef', async () => {
  const headers = { ...auth, 'idempotency-key': 'key-7' };
  const first = await submitJson({ from: 'ACME', to: '79161234567', text: 'once' }, headers);
  const again = await submitJson({ from: 'ACME', to: '79161234567', text: 'once' }, headers);
  assert.equal(first.statusCode, 202);
  assert.equal(again.statusCode, 200);
  assert.equal(again.json<{ messages: { id: string }[] }>().messages[0]!.id, first.json<{ messages: { id: string }[] }>().messages[0]!.id);
});

test('demo client: fixed sender, allowance of 100 segments used up exactly', async () => {
  const demo = { authorization: basic('demo') };
  const wrongSender = await submitJson({ from: 'ACME', to: '79161234567', text: 'x' }, demo);
  assert.equal(wrongSender.json<ErrorJson>().error.name, 'DEMO_SENDER_FIXED');
  // 16 segments × 6 = 96, then 4 × 1 = 100; the 101st segment is refused.
  const long = 'a'.repeat(153 * 16);
  for (let i = 0; i < 6; i++) {
    const response = await submitJson({ to: '79161234567', text: long }, demo);
    assert.equal(response.statusCode, 202, response.body);
  }
  const four = await submitJson({ to: ['79161234561', '79161234562', '79161234563', '79161234564'], text: 'x' }, demo);
  assert.equal(four.statusCode, 202, four.body);
  const over = await submitJson({ to: '79161234567', text: 'x' }, demo);
  assert.equal(over.statusCode, 402);
  const { error } = over.json<ErrorJson>();
  assert.equal(error.name, 'DEMO_QUOTA_EXHAUSTED');
  assert.match(error.message, /0 left, 1 needed/);
  const balance = await fx.app.inject({ method: 'GET', url: '/api/v1/balance', headers: demo });
  assert.equal(balance.json<{ demoRemaining: number }>().demoRemaining, 0);
});

test('batch: valid items accepted, invalid ones reported with their code, HTTP 200', async () => {
  const response = await fx.app.inject({
    method: 'POST', url: '/api/v1/sms/batch', headers: auth,
    payload: {
      messages: [
        { from: 'ACME', to: '79161234567', text: 'one', clientRef: 'b-1' },
        { from: 'Nope', to: '79161234567', text: 'two', clientRef: 'b-2' },
        { from: 'ACME', to: '79161234567,79161234568', text: 'three' },
        'not an object',
        { from: 'ACME', to: 'x', text: 'five' },
      ],
    },
  });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json<{ accepted: number; rejected: number; results: { index: number; status: string; clientRef: string | null; error?: { name: string }; messages?: unknown[] }[] }>();
  assert.equal(body.accepted, 2);
  assert.equal(body.rejected, 3);
  assert.deepEqual(body.results.map((r) => [r.index, r.status, r.error?.name ?? null]), [
    [0, 'accepted', null], [1, 'rejected', 'SENDER_NOT_REGISTERED'], [2, 'accepted', null], [3, 'rejected', 'PARAMETER_INVALID'], [4, 'rejected', 'RECIPIENT_INVALID'],
  ]);
  assert.equal(body.results[1]!.clientRef, 'b-2');
  assert.equal(body.results[2]!.messages?.length, 2);
  const empty = await fx.app.inject({ method: 'POST', url: '/api/v1/sms/batch', headers: auth, payload: { messages: [] } });
  assert.equal(empty.json<ErrorJson>().error.name, 'BATCH_EMPTY');
  const large = await fx.app.inject({ method: 'POST', url: '/api/v1/sms/batch', headers: auth, payload: { messages: Array.from({ length: 11 }, () => ({})) } });
  assert.equal(large.statusCode, 413);
  assert.equal(large.json<ErrorJson>().error.name, 'BATCH_TOO_LARGE');
});

test('rate ceiling: 429 RATE_LIMITED with Retry-After once maxTps segments are used', async () => {
  const slow = { authorization: basic('slow') };
  const first = await submitJson({ from: 'ACME', to: ['79161234567', '79161234568'], text: 'x' }, slow);
  assert.equal(first.statusCode, 202, first.body);
  const limited = await submitJson({ from: 'ACME', to: '79161234567', text: 'x' }, slow);
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json<ErrorJson>().error.name, 'RATE_LIMITED');
  assert.equal(limited.headers['retry-after'], '1');
  fx.now += 1000;
  const later = await submitJson({ from: 'ACME', to: '79161234567', text: 'x' }, slow);
  assert.equal(later.statusCode, 202, 'tokens came back after a second');
});

test('queue bound: 429 QUEUE_FULL past maxQueued', async () => {
  const small = { authorization: basic('small') };
  const three = await submitJson({ from: 'ACME', to: ['79161234561', '79161234562', '79161234563'], text: 'x' }, small);
  assert.equal(three.statusCode, 202, three.body);
  const full = await submitJson({ from: 'ACME', to: '79161234567', text: 'x' }, small);
  assert.equal(full.statusCode, 429);
  assert.equal(full.json<ErrorJson>().error.name, 'QUEUE_FULL');
  assert.ok(Number(full.headers['retry-after']) >= 1);
});

test('batch and lookup by clientRef under the unique URL', async () => {
  const response = await fx.app.inject({
    method: 'POST', url: `/c/${ACME_URL_TOKEN}/sms/batch`,
    payload: { messages: [{ from: 'ACME', to: '79161234567', text: 'via URL', clientRef: 'url-batch-1' }] },
  });
  assert.equal(response.statusCode, 200, response.body);
  const id = response.json<{ results: { messages: { id: string }[] }[] }>().results[0]!.messages[0]!.id;
  const lookup = await fx.app.inject({ method: 'GET', url: `/c/${ACME_URL_TOKEN}/messages?clientRef=url-batch-1` });
  assert.equal(lookup.statusCode, 200, lookup.body);
  assert.equal(lookup.json<{ id: string }>().id, id);
});
