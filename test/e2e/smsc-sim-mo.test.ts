import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { DecodedMessage, PDU, Session } from 'smpp';
import { bindEsme, closeEsme, waitFor } from '../../ops/smsc-sim/esme-client.js';
import { startSmscSimulator, type SimulatorStats, type SmscSimulator } from '../../ops/smsc-sim/simulator.js';

let simulator: SmscSimulator;
let session: Session;
const delivered: PDU[] = [];

before(async () => {
  simulator = await startSmscSimulator({ accounts: [{ systemId: 'mo', password: 'pw', maxBinds: 2 }, { systemId: 'idle', password: 'pw' }], controlPort: 0 });
  ({ session } = await bindEsme(simulator.address().port, 'mo', 'pw', 'receiver', (pdu) => delivered.push(pdu)));
});

after(async () => {
  await closeEsme(session);
  await simulator.close();
});

function decoded(pdu: PDU): DecodedMessage {
  return pdu.short_message as DecodedMessage;
}

/** Joins parts by their concatenation UDH (8- or 16-bit reference), as a handset would. */
function reassemble(parts: readonly PDU[]): string {
  return [...parts]
    .map((pdu) => {
      const element = decoded(pdu).udh?.find((ie) => ie[0] === 0x00 || ie[0] === 0x08);
      assert.ok(element, 'each part has a concatenation UDH');
      return { sequence: element.at(-1) ?? 0, total: element.at(-2) ?? 0, text: String(decoded(pdu).message) };
    })
    .sort((a, b) => a.sequence - b.sequence)
    .map((part) => {
      assert.equal(part.total, parts.length);
      return part.text;
    })
    .join('');
}

async function take(count: number): Promise<PDU[]> {
  await waitFor(`${count} deliver_sm`, () => delivered.length >= count);
  return delivered.splice(0, count);
}

test('a GSM MO arrives as deliver_sm esm_class 0, data_coding 0, decoded to the same text', async () => {
  const text = 'Hello @ £ {world} €5 ÄÖ';
  assert.deepEqual(simulator.injectMo({ from: '79001234567', to: '4444', text }), { parts: 1 });
  const [pdu] = await take(1);
  assert.ok(pdu);
  assert.equal(pdu.esm_class, 0);
  assert.equal(pdu.data_coding, 0);
  assert.equal(pdu.source_addr, '79001234567');
  assert.equal(pdu.destination_addr, '4444');
  assert.equal(decoded(pdu).message, text);
});

test('a Cyrillic MO arrives as UCS-2 (data_coding 8)', async () => {
  const text = 'Привет! Как дела? Ёж';
  simulator.injectMo({ from: '79001234567', to: '4444', text });
  const [pdu] = await take(1);
  assert.ok(pdu);
  assert.equal(pdu.data_coding, 8);
  assert.equal(decoded(pdu).message, text);
});

test('a long Cyrillic MO is split into UCS-2 parts with an 8-bit reference UDH', async () => {
  const text = 'Съешь же ещё этих мягких французских булок, да выпей чаю. '.repeat(3);
  const { parts } = simulator.injectMo({ from: '79001234567', to: '4444', text });
  assert.equal(parts, 3);
  const pdus = await take(3);
  for (const pdu of pdus) {
    assert.equal(pdu.esm_class, 0x40);
    assert.equal(pdu.data_coding, 8);
  }
  assert.equal(reassemble(pdus), text);
});

test('a long GSM MO with a 16-bit reference, and a short one forced into parts', async () => {
  const text = 'A GSM text with escapes {like} [these] and € signs, long enough for two parts. '.repeat(3);
  assert.equal(simulator.injectMo({ from: '79001234567', to: '4444', text, udh: 16 }).parts, 2);
  const pdus = await take(2);
  assert.ok(pdus.every((pdu) => decoded(pdu).udh?.[0]?.[0] === 0x08));
  assert.equal(reassemble(pdus), text);
  assert.equal(simulator.injectMo({ from: '79001234567', to: '4444', text: 'short text', parts: 3 }).parts, 3);
  assert.equal(reassemble(await take(3)), 'short text');
});

test('GSM data_coding with characters outside the alphabet is refused', () => {
  assert.throws(() => simulator.injectMo({ from: '1', to: '2', text: 'Привет', dataCoding: 0 }), /outside the GSM/);
  assert.throws(() => simulator.injectMo({ from: '1', to: '2', text: 'x', systemId: 'nobody' }), /unknown account/);
});

test('an MO for an account without a receiver bind waits until one binds', async () => {
  simulator.injectMo({ from: '79007654321', to: '5555', text: 'waiting for you', systemId: 'idle' });
  assert.equal(simulator.stats().mo.waiting, 1);
  const received: PDU[] = [];
  const idle = await bindEsme(simulator.address().port, 'idle', 'pw', 'transceiver', (pdu) => received.push(pdu));
  await waitFor('waiting MO delivered', () => received.length === 1);
  assert.equal(decoded(received[0] as PDU).message, 'waiting for you');
  await waitFor('answer counted', () => simulator.stats().mo.waiting === 0 && simulator.stats().mo.unanswered === 0);
  await closeEsme(idle.session);
});

test('the control endpoint: POST /mo injects, GET /stats reports, POST /reset zeroes, bad input is a 400', async () => {
  const control = simulator.controlAddress();
  assert.ok(control);
  assert.equal(control.host, '127.0.0.1');
  const base = `http://127.0.0.1:${control.port}`;
  const injected = await fetch(`${base}/mo`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: '79001234567', to: '4444', text: 'через HTTP' }),
  });
  assert.equal(injected.status, 202);
  assert.deepEqual(await injected.json(), { parts: 1 });
  const [pdu] = await take(1);
  assert.equal(decoded(pdu as PDU).message, 'через HTTP');
  await waitFor('answer counted', () => simulator.stats().mo.unanswered === 0);

  const stats = await (await fetch(`${base}/stats`)).json() as SimulatorStats;
  assert.ok(stats.mo.injected >= 1);
  assert.equal(stats.mo.acknowledged, stats.mo.sent);
  assert.equal(stats.binds.open, 1);

  const bad = await fetch(`${base}/mo`, { method: 'POST', body: JSON.stringify({ from: '1', text: 'no destination' }) });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /to/);
  const notJson = await fetch(`${base}/mo`, { method: 'POST', body: '{' });
  assert.equal(notJson.status, 400);
  assert.equal((await fetch(`${base}/nothing`)).status, 404);

  const reset = await fetch(`${base}/reset`, { method: 'POST' });
  assert.equal(reset.status, 200);
  const after = await (await fetch(`${base}/stats`)).json() as SimulatorStats;
  assert.equal(after.mo.injected, 0);
  assert.equal(after.mo.sent, 0);
});
