import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import smpp, { type Session } from 'smpp';
import { startReceiver, waitFor, type Receiver } from './callback-harness.js';
import { SHORT_CODE, SMSC_ACCOUNT, startNode, statusOf, submit, tempDir } from './deliver-harness.js';
import { startTestSmsc, type TestSmsc } from './smpp-driver-smsc.js';

/** Sends part `seq` of `total` (8-bit reference) of an MO on the newest session; resolves with the deliver_sm_resp status. */
function deliverPart(smsc: TestSmsc, from: string, reference: number, total: number, seq: number, text: string): Promise<number> {
  const session: Session | undefined = smsc.sessions.at(-1);
  if (session === undefined) return Promise.reject(new Error('no session'));
  const udh = Buffer.from([5, 0, 3, reference, total, seq]);
  return new Promise((resolve) => {
    session.send(
      new smpp.PDU('deliver_sm', { source_addr: from, destination_addr: SHORT_CODE, esm_class: 0x40, data_coding: 8, short_message: Buffer.concat([udh, Buffer.from(text, 'utf16le').swap16()]) }),
      (response) => resolve(response.command_status),
    );
  });
}

function mosFrom(receiver: Receiver, from: string): { text: string; partial: boolean; missingParts: string }[] {
  return receiver.received
    .filter((e) => e.url === '/mo')
    .map((e) => JSON.parse(e.body) as { from: string; text: string; partial: boolean; missingParts: string })
    .filter((mo) => mo.from === from)
    .map(({ text, partial, missingParts }) => ({ text, partial, missingParts }));
}

test('MO parts are held durably: a part answered before a restart joins its set after it; a set missing a part is forwarded partial at its timeout', async () => {
  const temp = tempDir();
  const smsc = await startTestSmsc({ ...SMSC_ACCOUNT });
  const receiver = await startReceiver(() => ({ status: 200 }));
  const dbPath = `${temp.dir}/smsproc.db`;
  let node = await startNode({ dbPath, smscPort: smsc.port, callbackUrl: receiver.url, inbound: { reassemblyTimeoutMs: 1_500 } });
  try {
    await waitFor('bound', () => smsc.sessions.length === 1);
    assert.equal(await deliverPart(smsc, '79005550101', 17, 2, 1, 'Первая часть, '), 0);
    await node.close();
    await waitFor('unbound', () => smsc.sessions.length === 0);
    node = await startNode({ dbPath, smscPort: smsc.port, callbackUrl: receiver.url, inbound: { reassemblyTimeoutMs: 1_500 } });
    await waitFor('bound again', () => smsc.sessions.length === 1);
    assert.equal(await deliverPart(smsc, '79005550101', 17, 2, 2, 'вторая часть'), 0);
    await waitFor('the whole MO', () => mosFrom(receiver, '79005550101').length === 1);
    assert.equal(mosFrom(receiver, '79005550101')[0]?.text, 'Первая часть, вторая часть');
    assert.equal(mosFrom(receiver, '79005550101')[0]?.partial, false);

    assert.equal(await deliverPart(smsc, '79005550102', 18, 3, 1, 'one '), 0);
    assert.equal(await deliverPart(smsc, '79005550102', 18, 3, 3, 'three'), 0);
    await waitFor('the partial MO after its timeout', () => mosFrom(receiver, '79005550102').length === 1, 5_000);
    const [partial] = mosFrom(receiver, '79005550102');
    assert.equal(partial?.partial, true);
    assert.equal(partial?.text, 'one three');
    assert.equal(partial?.missingParts, '2');
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});

test('a submit whose response never comes is left in doubt; with the route policy "hold" it is not sent again', async () => {
  const temp = tempDir();
  const smsc = await startTestSmsc({ ...SMSC_ACCOUNT });
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.port, callbackUrl: receiver.url, route: { inDoubtPolicy: 'hold' } });
  try {
    await waitFor('bound', () => smsc.sessions.length === 1);
    smsc.silenceAll();
    const sent = await submit(node.baseUrl, { to: '79161230201', text: 'into the void' });
    await waitFor('in doubt', async () => (await statusOf(node.baseUrl, sent.id)) === 'in_doubt', 15_000);
    await waitFor('a new connection', () => smsc.counts.connections >= 2, 10_000);
    await waitFor('bound again', () => smsc.counts.binds >= 2, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(await statusOf(node.baseUrl, sent.id), 'in_doubt');
    assert.equal(smsc.accepted.length, 0, 'held: not sent again');
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
