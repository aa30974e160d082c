import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createLogger } from '../../daemon/log.js';
import { EsmeDriver, type EsmeDriverEvent } from '../../daemon/smpp/esme-driver.js';
import { receiptFromPdu } from '../../daemon/smpp/receipt-parser.js';
import { sessionConfig } from '../../daemon/smpp/session-config.js';
import type { SubmitOutcome } from '../../daemon/smpp/session-types.js';
import { startSmscSimulator } from '../../ops/smsc-sim/simulator.js';
import { submitSm } from '../unit/smpp-session-harness.js';
import { waitFor } from './smpp-driver-smsc.js';

test('against the SMSC simulator: a bind configured above the SMSC rate adapts, every message accepted once, every receipt answered', async () => {
  const simulator = await startSmscSimulator({ accounts: [{ systemId: 'route1', password: 'secret', tps: 200 }], receiptDelayMs: 20, seed: 7 });
  const driver = new EsmeDriver<number>({
    host: '127.0.0.1',
    port: simulator.address().port,
    // Twice what the SMSC allows: its ESME_RTHROTTLED answers must bring the rate down.
    session: sessionConfig({ bindKind: 'transceiver', systemId: 'route1', password: 'secret', windowSize: 20, tps: 400, throttle: { pauseMs: 200 } }),
    logger: createLogger('silent'),
  });
  const events: EsmeDriverEvent<number>[] = [];
  driver.onEvent((event) => events.push(event));
  const receiptIds: string[] = [];
  driver.onDeliver((pdu, answer) => {
    const receipt = receiptFromPdu(pdu);
    if (receipt.ok && receipt.receipt.id !== null) receiptIds.push(receipt.receipt.id);
    // Answer after an asynchronous "commit", as dispatch does.
    setImmediate(() => answer());
  });
  try {
    driver.start();
    await waitFor('bound', () => driver.state === 'bound');
    const submitOnce = async (i: number): Promise<SubmitOutcome> => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const outcome = await driver.submit({ ...submitSm(`message ${i}`), destinationAddr: `3706${String(i).padStart(7, '0')}` }, i);
        if (outcome.kind !== 'retry') return outcome;
      }
      throw new Error(`message ${i} throttled 200 times`);
    };
    const outcomes = await Promise.all(Array.from({ length: 400 }, (_, i) => submitOnce(i)));
    const messageIds = outcomes.map((o) => (o.kind === 'accepted' && o.response.command === 'submit_sm_resp' ? o.response.messageId : ''));
    assert.equal(new Set(messageIds).size, 400);
    assert.ok(!messageIds.includes(''));
    await waitFor('400 receipts', () => receiptIds.length === 400, 10_000);
    await waitFor('receipts acknowledged', () => simulator.stats().receipts.acknowledged === 400);
    const stats = simulator.stats();
    assert.equal(stats.messages.total, 400);
    assert.equal(stats.duplicates.messages, 0);
    assert.ok(stats.throttled > 0, 'the SMSC throttled');
    assert.ok(events.some((e) => e.type === 'throttled'), 'and the bind slowed down');
    assert.deepEqual(new Set(receiptIds.map((id) => id.toLowerCase())), new Set(messageIds.map((id) => id.toLowerCase())));
  } finally {
    await driver.stop();
    await simulator.close();
  }
});
