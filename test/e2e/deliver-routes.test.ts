import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import smpp from 'smpp';
import type { ClientId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import { startReceiver, waitFor } from './callback-harness.js';
import { SMSC_ACCOUNT, simulator, startNode, statusOf, submit, tempDir } from './deliver-harness.js';
import { startTestSmsc } from './smpp-driver-smsc.js';

test('provisioning: a route added starts its bind and carries traffic, a route disabled unbinds', async () => {
  const temp = tempDir();
  const first = await simulator();
  const second = await simulator();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: first.address().port, callbackUrl: receiver.url });
  const uk = {
    id: 'uk' as RouteId, host: '127.0.0.1', port: second.address().port, tls: false, ...SMSC_ACCOUNT, systemType: '',
    bindMode: 'transceiver' as const, binds: 2, windowSize: 5, tps: 100, defaultDataCoding: 0, gsmPacking: 'unpacked' as const,
    concatenation: 'sar' as const, receiptIdFormat: 'auto' as const, inDoubtPolicy: 'hold' as const, sourceTon: 5, sourceNpi: 0,
    destTon: 1, destNpi: 1, disabled: false,
  };
  try {
    await waitFor('the first route bound', () => first.stats().binds.open === 1);
    await node.store.applyProvisioning([{ op: 'route.put', route: uk }, { op: 'prefix.put', prefix: { prefix: '44', routeId: uk.id } }]);
    await waitFor('both binds of the new route', () => second.stats().binds.open === 2);
    await node.provisioning.refresh();
    const sent = await submit(node.baseUrl, { to: '+447700900123', text: 'Hello from the new route', dlr: true });
    await waitFor('delivered on the new route', async () => (await statusOf(node.baseUrl, sent.id)) === 'delivered');
    assert.equal(second.stats().received?.[0]?.destination, '447700900123');
    assert.equal(first.stats().submits.total, 0);
    await node.store.applyProvisioning([{ op: 'route.put', route: { ...uk, disabled: true } }]);
    await waitFor('the disabled route unbound', () => second.stats().binds.open === 0);
    assert.equal(first.stats().binds.open, 1, 'the other route keeps its bind');
    assert.deepEqual(node.delivery.routeIds, ['sim']);
  } finally {
    await node.close();
    await first.close();
    await second.close();
    await receiver.close();
    temp.remove();
  }
});

test('SMSC answers: a permanent refusal ends "rejected", a transient one is retried; an unparseable receipt becomes a problem and the bind goes on', async () => {
  const temp = tempDir();
  // Submit 0 refused for good (invalid destination), submit 1 refused for now (system error), the rest accepted.
  const statuses = [0x0b, 0x08];
  const smsc = await startTestSmsc({ ...SMSC_ACCOUNT, submitStatus: (index) => statuses[index] ?? 0 });
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.port, callbackUrl: receiver.url });
  try {
    await waitFor('bound', () => smsc.sessions.length === 1);
    const refused = await submit(node.baseUrl, { to: '79161230101', text: 'refused' });
    await waitFor('rejected', async () => (await statusOf(node.baseUrl, refused.id)) === 'rejected');
    const view = await node.store.findMessage('acme' as ClientId, { id: refused.id as MessageId });
    assert.equal(view?.errorCode, 0x0b);
    const retried = await submit(node.baseUrl, { to: '79161230102', text: 'retried' });
    await waitFor('submitted after a retry', async () => (await statusOf(node.baseUrl, retried.id)) === 'submitted');
    assert.equal(smsc.counts.submits, 3);
    assert.deepEqual(smsc.accepted, ['79161230102']);

    const session = smsc.sessions.at(-1);
    assert.ok(session !== undefined);
    const answer = await new Promise<number>((resolve) => {
      session.send(
        new smpp.PDU('deliver_sm', { source_addr: '79161230102', destination_addr: 'ACME', esm_class: 0x04, short_message: 'this is no receipt' }),
        (response) => resolve(response.command_status),
      );
    });
    assert.equal(answer, 0, 'answered OK, so the SMSC does not send it again');
    const problems = await node.store.listInboundProblems({ limit: 10, kind: 'receipt-unparsed' });
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.routeId, 'sim');
    const after = await submit(node.baseUrl, { to: '79161230103', text: 'after the problem' });
    await waitFor('the bind goes on', async () => (await statusOf(node.baseUrl, after.id)) === 'submitted');
    assert.equal(smsc.counts.connections, 1);
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});

test('a transmitter+receiver route: submits on the transmitter, the receipt comes on the receiver and is matched', async () => {
  const temp = tempDir();
  const smsc = await simulator();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url, route: { bindMode: 'transmitter+receiver' } });
  try {
    await waitFor('transmitter and receiver bound', () => smsc.stats().binds.open === 2);
    assert.deepEqual(smsc.stats().binds.list.filter((b) => b.closedAt === null).map((b) => b.type).sort(), ['receiver', 'transmitter']);
    const sent = await submit(node.baseUrl, { to: '79161230301', text: 'split binds', dlr: true });
    await waitFor('delivered', async () => (await statusOf(node.baseUrl, sent.id)) === 'delivered');
    assert.equal(smsc.stats().receipts.acknowledged, 1);
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});

test('long messages on udh16, sar and payload routes arrive whole at the SMSC, each as its method sends it', async () => {
  const temp = tempDir();
  const smsc = await simulator();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url });
  const base = {
    host: '127.0.0.1', port: smsc.address().port, tls: false, ...SMSC_ACCOUNT, systemType: '', bindMode: 'transceiver' as const, binds: 1,
    windowSize: 10, tps: 100, defaultDataCoding: 0, gsmPacking: 'unpacked' as const, receiptIdFormat: 'auto' as const,
    inDoubtPolicy: 'hold' as const, sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1, disabled: false,
  };
  const methods = [
    { id: 'u16' as RouteId, concatenation: 'udh16' as const, prefix: '44', to: '+447700900001' },
    { id: 'sar' as RouteId, concatenation: 'sar' as const, prefix: '49', to: '+491701234567' },
    { id: 'pay' as RouteId, concatenation: 'payload' as const, prefix: '33', to: '+33612345678' },
  ];
  try {
    await node.store.applyProvisioning(
      methods.flatMap((m) => [
        { op: 'route.put' as const, route: { ...base, id: m.id, concatenation: m.concatenation } },
        { op: 'prefix.put' as const, prefix: { prefix: m.prefix, routeId: m.id } },
      ]),
    );
    await waitFor('four binds', () => smsc.stats().binds.open === 4);
    await node.provisioning.refresh();
    const text = Array.from({ length: 50 }, (_, i) => `part${i}`).join(' ');
    const sent = await Promise.all(methods.map((m) => submit(node.baseUrl, { to: m.to, text: `${m.concatenation}: ${text}`, dlr: true })));
    await waitFor('all delivered', async () => (await Promise.all(sent.map((m) => statusOf(node.baseUrl, m.id)))).every((s) => s === 'delivered'));
    const received = smsc.stats().received ?? [];
    for (const m of methods) {
      const parts = received.filter((r) => r.destination === m.to.slice(1));
      assert.equal(parts.map((p) => p.text).join(''), `${m.concatenation}: ${text}`, m.concatenation);
      if (m.concatenation === 'payload') assert.equal(parts.length, 1);
      else assert.deepEqual([parts.length, parts[0]?.part?.kind], [3, m.concatenation], m.concatenation);
    }
    assert.equal(smsc.stats().messages.total, 3);
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
