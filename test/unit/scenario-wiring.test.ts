import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import { callbackSignature } from '../../daemon/dispatch/callback-signature.js';
import { createClientCall } from '../../daemon/scenarios/client-call.js';
import { buildScenarioDirectory } from '../../daemon/scenarios/scenario-directory.js';
import type { ScenarioRecord } from '../../daemon/storage/scenario-port.js';

function record(id: string, clientId: string, bindings: ScenarioRecord['bindings'], source: unknown = { use: 'vote', params: { options: { A: [] } } }): ScenarioRecord {
  return { id, clientId: clientId as ClientId, version: 1, source, bindings, disabled: false, createdAt: new Date(0) };
}

test('the scenario directory: a keyword binding beats the whole-code binding, only for the scenario client, skips what does not compile', () => {
  const directory = buildScenarioDirectory([
    record('vote', 'acme', [{ shortCode: '7700', keyword: 'VOTE', forward: false }]),
    record('all', 'acme', [{ shortCode: '7700', keyword: null, forward: true }]),
    record('theirs', 'other', [{ shortCode: '4444', keyword: 'WIN', forward: false }]),
    record('broken', 'acme', [{ shortCode: '7711', keyword: null, forward: false }], { use: 'vote', params: {} }),
    { ...record('off', 'acme', [{ shortCode: '7722', keyword: null, forward: false }]), disabled: true },
  ]);
  const mo = (shortCode: string, clientId: string, keyword: string, args: string) => ({ shortCode, clientId: clientId as ClientId, keyword, args, text: `${keyword} ${args}`.trim() });
  const byKeyword = directory.find(mo('7700', 'acme', 'VOTE', '1'));
  assert.deepEqual([byKeyword?.scenario.record.id, byKeyword?.text, byKeyword?.binding.forward], ['vote', '1', false]);
  const whole = directory.find(mo('7700', 'acme', 'HELLO', 'there'));
  assert.deepEqual([whole?.scenario.record.id, whole?.text], ['all', 'HELLO there']);
  assert.equal(directory.find(mo('4444', 'acme', 'WIN', '')), null);
  assert.equal(directory.find(mo('4444', 'other', 'WIN', 'x'))?.scenario.record.id, 'theirs');
  assert.equal(directory.find(mo('7711', 'acme', 'X', '')), null);
  assert.equal(directory.find(mo('7722', 'acme', 'X', '')), null);
  assert.deepEqual(directory.problems.map((p) => p.id), ['broken']);
});

test('the client call: signed JSON out; JSON, text/plain, errors and timeouts in', async () => {
  const seen: { signature: string; timestamp: string; eventId: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        signature: String(req.headers['x-smsproc-signature']), timestamp: String(req.headers['x-smsproc-timestamp']),
        eventId: String(req.headers['x-smsproc-event-id']), body: Buffer.concat(chunks).toString('utf8'),
      });
      if (req.url === '/json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"reply":"hi","next":"b","vars":{"n":3,"o":{"x":1}}}');
      else if (req.url === '/text') res.writeHead(200, { 'content-type': 'text/plain' }).end('  plain  ');
      else if (req.url === '/array') res.writeHead(200, { 'content-type': 'application/json' }).end('[1]');
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 500);
      else res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const call = createClientCall();
    const signing = { eventId: 'mo-1', secret: 's3cret' };
    const request = (path: string, timeoutMs = 2000) => ({ url: `${base}${path}`, timeoutMs, body: { from: '7900', text: 'x' } });
    assert.deepEqual(await call(request('/json'), signing), { ok: true, reply: 'hi', next: 'b', vars: { n: '3' } });
    const [first] = seen;
    assert.equal(first?.eventId, 'mo-1');
    assert.equal(first?.body, '{"from":"7900","text":"x"}');
    assert.equal(first?.signature, callbackSignature('s3cret', Number(first?.timestamp), first?.body ?? ''));
    assert.deepEqual(await call(request('/text'), signing), { ok: true, reply: 'plain', next: null, vars: {} });
    assert.deepEqual(await call(request('/array'), signing), { ok: false, error: 'the answer is not a JSON object' });
    assert.deepEqual(await call(request('/fail'), signing), { ok: false, error: 'HTTP 500' });
    const slow = await call(request('/slow', 100), signing);
    assert.equal(slow.ok, false);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
