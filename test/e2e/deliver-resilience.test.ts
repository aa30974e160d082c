import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { startReceiver, waitFor } from './callback-harness.js';
import { simulator, startNode, statusOf, submit, tempDir, type Submitted } from './deliver-harness.js';

async function submitMany(baseUrl: string, count: number, label: string): Promise<Submitted[]> {
  const sent: Submitted[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
      submit(baseUrl, { to: `7916${String(i + j).padStart(7, '0')}`, text: `${label} message ${i + j}`, dlr: true }),
    );
    sent.push(...(await Promise.all(batch)));
  }
  return sent;
}

async function allDelivered(baseUrl: string, sent: readonly Submitted[]): Promise<boolean> {
  const statuses = await Promise.all(sent.map((m) => statusOf(baseUrl, m.id)));
  return statuses.every((s) => s === 'delivered');
}

test('an SMSC that throttles (20/s against a bind configured for 500/s): everything delivered, nothing duplicated', async () => {
  const temp = tempDir();
  const smsc = await simulator({ accounts: [{ systemId: 'smsproc', password: 'secret', maxBinds: 2, tps: 20 }] });
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url });
  try {
    const sent = await submitMany(node.baseUrl, 60, 'throttled');
    await waitFor('60 messages at the SMSC', () => smsc.stats().messages.total >= 60, 20_000);
    await waitFor('all delivered', () => allDelivered(node.baseUrl, sent), 10_000);
    const stats = smsc.stats();
    assert.ok(stats.throttled > 0, 'the SMSC throttled');
    assert.equal(stats.messages.total, 60);
    assert.equal(stats.duplicates.messages, 0);
    assert.equal(stats.duplicates.submits, 0);
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});

test('a dead SMSC restarted on the same port: the bind reconnects and what was queued meanwhile goes out once', async () => {
  const temp = tempDir();
  let smsc = await simulator();
  const port = smsc.address().port;
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: port, callbackUrl: receiver.url });
  try {
    const before = await submitMany(node.baseUrl, 10, 'before');
    await waitFor('delivered before the outage', () => allDelivered(node.baseUrl, before));
    await smsc.close();
    const during = await submitMany(node.baseUrl, 30, 'during');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok((await Promise.all(during.map((m) => statusOf(node.baseUrl, m.id)))).every((s) => s === 'accepted'), 'held while the SMSC is down');
    smsc = await simulator({ port });
    await waitFor('delivered after the restart', () => allDelivered(node.baseUrl, during), 15_000);
    const stats = smsc.stats();
    assert.equal(stats.messages.total, 30);
    assert.equal(stats.duplicates.messages, 0);
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
