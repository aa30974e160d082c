import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { ACME_PASSWORD, openApiFixture, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;
before(async () => {
  fx = await openApiFixture();
});
after(async () => fx.close());

const credentials = `username=acme&password=${ACME_PASSWORD}`;

function sendsms(query: string) {
  return fx.app.inject({ method: 'GET', url: `/cgi-bin/sendsms?${query}` });
}

test('Kannel: accepted for delivery, 202, several recipients separated by spaces', async () => {
  const response = await sendsms(`${credentials}&from=ACME&to=79161234567+79161234568&text=Hello+world&dlr-mask=3&dlr-url=http%3A%2F%2Fexample.com%2Fdlr%3Fid%3D%25d`);
  assert.equal(response.statusCode, 202, response.body);
  assert.equal(response.body, '0: Accepted for delivery');
  const balance = await fx.app.inject({ method: 'GET', url: `/api/v1/balance?${credentials}` });
  assert.equal(balance.json<{ queued: number }>().queued, 2);
});

test('Kannel: deferred → 3: Queued for later delivery', async () => {
  const response = await sendsms(`${credentials}&from=ACME&to=79161234567&text=later&deferred=10`);
  assert.equal(response.statusCode, 202);
  assert.equal(response.body, '3: Queued for later delivery');
});

test('Kannel: POST form with user/pass, coding=2 text in UTF-16BE by default', async () => {
  const utf16 = Buffer.from('\u041f\u0440\u0438\u0432\u0435\u0442', 'utf16le').swap16();
  const text = [...utf16].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  const response = await fx.app.inject({
    method: 'POST', url: '/cgi-bin/sendsms', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `user=acme&pass=${ACME_PASSWORD}&from=ACME&to=79161234567&coding=2&text=${text}`,
  });
  assert.equal(response.statusCode, 202, response.body);
});

test('Kannel: charset names the text encoding (windows-1251)', async () => {
  const response = await sendsms(`${credentials}&from=ACME&to=79161234567&charset=windows-1251&text=%CF%F0%E8%E2%E5%F2`);
  assert.equal(response.statusCode, 202, response.body);
});

const refusals: readonly [string, string, number, string][] = [
  ['wrong password', 'username=acme&password=x&from=ACME&to=79161234567&text=x', 403, 'Authorization failed for sendsms'],
  ['no credentials', 'from=ACME&to=79161234567&text=x', 403, 'Authorization failed for sendsms'],
  ['disabled account', `username=off&password=${ACME_PASSWORD}&from=ACME&to=79161234567&text=x`, 403, 'Authorization failed for sendsms'],
  ['no to', `${credentials}&from=ACME&text=x`, 400, 'Missing receiver number, rejected'],
  ['empty to', `${credentials}&from=ACME&to=&text=x`, 400, 'Empty receiver number not allowed, rejected'],
  ['no from', `${credentials}&to=79161234567&text=x`, 400, 'Sender missing and no global set, rejected'],
  ['bad dlr-url', `${credentials}&from=ACME&to=79161234567&text=x&dlr-url=ftp%3A%2F%2Fx`, 400, 'DLR-URL field misformed, rejected'],
  ['bad dlr-mask', `${credentials}&from=ACME&to=79161234567&text=x&dlr-mask=99`, 400, 'DLR-Mask field misformed, rejected'],
  ['bad coding', `${credentials}&from=ACME&to=79161234567&text=x&coding=5`, 400, 'Coding field misformed, rejected'],
  ['bad validity', `${credentials}&from=ACME&to=79161234567&text=x&validity=-5`, 400, 'Validity field misformed, rejected'],
  ['bad deferred', `${credentials}&from=ACME&to=79161234567&text=x&deferred=abc`, 400, 'Deferred field misformed, rejected'],
  ['bad priority', `${credentials}&from=ACME&to=79161234567&text=x&priority=7`, 400, 'Priority field misformed, rejected'],
  ['bad charset', `${credentials}&from=ACME&to=79161234567&text=x&charset=klingon`, 400, 'Charset or body misformed, rejected'],
  ['no route', `${credentials}&from=ACME&to=33612345678&text=x`, 403, 'Not routable. Do not try again.'],
];

for (const [name, query, status, body] of refusals) {
  test(`Kannel refusal: ${name} → ${status} "${body}"`, async () => {
    const response = await sendsms(query);
    assert.equal(response.statusCode, status);
    assert.equal(response.body, body);
  });
}

test('Kannel: conditions Kannel has no words for keep the registry message', async () => {
  const response = await sendsms(`${credentials}&from=Nope&to=79161234567&text=x`);
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /Sender "Nope" is not registered/);
  const udh = await sendsms(`${credentials}&from=ACME&to=79161234567&text=x&udh=%05%00%03%01%02%01`);
  assert.equal(udh.statusCode, 400);
  assert.match(udh.body, /Parameter "udh" is not valid/);
  const binary = await sendsms(`${credentials}&from=ACME&to=79161234567&text=x&coding=1`);
  assert.equal(binary.statusCode, 400);
  assert.match(binary.body, /Coding "8bit" is not supported/);
});

test('Kannel: rate ceiling → 503 temporal failure with Retry-After', async () => {
  const slow = `username=slow&password=${ACME_PASSWORD}&from=ACME&text=x`;
  assert.equal((await sendsms(`${slow}&to=79161234567+79161234568`)).statusCode, 202);
  const limited = await sendsms(`${slow}&to=79161234567`);
  assert.equal(limited.statusCode, 503);
  assert.equal(limited.body, 'Temporal failure, try again later.');
  assert.equal(limited.headers['retry-after'], '1');
});
