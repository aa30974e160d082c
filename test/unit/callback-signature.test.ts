import { strict as assert } from 'node:assert';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { test } from 'node:test';
import { CallbackHeader, callbackHeaders, callbackSignature } from '../../daemon/dispatch/callback-signature.js';

/** What a client does (docs/callbacks.md): recompute and compare in constant time. */
function clientVerifies(secret: string, headers: Record<string, string>, signedPart: string): boolean {
  const timestamp = headers[CallbackHeader.timestamp] ?? '';
  const expected = 'sha256=' + createHmac('sha256', secret).update(timestamp + '.' + signedPart).digest('hex');
  const given = Buffer.from(headers[CallbackHeader.signature] ?? '');
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}

test('the signature is HMAC-SHA256 over "timestamp.body", hex, prefixed sha256=', () => {
  const headers = callbackHeaders('ev-9', 's3cret', 1_767_000_000, '{"eventId":"ev-9"}');
  assert.equal(headers[CallbackHeader.eventId], 'ev-9');
  assert.equal(headers[CallbackHeader.timestamp], '1767000000');
  assert.match(headers[CallbackHeader.signature] ?? '', /^sha256=[0-9a-f]{64}$/);
  assert.ok(clientVerifies('s3cret', headers, '{"eventId":"ev-9"}'));
});

test('another secret, body or timestamp does not verify', () => {
  const headers = callbackHeaders('ev-9', 's3cret', 1_767_000_000, 'a=1');
  assert.ok(!clientVerifies('other', headers, 'a=1'));
  assert.ok(!clientVerifies('s3cret', headers, 'a=2'));
  assert.ok(!clientVerifies('s3cret', { ...headers, [CallbackHeader.timestamp]: '1767000001' }, 'a=1'));
});

test('a known vector: non-ASCII bodies are signed as UTF-8', () => {
  const expected = createHmac('sha256', Buffer.from('k', 'utf8')).update(Buffer.from('5.привет', 'utf8')).digest('hex');
  assert.equal(callbackSignature('k', 5, 'привет'), `sha256=${expected}`);
});
