import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { CallbackEvent } from '../../daemon/storage/port.js';
import { buildCallbackRequest, xmlEscape } from '../../daemon/dispatch/callback-format.js';

const dlr: CallbackEvent = {
  id: 'ev-1',
  clientId: 'acme' as ClientId,
  kind: 'dlr',
  url: 'https://client.example/dlr?key=abc',
  kannel: false,
  payload: { messageId: 'm-1', status: 'delivered', dlrType: 1, errorCode: null, segments: 2, final: true, text: 'a b&c=d' },
  attempts: 0,
  createdAt: new Date('2026-01-02T03:04:05Z'),
};

test('post-json: eventId and type first, then the payload with its JSON types', () => {
  const request = buildCallbackRequest(dlr, 'post-json');
  assert.equal(request.method, 'POST');
  assert.equal(request.url, dlr.url);
  assert.equal(request.contentType, 'application/json');
  assert.equal(request.signedPart, request.body);
  assert.deepEqual(JSON.parse(request.body ?? ''), {
    eventId: 'ev-1', type: 'dlr', messageId: 'm-1', status: 'delivered', dlrType: 1, errorCode: null, segments: 2, final: true, text: 'a b&c=d',
  });
  assert.ok((request.body ?? '').startsWith('{"eventId":"ev-1","type":"dlr"'));
});

test('post-form: the same flat fields, null as empty, encoded', () => {
  const request = buildCallbackRequest(dlr, 'post-form');
  assert.equal(request.contentType, 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(request.body ?? '');
  assert.equal(form.get('eventId'), 'ev-1');
  assert.equal(form.get('type'), 'dlr');
  assert.equal(form.get('errorCode'), '');
  assert.equal(form.get('final'), 'true');
  assert.equal(form.get('text'), 'a b&c=d');
});

test('get: fields appended to the URL\'s own query string; the signature covers the whole query string', () => {
  const request = buildCallbackRequest(dlr, 'get');
  assert.equal(request.method, 'GET');
  assert.equal(request.body, null);
  const url = new URL(request.url);
  assert.equal(url.searchParams.get('key'), 'abc', 'the client\'s own parameter is kept');
  assert.equal(url.searchParams.get('eventId'), 'ev-1');
  assert.equal(url.searchParams.get('text'), 'a b&c=d');
  assert.equal(request.signedPart, request.url.slice(request.url.indexOf('?') + 1));
  const bare = buildCallbackRequest({ ...dlr, url: 'http://h/x#frag' }, 'get');
  assert.ok(bare.url.startsWith('http://h/x?eventId=ev-1&type=dlr'), bare.url);
});

test('post-xml: one element per field, escaped; parses back to the same values', () => {
  const mo: CallbackEvent = { ...dlr, kind: 'mo', payload: { text: '<b>"R&D"</b> \'x\'', sender: '4670', keyword: null } };
  const request = buildCallbackRequest(mo, 'post-xml');
  assert.equal(request.contentType, 'application/xml; charset=utf-8');
  const body = request.body ?? '';
  assert.ok(!body.includes('<b>'), 'markup in values is escaped');
  const parsed = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(body) as {
    callback: { '@_type': string; eventId: string; text: string; sender: string; keyword: string };
  };
  assert.equal(parsed.callback['@_type'], 'mo');
  assert.equal(parsed.callback.eventId, 'ev-1');
  assert.equal(parsed.callback.text, '<b>"R&D"</b> \'x\'');
  assert.equal(parsed.callback.sender, '4670');
  assert.equal(parsed.callback.keyword, '');
});

test('xmlEscape replaces what XML 1.0 cannot carry and keeps tab, newline and astral characters', () => {
  assert.equal(xmlEscape('a\u0000b\u0007c\td\ne\uD800f😀'), 'a\uFFFDb\uFFFDc\td\ne\uFFFDf😀');
});

test('a Kannel event is a GET of its dlr-url with the escapes filled, whatever the client format', () => {
  const kannel: CallbackEvent = { ...dlr, kannel: true, url: 'http://k/dlr?id=%I&type=%d' };
  const request = buildCallbackRequest(kannel, 'post-json');
  assert.equal(request.method, 'GET');
  assert.equal(request.url, 'http://k/dlr?id=m-1&type=1');
  assert.equal(request.signedPart, 'id=m-1&type=1');
});

test('URLs are serialised as sent, and the signed query string is what goes on the wire', () => {
  const request = buildCallbackRequest({ ...dlr, url: 'http://h/x?note=a b"c' }, 'get');
  assert.ok(request.url.startsWith('http://h/x?note=a%20b%22c&eventId=ev-1'), request.url);
  assert.equal(request.signedPart, request.url.slice(request.url.indexOf('?') + 1));
  assert.equal(buildCallbackRequest({ ...dlr, url: 'http://h/x?a=1&' }, 'get').signedPart.slice(0, 15), 'a=1&eventId=ev-');
  const kannel = buildCallbackRequest({ ...dlr, kannel: true, url: 'http://k/dlr?text=%S' }, 'get');
  assert.equal(kannel.signedPart, new URL(kannel.url).search.slice(1));
});

test('a URL that can never work is refused: invalid, or not http(s)', () => {
  assert.throws(() => buildCallbackRequest({ ...dlr, url: 'not a url' }, 'post-json'), /Invalid URL/);
  assert.throws(() => buildCallbackRequest({ ...dlr, url: 'ftp://h/x' }, 'get'), /not an http\(s\) URL/);
  assert.equal(buildCallbackRequest({ ...dlr, url: 'https://h/x#top' }, 'post-json').url, 'https://h/x');
});
