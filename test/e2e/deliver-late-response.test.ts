import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import smpp from 'smpp';
import { startReceiver, waitFor } from './callback-harness.js';
import { TOKEN, SMSC_ACCOUNT, startNode, statusOf, submit, tempDir } from './deliver-harness.js';
import { startTestSmsc, type TestSmsc } from './smpp-driver-smsc.js';

/** A delivery receipt for `smscId` on the newest session; resolves with the deliver_sm_resp status. */
function sendReceipt(smsc: TestSmsc, smscId: string): Promise<number> {
  const session = smsc.sessions.at(-1);
  if (session === undefined) return Promise.reject(new Error('no session'));
  const text = `id:${smscId} sub:001 dlvrd:001 submit date:2611260200 done date:2611260201 stat:DELIVRD err:000 text:`;
  return new Promise((resolve) => {
    session.send(new smpp.PDU('deliver_sm', { source_addr: '79161230301', destination_addr: 'ACME', esm_class: 0x04, short_message: text }), (response) => resolve(response.command_status));
  });
}

test('a late submit_sm_resp for one part of a multi-part message records that part\'s SMSC id, so its receipt matches and the message ends delivered', async () => {
  const temp = tempDir();
  // The second submit (part 2 of 2) is answered after 3 s, past the session's 2 s response timeout.
  const smsc = await startTestSmsc({ ...SMSC_ACCOUNT, submitDelayMs: (index) => (index === 1 ? 3_000 : 0) });
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.port, callbackUrl: receiver.url, route: { inDoubtPolicy: 'hold' } });
  const partsOf = async (id: string): Promise<{ smscId: string | null; status: string | null }[]> => {
    const response = await fetch(`${node.baseUrl}/api/v1/messages/${id}?parts=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await response.json()) as { parts: { smscId: string | null; status: string | null }[] }).parts;
  };
  try {
    await waitFor('bound', () => smsc.sessions.length === 1);
    const text = 'x'.repeat(200);
    const sent = await submit(node.baseUrl, { to: '79161230301', text });
    assert.equal(sent.segments, 2);
    // Part 1 was accepted in time: its id is recorded when the outcome of part 2 becomes unknown.
    await waitFor('part 1 recorded', async () => (await partsOf(sent.id))[0]?.smscId === '1', 5_000);
    assert.equal((await partsOf(sent.id))[1]?.smscId, null, 'part 2 unknown until its response');
    await waitFor('part 2 recorded from its late response', async () => (await partsOf(sent.id))[1]?.smscId === '2', 5_000);
    assert.deepEqual((await partsOf(sent.id)).map((p) => p.status), ['submitted', 'submitted']);
    assert.notEqual(await statusOf(node.baseUrl, sent.id), 'delivered');
    assert.equal(await sendReceipt(smsc, '1'), 0);
    assert.equal(await sendReceipt(smsc, '2'), 0);
    await waitFor('delivered from both receipts', async () => (await statusOf(node.baseUrl, sent.id)) === 'delivered', 5_000);
    assert.deepEqual((await partsOf(sent.id)).map((p) => p.status), ['delivered', 'delivered']);
    assert.equal(smsc.counts.submits, 2, 'held in doubt or settled: never sent again');
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
