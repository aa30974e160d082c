import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import smpp from 'smpp';
import { startReceiver, waitFor } from './callback-harness.js';
import { SMSC_ACCOUNT, simulator, startNode, statusOf, submit, tempDir } from './deliver-harness.js';
import { startTestSmsc } from './smpp-driver-smsc.js';

test('receipts on the other bind of a two-bind route, with the id in decimal in the text and hex in the TLV: all matched', async () => {
  const temp = tempDir();
  const smsc = await simulator({ receiptsOnAnyBind: true, receiptTextIdFormat: 'decimal' });
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url, route: { binds: 2 } });
  try {
    await waitFor('two binds', () => smsc.stats().binds.open === 2);
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(node.baseUrl, { to: `7916123${String(i).padStart(4, '0')}`, text: `two binds ${i}`, dlr: true })));
    await waitFor('all delivered', async () => (await Promise.all(sent.map((m) => statusOf(node.baseUrl, m.id)))).every((s) => s === 'delivered'));
    await waitFor('20 DLR callbacks', () => receiver.received.filter((e) => e.url === '/dlr').length >= 20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(receiver.received.filter((e) => e.url === '/dlr').length, 20);
    assert.equal(smsc.stats().duplicates.messages, 0);
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});

test('a receipt known only by its TLVs (receipted_message_id, message_state) is matched', async () => {
  const temp = tempDir();
  const smsc = await startTestSmsc({ ...SMSC_ACCOUNT });
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.port, callbackUrl: receiver.url });
  try {
    await waitFor('bound', () => smsc.sessions.length === 1);
    const sent = await submit(node.baseUrl, { to: '79161230401', text: 'tlv receipt', dlr: true });
    await waitFor('submitted', async () => (await statusOf(node.baseUrl, sent.id)) === 'submitted');
    const session = smsc.sessions.at(-1);
    assert.ok(session !== undefined);
    // The test SMSC numbers its answers 1, 2, … in hex: this was the first.
    const answer = await new Promise<number>((resolve) => {
      session.send(
        new smpp.PDU('deliver_sm', { source_addr: '79161230401', destination_addr: 'ACME', esm_class: 0, short_message: '', receipted_message_id: '1', message_state: 2 }),
        (response) => resolve(response.command_status),
      );
    });
    assert.equal(answer, 0);
    await waitFor('delivered', async () => (await statusOf(node.baseUrl, sent.id)) === 'delivered');
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
