import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import smpp, { type DecodedMessage, type PDU } from 'smpp';
import { answerDeliveries, bindEsme, closeEsme, request, waitFor } from '../../ops/smsc-sim/esme-client.js';
import { startSmscSimulator, type SmscSimulatorOptions } from '../../ops/smsc-sim/simulator.js';

async function withSimulator(options: Partial<SmscSimulatorOptions>, body: (port: number, simulator: Awaited<ReturnType<typeof startSmscSimulator>>) => Promise<void>): Promise<void> {
  const simulator = await startSmscSimulator({ accounts: [{ systemId: 'esme', password: 'pw', maxBinds: 3 }], ...options });
  try {
    await body(simulator.address().port, simulator);
  } finally {
    await simulator.close();
  }
}

function receiptText(pdu: PDU): string {
  const message = (pdu.short_message as DecodedMessage).message;
  return typeof message === 'string' ? message : message.toString('latin1');
}

function submit(text: string, registeredDelivery: number, destination = '79001234567'): Record<string, unknown> {
  return { source_addr: 'BANK', destination_addr: destination, short_message: { message: text }, registered_delivery: registeredDelivery };
}

test('submit_sm gets a unique id; its receipt comes after the delay with that id in the text and the TLV', async () => {
  await withSimulator({ receiptDelayMs: 150 }, async (port) => {
    const { session } = await bindEsme(port, 'esme', 'pw');
    const receipts: Array<{ pdu: PDU; at: number }> = [];
    answerDeliveries(session, (pdu) => receipts.push({ pdu, at: Date.now() }));
    const sentAt = Date.now();
    const first = await request(session, 'submit_sm', submit('Your code is 1234', 1));
    const second = await request(session, 'submit_sm', submit('Your code is 5678', 1));
    assert.equal(first.command_status, 0);
    assert.match(String(first.message_id), /^[0-9a-f]{10}$/);
    assert.notEqual(first.message_id, second.message_id);
    await waitFor('two receipts', () => receipts.length === 2);
    const receipt = receipts.find(({ pdu }) => pdu.receipted_message_id === first.message_id);
    assert.ok(receipt, 'receipted_message_id carries the submit_sm_resp id');
    assert.ok(receipt.at - sentAt >= 140, `receipt after the delay (${receipt.at - sentAt} ms)`);
    assert.equal(receipt.pdu.esm_class, 0x04);
    assert.equal(receipt.pdu.message_state, 2);
    assert.equal(receipt.pdu.source_addr, '79001234567', 'the receipt comes from the handset');
    assert.equal(receipt.pdu.destination_addr, 'BANK');
    assert.match(receiptText(receipt.pdu),
      new RegExp(`^id:${String(first.message_id)} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:Your code is 1234$`));
    await closeEsme(session);
  });
});

test('decimal receipt text ids: the text carries the hex id in decimal, the TLV keeps the hex', async () => {
  await withSimulator({ receiptDelayMs: 0, receiptTextIdFormat: 'decimal' }, async (port) => {
    const { session } = await bindEsme(port, 'esme', 'pw');
    const receipts: PDU[] = [];
    answerDeliveries(session, (pdu) => receipts.push(pdu));
    const response = await request(session, 'submit_sm', submit('hello', 1));
    await waitFor('receipt', () => receipts.length === 1);
    const hex = String(response.message_id);
    assert.equal(receipts[0]?.receipted_message_id, hex);
    assert.match(receiptText(receipts[0] as PDU), new RegExp(`^id:${Number.parseInt(hex, 16)} `));
    await closeEsme(session);
  });
});

test('decimal message ids everywhere', async () => {
  await withSimulator({ receiptDelayMs: 0, messageIdFormat: 'decimal' }, async (port) => {
    const { session } = await bindEsme(port, 'esme', 'pw');
    const receipts: PDU[] = [];
    answerDeliveries(session, (pdu) => receipts.push(pdu));
    const response = await request(session, 'submit_sm', submit('hello', 1));
    assert.match(String(response.message_id), /^\d+$/);
    await waitFor('receipt', () => receipts.length === 1);
    assert.equal(receipts[0]?.receipted_message_id, response.message_id);
    assert.match(receiptText(receipts[0] as PDU), new RegExp(`^id:${String(response.message_id)} `));
    await closeEsme(session);
  });
});

