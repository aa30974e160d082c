import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { SmscSimulator } from '../../ops/smsc-sim/simulator.js';
import { signatureIsValid, startReceiver, waitFor, type Receiver } from './callback-harness.js';
import { CALLBACK_SECRET, TOKEN, simulator, startNode, statusOf, submit, tempDir, type Node } from './deliver-harness.js';

let smsc: SmscSimulator;
let receiver: Receiver;
let node: Node;
let temp: ReturnType<typeof tempDir>;

before(async () => {
  temp = tempDir();
  smsc = await simulator();
  receiver = await startReceiver(() => ({ status: 200 }));
  node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url });
});

after(async () => {
  await node.close();
  await smsc.close();
  await receiver.close();
  temp.remove();
});

function dlrsOf(messageId: string): { status: string; segments: number; valid: boolean }[] {
  return receiver.received
    .filter((entry) => entry.url === '/dlr')
    .map((entry) => ({ body: JSON.parse(entry.body) as { messageId: string; status: string; segments: number }, valid: signatureIsValid(CALLBACK_SECRET, entry) }))
    .filter(({ body }) => body.messageId === messageId)
    .map(({ body, valid }) => ({ status: body.status, segments: body.segments, valid }));
}

test('HTTP submit → the SMSC receives it → its receipt → a signed DLR callback "delivered"; the status lookup agrees', async () => {
  const sent = await submit(node.baseUrl, { to: '79161230001', text: 'Your code is 1234', dlr: true });
  await waitFor('the DLR callback', () => dlrsOf(sent.id).length > 0);
  const received = smsc.stats().received?.filter((m) => m.destination === '79161230001') ?? [];
  assert.equal(received.length, 1);
  assert.equal(received[0]?.text, 'Your code is 1234');
  assert.equal(received[0]?.source, 'ACME');
  assert.equal(received[0]?.registeredDelivery, 1);
  assert.deepEqual(dlrsOf(sent.id), [{ status: 'delivered', segments: 1, valid: true }]);
  assert.equal(await statusOf(node.baseUrl, sent.id), 'delivered');
});

test('a 3-part message goes as 3 parts with a concatenation UDH and brings one final callback', async () => {
  const text = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ') + ' ' + 'x'.repeat(160);
  const sent = await submit(node.baseUrl, { to: '79161230002', text, dlr: true });
  assert.equal(sent.segments, 3);
  await waitFor('the DLR callback', () => dlrsOf(sent.id).length > 0);
  const parts = smsc.stats().received?.filter((m) => m.destination === '79161230002') ?? [];
  assert.equal(parts.length, 3);
  for (const part of parts) {
    assert.equal(part.esmClass & 0x40, 0x40, 'UDHI set');
    assert.equal(part.part?.total, 3);
  }
  assert.deepEqual(parts.map((p) => p.part?.sequence).sort(), [1, 2, 3]);
  assert.equal(new Set(parts.map((p) => p.part?.reference)).size, 1, 'one reference for the three parts');
  assert.equal(parts.map((p) => p.text).join(''), text);
  // Give stray duplicate callbacks a moment to show up.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(dlrsOf(sent.id), [{ status: 'delivered', segments: 3, valid: true }]);

  // Per-part detail on request: each part's SMSC id as the simulator gave it, its receipt's status and times.
  const lookup = (query: string): Promise<Response> => fetch(`${node.baseUrl}/api/v1/messages/${sent.id}${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const detail = (await (await lookup('?parts=1')).json()) as { parts: { part: number; smscId: string; status: string; smscStatus: string; submittedAt: string | null; doneAt: string | null }[] };
  const bySequence = [...parts].sort((a, b) => (a.part?.sequence ?? 0) - (b.part?.sequence ?? 0));
  assert.deepEqual(detail.parts.map((p) => [p.part, p.smscId, p.status, p.smscStatus]), bySequence.map((m, i) => [i + 1, m.messageId, 'delivered', 'DELIVRD']));
  assert.ok(detail.parts.every((p) => p.submittedAt !== null && p.doneAt !== null));
  assert.equal(((await (await lookup('')).json()) as { parts?: unknown }).parts, undefined, 'no parts unless asked for');
  assert.equal((await lookup('?parts=yes')).status, 400);
});

test('Russian text goes as UCS-2 (data_coding 8) and arrives decoded as sent', async () => {
  const text = 'Привет! Ваш код подтверждения: 5678. Никому его не сообщайте.';
  const sent = await submit(node.baseUrl, { to: '79161230003', text, dlr: true });
  await waitFor('the DLR callback', () => dlrsOf(sent.id).length > 0);
  const received = smsc.stats().received?.filter((m) => m.destination === '79161230003') ?? [];
  assert.equal(received.length, 1);
  assert.equal(received[0]?.dataCoding, 8);
  assert.equal(received[0]?.text, text);
  assert.equal(await statusOf(node.baseUrl, sent.id), 'delivered');
});
