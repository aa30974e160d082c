import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import smpp, { type PDU } from 'smpp';
import { bindEsme, closeEsme, request } from '../../ops/smsc-sim/esme-client.js';
import { startSmscSimulator } from '../../ops/smsc-sim/simulator.js';
import { SlidingWindowLimiter } from '../../ops/smsc-sim/sliding-window.js';

test('the sliding window accepts tps submits in any 1000 ms and frees a slot exactly a second later', () => {
  const limiter = new SlidingWindowLimiter(3);
  assert.deepEqual([0, 10, 20, 30].map((at) => limiter.tryAcquire(at)), [true, true, true, false]);
  assert.equal(limiter.tryAcquire(999), false);
  assert.equal(limiter.tryAcquire(1000), true, 'the submit at 0 left the window');
  assert.equal(limiter.tryAcquire(1005), false);
  assert.equal(limiter.tryAcquire(1010), true);
  const unlimited = new SlidingWindowLimiter(0);
  for (let i = 0; i < 1000; i++) assert.equal(unlimited.tryAcquire(0), true);
});

test('submits above the bind\'s TPS get ESME_RTHROTTLED (0x58), counted per bind', async () => {
  const simulator = await startSmscSimulator({ accounts: [{ systemId: 'slow', password: 'pw', maxBinds: 2, tps: 20 }] });
  try {
    const first = await bindEsme(simulator.address().port, 'slow', 'pw');
    const second = await bindEsme(simulator.address().port, 'slow', 'pw');
    const burst = (session: typeof first.session): Promise<PDU[]> => Promise.all(Array.from({ length: 50 }, (_, i) =>
      request(session, 'submit_sm', { destination_addr: `7900000${String(i).padStart(4, '0')}`, short_message: `burst ${i}` })));
    const startedAt = Date.now();
    const [onFirst, onSecond] = await Promise.all([burst(first.session), burst(second.session)]);
    assert.ok(Date.now() - startedAt < 900, 'the burst fits in one window');
    for (const responses of [onFirst, onSecond]) {
      const statuses = responses.map((pdu) => pdu.command_status);
      assert.equal(statuses.filter((status) => status === 0).length, 20, 'the limit is per bind');
      assert.equal(statuses.filter((status) => status === smpp.ESME_RTHROTTLED).length, 30);
      assert.equal(smpp.ESME_RTHROTTLED, 0x58);
    }
    const stats = simulator.stats();
    assert.equal(stats.throttled, 60);
    assert.equal(stats.submits.total, 40);
    assert.deepEqual(stats.binds.list.map((bind) => bind.throttled), [30, 30]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const later = await request(first.session, 'submit_sm', { destination_addr: '79001112233', short_message: 'after a second' });
    assert.equal(later.command_status, 0, 'accepted again once the window moved on');
    await closeEsme(first.session);
    await closeEsme(second.session);
  } finally {
    await simulator.close();
  }
});

test('a window of 100 outstanding submits with receipts: every submit answered, every receipt delivered, no duplicates', async () => {
  const simulator = await startSmscSimulator({ accounts: [{ systemId: 'fast', password: 'pw' }], receiptDelayMs: 20 });
  try {
    let receipts = 0;
    const { session } = await bindEsme(simulator.address().port, 'fast', 'pw', 'transceiver', () => receipts++);
    const total = 3000;
    let sent = 0;
    const ids = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const next = (): void => {
        if (sent >= total) return;
        const index = sent++;
        request(session, 'submit_sm', { destination_addr: `79${String(index).padStart(9, '0')}`, short_message: `load ${index}`, registered_delivery: 1 })
          .then((pdu) => {
            if (pdu.command_status !== 0) throw new Error(`status ${pdu.command_status}`);
            ids.add(String(pdu.message_id));
            if (ids.size === total) resolve();
            else next();
          })
          .catch(reject);
      };
      for (let i = 0; i < 100; i++) next();
    });
    const deadline = Date.now() + 5000;
    while (simulator.stats().receipts.acknowledged < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const stats = simulator.stats();
    assert.equal(ids.size, total, 'message ids are unique');
    assert.equal(stats.receipts.acknowledged, total);
    assert.equal(receipts, total);
    assert.equal(stats.duplicates.submits, 0);
    assert.equal(stats.messages.total, total);
    await closeEsme(session);
  } finally {
    await simulator.close();
  }
});