test('a 100% UNDELIV mix gives UNDELIV receipts with message_state 5; registered_delivery 0 gives none', async () => {
  await withSimulator({ receiptDelayMs: 10, statusMix: { UNDELIV: 1 } }, async (port, simulator) => {
    const { session } = await bindEsme(port, 'esme', 'pw');
    const receipts: PDU[] = [];
    answerDeliveries(session, (pdu) => receipts.push(pdu));
    for (let i = 0; i < 5; i++) await request(session, 'submit_sm', submit(`with receipt ${i}`, 1));
    for (let i = 0; i < 5; i++) await request(session, 'submit_sm', submit(`without receipt ${i}`, 0));
    await waitFor('five receipts', () => receipts.length === 5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(receipts.length, 5, 'no receipt for registered_delivery 0');
    for (const receipt of receipts) {
      assert.match(receiptText(receipt), / dlvrd:000 .* stat:UNDELIV err:001 text:with receipt/);
      assert.equal(receipt.message_state, 5);
    }
    const stats = simulator.stats();
    assert.equal(stats.receipts.byStatus.UNDELIV, 5);
    await waitFor('answers counted', () => simulator.stats().receipts.acknowledged === 5);
    assert.equal(stats.submits.total, 10);
    await closeEsme(session);
  });
});

test('a mixed status mix honours its weights (seeded)', async () => {
  await withSimulator({ receiptDelayMs: 0, statusMix: { DELIVRD: 3, REJECTD: 1 }, seed: 7 }, async (port, simulator) => {
    const { session } = await bindEsme(port, 'esme', 'pw');
    answerDeliveries(session, () => undefined);
    const sends = [];
    for (let i = 0; i < 400; i++) sends.push(request(session, 'submit_sm', submit(`m${i}`, 1)));
    await Promise.all(sends);
    await waitFor('all receipts', () => simulator.stats().receipts.acknowledged === 400);
    const byStatus = simulator.stats().receipts.byStatus;
    assert.equal(byStatus.DELIVRD + byStatus.REJECTD, 400);
    assert.equal(byStatus.UNDELIV + byStatus.EXPIRED, 0);
    assert.ok(byStatus.REJECTD > 60 && byStatus.REJECTD < 140, `about a quarter rejected: ${byStatus.REJECTD}`);
    await closeEsme(session);
  });
});

test('receiptsOnAnyBind sends the receipt on another receiver bind of the account', async () => {
  await withSimulator({ receiptDelayMs: 0, receiptsOnAnyBind: true }, async (port, simulator) => {
    const submitter = await bindEsme(port, 'esme', 'pw', 'transceiver');
    const other = await bindEsme(port, 'esme', 'pw', 'receiver');
    const onSubmitter: PDU[] = [];
    const onOther: PDU[] = [];
    answerDeliveries(submitter.session, (pdu) => onSubmitter.push(pdu));
    answerDeliveries(other.session, (pdu) => onOther.push(pdu));
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await request(submitter.session, 'submit_sm', submit(`cross ${i}`, 1)));
    await waitFor('four receipts', () => onOther.length === 4);
    assert.equal(onSubmitter.length, 0);
    assert.deepEqual(onOther.map((pdu) => pdu.receipted_message_id).sort(), responses.map((pdu) => pdu.message_id).sort());
    const binds = simulator.stats().binds.list;
    assert.deepEqual(binds.map((bind) => bind.receiptsSent), [0, 4]);
    await closeEsme(submitter.session);
    await closeEsme(other.session);
  });
});

test('without receiptsOnAnyBind a transceiver gets its own receipts; a transmitter\'s go to a receiver bind', async () => {
  await withSimulator({ receiptDelayMs: 0 }, async (port) => {
    const transceiver = await bindEsme(port, 'esme', 'pw', 'transceiver');
    const transmitter = await bindEsme(port, 'esme', 'pw', 'transmitter');
    const receiver = await bindEsme(port, 'esme', 'pw', 'receiver');
    const onTransceiver: PDU[] = [];
    const onReceiver: PDU[] = [];
    answerDeliveries(transceiver.session, (pdu) => onTransceiver.push(pdu));
    answerDeliveries(receiver.session, (pdu) => onReceiver.push(pdu));
    const own = await request(transceiver.session, 'submit_sm', submit('own', 1));
    const fromTransmitter = await request(transmitter.session, 'submit_sm', submit('from tx', 1));
    await waitFor('receipts', () => onTransceiver.length + onReceiver.length === 2);
    assert.equal(onTransceiver[0]?.receipted_message_id, own.message_id);
    assert.equal(onReceiver.length + onTransceiver.length, 2);
    const all = [...onTransceiver, ...onReceiver].map((pdu) => pdu.receipted_message_id);
    assert.ok(all.includes(fromTransmitter.message_id));
    for (const bind of [transceiver, transmitter, receiver]) await closeEsme(bind.session);
  });
});

test('a receipt left unanswered when its bind closes is delivered again on the next bind', async () => {
  await withSimulator({ receiptDelayMs: 0 }, async (port, simulator) => {
    const silent = await bindEsme(port, 'esme', 'pw');
    let seenBySilent = 0;
    silent.session.on('deliver_sm', () => seenBySilent++); // never answers
    const response = await request(silent.session, 'submit_sm', submit('redeliver me', 1));
    await waitFor('receipt seen', () => seenBySilent === 1);
    assert.equal(simulator.stats().receipts.unanswered, 1);
    await closeEsme(silent.session);
    const receipts: PDU[] = [];
    const next = await bindEsme(port, 'esme', 'pw', 'receiver', (pdu) => receipts.push(pdu));
    await waitFor('redelivery', () => receipts.length === 1);
    assert.equal(receipts[0]?.receipted_message_id, response.message_id);
    await waitFor('answer counted', () => simulator.stats().receipts.acknowledged === 1);
    const stats = simulator.stats();
    assert.equal(stats.receipts.redelivered, 1);
    assert.equal(stats.receipts.acknowledged, 1);
    assert.equal(stats.receipts.unanswered, 0);
    await closeEsme(next.session);
  });
});

test('duplicates: a submit whose destination and text were already seen is counted', async () => {
  await withSimulator({ captureMessages: 10 }, async (port, simulator) => {
    const { session } = await bindEsme(port, 'esme', 'pw');
    await request(session, 'submit_sm', submit('same text', 0, '79000000001'));
    await request(session, 'submit_sm', submit('same text', 0, '79000000002'));
    await request(session, 'submit_sm', submit('same text', 0, '79000000001'));
    const stats = simulator.stats();
    assert.equal(stats.duplicates.submits, 1);
    assert.equal(stats.duplicates.messages, 1);
    assert.equal(stats.received?.length, 3);
    assert.equal(stats.received?.[2]?.destination, '79000000001');
    assert.equal(stats.received?.[2]?.text, 'same text');
    assert.equal(stats.submitRate.reduce((sum, second) => sum + second.submits, 0), 3, 'the per-second rate counts them');
    simulator.resetStats();
    assert.equal(simulator.stats().duplicates.submits, 0);
    assert.equal(simulator.stats().submits.total, 0);
    await closeEsme(session);
  });
});

test('a submit_sm on a receiver bind is refused with ESME_RINVBNDSTS', async () => {
  await withSimulator({}, async (port) => {
    const { session } = await bindEsme(port, 'esme', 'pw', 'receiver');
    const response = await request(session, 'submit_sm', submit('nope', 0));
    assert.equal(response.command_status, smpp.ESME_RINVBNDSTS);
    await closeEsme(session);
  });
});
