import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { bindIdOf, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { CallbackEvent, Store, SubmitResult } from '../../daemon/storage/port.js';
import { clientPut, everyChannel, receipt, request, route, sleep, submission } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const acme = 'acme' as ClientId;
const mts = 'mts-1' as RouteId;
const bind0 = bindIdOf(mts, 0);
const kannelUrl = 'http://kannel.test/dlr?type=%d&id=%I';

async function provision(store: Store, client: Parameters<typeof clientPut>[1] = {}): Promise<void> {
  await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme', client) }]);
}

/** Enqueues one message and claims it on bind 0; returns its id and the epoch. */
async function inFlight(store: Store, overrides: Parameters<typeof submission>[2] = {}): Promise<{ id: MessageId; epoch: number }> {
  const message = submission('acme', 'mts-1', overrides);
  await store.enqueueMt([request('acme', [message])]);
  const epoch = await store.acquireBindEpoch(bind0);
  const claimed = await store.claimMt({ routeId: mts, bindId: bind0, epoch, owner: 'node-a', limit: 10, leaseMs: 60_000 });
  assert.ok(claimed.some((m) => m.id === message.id));
  return { id: message.id, epoch };
}

/** A message submitted with the given SMSC ids (one per segment). */
async function submitted(store: Store, smscIds: readonly string[], extra: Partial<SubmitResult> = {}, overrides: Parameters<typeof submission>[2] = {}): Promise<MessageId> {
  const { id, epoch } = await inFlight(store, { segments: smscIds.length, ...overrides });
  assert.deepEqual((await store.ackMt(bind0, epoch, [{ id, smscIds, ...extra }])).applied, [id]);
  return id;
}

async function events(store: Store): Promise<readonly CallbackEvent[]> {
  return store.claimCallbacks({ owner: 'sender-1', limit: 100, perClientLimit: 100, leaseMs: 60_000, scope: everyChannel('acme') });
}

async function statusOf(store: Store, id: MessageId): Promise<string | undefined> {
  return (await store.findMessage(acme, { id }))?.status;
}

export function defineReceiptTests(factory: StoreFactory): void {
  test('receipts: a receipt naming the SMSC id ends the message and raises one DLR event with its fields', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const id = await submitted(store, ['0a1b'], {}, { clientRef: 'ref-1' });
      const outcome = await store.applyReceipt(receipt(['0a1b'], 'delivered'));
      assert.equal(outcome.kind, 'matched');
      assert.ok(outcome.kind === 'matched');
      assert.deepEqual({ ...outcome, eventId: typeof outcome.eventId }, {
        kind: 'matched', messageId: id, clientId: acme, segment: 0, messageStatus: 'delivered', final: true, eventId: 'string',
      });
      const view = await store.findMessage(acme, { id });
      assert.equal(view?.status, 'delivered');
      assert.ok(view?.doneAt);
      assert.equal(view.history.at(-1)?.status, 'delivered');
      const [event, ...more] = await events(store);
      assert.deepEqual(more, []);
      assert.ok(event);
      assert.equal(event.id, outcome.eventId);
      assert.equal(event.kind, 'dlr');
      assert.equal(event.kannel, false);
      assert.equal(event.url, 'https://example.test/dlr');
      assert.equal(event.attempts, 0);
      assert.equal(event.payload.messageId, id);
      assert.equal(event.payload.clientRef, 'ref-1');
      assert.equal(event.payload.status, 'delivered');
      assert.equal(event.payload.smscStatus, 'DELIVRD');
      assert.equal(event.payload.errorCode, '000');
      assert.equal(event.payload.recipient, '79161234567');
      assert.equal(event.payload.sender, 'ACME');
      assert.equal(event.payload.segments, 1);
      assert.equal(typeof event.payload.submittedAt, 'string');
      assert.equal(typeof event.payload.doneAt, 'string');
    }));

  test('receipts: a receipt naming an alternate match key (decimal for a hex id) finds its segment', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const id = await submitted(store, ['0a1b'], { smscMatchKeys: [['0a1b', '2587']] });
      const outcome = await store.applyReceipt(receipt(['2587'], 'undeliverable'));
      assert.ok(outcome.kind === 'matched');
      assert.equal(outcome.messageId, id);
      assert.equal(outcome.messageStatus, 'undeliverable');
      assert.equal(await statusOf(store, id), 'undeliverable');
      assert.deepEqual((await store.applyReceipt(receipt(['9999'], 'delivered'))).kind, 'held', 'an unknown id is held');
    }));

  test('receipts: a receipt before its submit_sm_resp is held, then applied by the ack, event included', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const { id, epoch } = await inFlight(store);
      assert.deepEqual(await store.applyReceipt(receipt(['77'], 'delivered')), { kind: 'held' });
      assert.equal(await statusOf(store, id), 'accepted');
      assert.deepEqual(await events(store), []);
      assert.deepEqual((await store.ackMt(bind0, epoch, [{ id, smscIds: ['77'] }])).applied, [id]);
      assert.equal(await statusOf(store, id), 'delivered');
      const raised = await events(store);
      assert.deepEqual(raised.map((e) => [e.payload.messageId, e.payload.status]), [[id, 'delivered']]);
      assert.equal((await store.sweepMt()).receiptsUnmatched, 0, 'the applied receipt is no longer held');
    }));

  test('receipts: a 3-part message is delivered only when all 3 segments are', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const id = await submitted(store, ['a1', 'a2', 'a3']);
      const first = await store.applyReceipt(receipt(['a1'], 'delivered'));
      assert.ok(first.kind === 'matched');
      assert.deepEqual([first.segment, first.messageStatus, first.final, first.eventId], [0, 'submitted', false, null]);
      const intermediate = await store.applyReceipt(receipt(['a3'], 'submitted'));
      assert.ok(intermediate.kind === 'matched');
      assert.deepEqual([intermediate.messageStatus, intermediate.final], ['submitted', false], 'ENROUTE changes nothing');
      await store.applyReceipt(receipt(['a3'], 'delivered'));
      assert.equal(await statusOf(store, id), 'submitted');
      assert.deepEqual(await events(store), []);
      const last = await store.applyReceipt(receipt(['a2'], 'delivered'));
      assert.ok(last.kind === 'matched');
      assert.deepEqual([last.segment, last.messageStatus, last.final], [1, 'delivered', true]);
      assert.equal(await statusOf(store, id), 'delivered');
      assert.equal((await events(store)).length, 1);
    }));

  test('receipts: one undeliverable segment makes the message undeliverable once every segment is final', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const id = await submitted(store, ['b1', 'b2', 'b3']);
      await store.applyReceipt(receipt(['b1'], 'delivered'));
      const bad = await store.applyReceipt(receipt(['b2'], 'undeliverable'));
      assert.ok(bad.kind === 'matched');
      assert.deepEqual([bad.messageStatus, bad.final], ['submitted', false], 'not final while b3 is pending');
      const last = await store.applyReceipt(receipt(['b3'], 'delivered'));
      assert.ok(last.kind === 'matched');
      assert.deepEqual([last.messageStatus, last.final], ['undeliverable', true]);
      const view = await store.findMessage(acme, { id });
      assert.equal(view?.status, 'undeliverable');
      assert.deepEqual(view.history.map((e) => e.status), ['accepted', 'submitted', 'submitted', 'submitted', 'undeliverable'],
        'segments before the last are noted under the message status');
      assert.match(view.history[3]?.detail ?? '', /segment 2 of 3 undeliverable/);
      assert.deepEqual((await events(store)).map((e) => e.payload.status), ['undeliverable']);
    }));

  test('receipts: the same receipt twice is a duplicate and raises no second event', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const id = await submitted(store, ['c1']);
      assert.equal((await store.applyReceipt(receipt(['c1'], 'delivered'))).kind, 'matched');
      assert.deepEqual(await store.applyReceipt(receipt(['c1'], 'delivered')), { kind: 'duplicate', messageId: id });
      const contradicting = await store.applyReceipt(receipt(['c1'], 'undeliverable'));
      assert.ok(contradicting.kind === 'matched');
      assert.deepEqual([contradicting.messageStatus, contradicting.final, contradicting.eventId], ['delivered', true, null], 'a final status never changes');
      assert.deepEqual((await store.findMessage(acme, { id }))?.history.map((e) => e.status), ['accepted', 'submitted', 'delivered']);
      assert.deepEqual([...(await store.callbackBacklog())], [[acme, 1]]);
    }));

  test('receipts: no event when the message did not ask for receipts or the client has no DLR URL', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const quiet = await submitted(store, ['d1'], {}, { dlrRequested: false });
      const outcome = await store.applyReceipt(receipt(['d1'], 'delivered'));
      assert.ok(outcome.kind === 'matched');
      assert.deepEqual([outcome.final, outcome.eventId], [true, null]);
      assert.equal(await statusOf(store, quiet), 'delivered');
      await provision(store, { dlrUrl: null });
      await submitted(store, ['d2']);
      const noUrl = await store.applyReceipt(receipt(['d2'], 'delivered'));
      assert.ok(noUrl.kind === 'matched');
      assert.equal(noUrl.eventId, null);
      assert.deepEqual(await events(store), []);
    }));

  test('receipts: a message submitted over SMPP sends its receipt over SMPP (url smpp:), whatever the client\'s DLR URL', () =>
    withStore(factory, {}, async (store) => {
      await provision(store, { dlrUrl: null });
      const id = await submitted(store, ['s1'], {}, { source: 'smpp' });
      const outcome = await store.applyReceipt(receipt(['s1'], 'delivered'));
      assert.ok(outcome.kind === 'matched' && outcome.eventId !== null);
      const [event, ...more] = await events(store);
      assert.deepEqual(more, []);
      assert.deepEqual([event?.url, event?.kind, event?.kannel, event?.payload.messageId], ['smpp:', 'dlr', false, id]);
    }));

  test('receipts: a Kannel dlr-mask gets exactly its bits (8 on submit, 1 on delivery), at its dlr-url', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const kannel = { source: 'kannel', kannelDlrUrl: kannelUrl, kannelDlrMask: 1 | 8 } as const;
      const id = await submitted(store, ['e1'], {}, kannel);
      const [onSubmit, ...none] = await events(store);
      assert.deepEqual(none, []);
      assert.ok(onSubmit);
      assert.deepEqual([onSubmit.kannel, onSubmit.url, onSubmit.payload.dlrType, onSubmit.payload.status, onSubmit.payload.messageId],
        [true, kannelUrl, 8, 'submitted', id]);
      await store.applyReceipt(receipt(['e1'], 'delivered'));
      const [onDelivery] = await events(store);
      assert.deepEqual([onDelivery?.payload.dlrType, onDelivery?.payload.status, onDelivery?.payload.smscId], [1, 'delivered', 'e1']);
      assert.equal(typeof onDelivery?.payload.receiptText, 'string');
      assert.equal(typeof onDelivery?.payload.time, 'number');
      // Mask 16 only: neither the submit (8) nor the failure (2) is reported.
      await submitted(store, ['e2'], {}, { ...kannel, kannelDlrMask: 16 });
      const unmasked = await store.applyReceipt(receipt(['e2'], 'undeliverable'));
      assert.ok(unmasked.kind === 'matched');
      assert.equal(unmasked.eventId, null);
      assert.deepEqual(await events(store), []);
    }));

  test('receipts: a Kannel dlr-mask with bit 4 hears of a message left in doubt by a lapsed lease', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const message = submission('acme', 'mts-1', { source: 'kannel', kannelDlrUrl: kannelUrl, kannelDlrMask: 4 });
      const unmasked = submission('acme', 'mts-1', { source: 'kannel', kannelDlrUrl: kannelUrl, kannelDlrMask: 1 });
      await store.enqueueMt([request('acme', [message]), request('acme', [unmasked])]);
      const epoch = await store.acquireBindEpoch(bind0);
      await store.claimMt({ routeId: mts, bindId: bind0, epoch, owner: 'node-a', limit: 10, leaseMs: 50 });
      await sleep(80);
      assert.equal((await store.sweepMt()).inDoubt, 2);
      const raised = await events(store);
      assert.deepEqual(raised.map((e) => [e.payload.messageId, e.payload.dlrType, e.payload.status]), [[message.id, 4, 'in_doubt']]);
    }));

  test('receipts: a nack fail raises the event (Kannel rejected: bit 16), and so does expiry at a sweep', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const failed = await inFlight(store);
      await store.nackMt(bind0, failed.epoch, [{ id: failed.id, disposition: { kind: 'fail', status: 'failed', errorCode: 1005, reason: 'invalid destination' } }]);
      const [failEvent] = await events(store);
      assert.deepEqual([failEvent?.payload.messageId, failEvent?.payload.status, failEvent?.payload.errorCode], [failed.id, 'failed', 1005]);
      const rejected = await inFlight(store, { source: 'kannel', kannelDlrUrl: kannelUrl, kannelDlrMask: 16 });
      await store.nackMt(bind0, rejected.epoch, [{ id: rejected.id, disposition: { kind: 'fail', status: 'rejected', errorCode: 11, reason: 'bad dest' } }]);
      const [rejectEvent] = await events(store);
      assert.deepEqual([rejectEvent?.kannel, rejectEvent?.payload.dlrType, rejectEvent?.payload.status], [true, 16, 'rejected']);
      const soon = submission('acme', 'mts-1', { expiresAt: new Date(Date.now() + 60) });
      await store.enqueueMt([request('acme', [soon])]);
      await sleep(100);
      assert.equal((await store.sweepMt()).expired, 1);
      const [expiryEvent, ...more] = await events(store);
      assert.deepEqual(more, []);
      assert.deepEqual([expiryEvent?.payload.messageId, expiryEvent?.payload.status], [soon.id, 'expired']);
    }));

  test('receipts: a final receipt settles a message still in flight under a stale epoch, so it is never resent', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const message = submission('acme', 'mts-1');
      await store.enqueueMt([request('acme', [message])]);
      const old = await store.acquireBindEpoch(bind0);
      await store.claimMt({ routeId: mts, bindId: bind0, epoch: old, owner: 'node-a', limit: 1, leaseMs: 60 });
      await store.acquireBindEpoch(bind0);
      const ack = await store.ackMt(bind0, old, [{ id: message.id, smscIds: ['5a'] }]);
      assert.deepEqual(ack.refusedStaleEpoch, [message.id], 'the stale ack only records the id');
      const outcome = await store.applyReceipt(receipt(['5a'], 'delivered'));
      assert.ok(outcome.kind === 'matched');
      assert.equal(outcome.messageStatus, 'delivered');
      await sleep(90);
      assert.equal((await store.sweepMt()).inDoubt, 0, 'no lease left to lapse');
      assert.deepEqual(await store.resolveInDoubt(mts, 'resend'), []);
      const view = await store.findMessage(acme, { id: message.id });
      assert.deepEqual([view?.status, view?.queueState], ['delivered', 'PROCESSED']);
    }));

  test('receipts: a held receipt never matched becomes a receipt-unmatched problem at the sweep after its hold time', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const lost = receipt(['f00d'], 'delivered', { receiptHoldMs: 60 });
      assert.deepEqual(await store.applyReceipt(lost), { kind: 'held' });
      assert.equal((await store.sweepMt()).receiptsUnmatched, 0, 'still within its hold time');
      await sleep(100);
      assert.equal((await store.sweepMt()).receiptsUnmatched, 1);
      const problems = await store.listInboundProblems({ limit: 10, kind: 'receipt-unmatched' });
      assert.equal(problems.length, 1);
      assert.equal(problems[0]?.routeId, 'mts-1');
      assert.equal(problems[0]?.bindId, lost.bindId);
      assert.equal(problems[0]?.rawHex, Buffer.from(lost.raw, 'utf8').toString('hex'));
      assert.match(problems[0]?.detail ?? '', /f00d/);
      const id = await submitted(store, ['f00d']);
      assert.equal(await statusOf(store, id), 'submitted', 'a receipt given up is no longer applied');
      assert.equal((await store.sweepMt()).receiptsUnmatched, 0);
    }));

  test('receipts: per-part detail lists each recorded segment with its SMSC id, status, stat, error and times; only the client\'s', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const before = Date.now();
      const id = await submitted(store, ['p-1', 'p-2', 'p-3']);
      await store.applyReceipt(receipt(['p-2'], 'undeliverable', { errorCode: '0fe', doneAt: new Date(1_800_000_000_000) }));
      const parts = await store.findMessageParts(acme, id);
      assert.deepEqual(parts.map((p) => [p.index, p.of, p.smscId, p.status, p.stat, p.errorCode]), [
        [0, 3, 'p-1', 'submitted', null, null],
        [1, 3, 'p-2', 'undeliverable', 'UNDELIV', '0fe'],
        [2, 3, 'p-3', 'submitted', null, null],
      ]);
      for (const part of parts) assert.ok(part.submittedAt !== null && part.submittedAt.getTime() >= before - 1_000, 'submittedAt recorded');
      assert.equal(parts[1]?.doneAt?.getTime(), 1_800_000_000_000);
      assert.equal(parts[0]?.doneAt, null);
      assert.deepEqual(await store.findMessageParts('other' as ClientId, id), [], 'another client sees nothing');
      assert.deepEqual(await store.findMessageParts(acme, 'no-such-id' as MessageId), []);
    }));

  test('receipts: a segment id recorded on its own (late response of one part) matches its receipt; the message stays open until every part is final', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const { id } = await inFlight(store, { segments: 2 });
      // Part 2's receipt comes first and is held; then part 2's late response names it (hex and decimal keys).
      assert.equal((await store.applyReceipt(receipt(['2587'], 'delivered'))).kind, 'held');
      await store.recordSegmentIds([{ id, index: 1, parts: 2, smscId: '0a1b', smscMatchKeys: ['0a1b', '2587'] }]);
      let parts = await store.findMessageParts(acme, id);
      assert.deepEqual(parts.map((p) => [p.index, p.smscId, p.status]), [[1, '0a1b', 'delivered']], 'the held receipt applied to part 2');
      assert.equal(await statusOf(store, id), 'accepted', 'one part proves nothing about the other: not acked, not final');
      assert.equal((await store.findMessage(acme, { id }))?.queueState, 'IN_FLIGHT');
      await store.recordSegmentIds([{ id, index: 0, parts: 2, smscId: '0a1a' }]);
      const outcome = await store.applyReceipt(receipt(['0a1a'], 'delivered'));
      assert.ok(outcome.kind === 'matched' && outcome.final && outcome.messageStatus === 'delivered');
      parts = await store.findMessageParts(acme, id);
      assert.deepEqual(parts.map((p) => p.status), ['delivered', 'delivered']);
      assert.equal(await statusOf(store, id), 'delivered');
      assert.equal((await store.findMessage(acme, { id }))?.queueState, 'PROCESSED', 'the final receipts settled the queue row');
      await store.recordSegmentIds([{ id: 'no-such-id' as MessageId, index: 0, parts: 1, smscId: 'x' }]);
    }));

  test('receipts: a long message sent as one submit_sm (message_payload) ends with that one receipt', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const { id, epoch } = await inFlight(store, { segments: 3 });
      await store.ackMt(bind0, epoch, [{ id, smscIds: ['pl-1'] }]);
      const outcome = await store.applyReceipt(receipt(['pl-1'], 'delivered'));
      assert.ok(outcome.kind === 'matched' && outcome.final && outcome.messageStatus === 'delivered');
      assert.deepEqual((await store.findMessageParts(acme, id)).map((p) => [p.index, p.of]), [[0, 1]]);
    }));

  test('receipts: a multi-part message whose recorded parts are all delivered stays open while a part has no SMSC id', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const { id } = await inFlight(store, { segments: 3 });
      await store.recordSegmentIds([{ id, index: 0, parts: 3, smscId: 'q-1' }, { id, index: 1, parts: 3, smscId: 'q-2' }]);
      await store.applyReceipt(receipt(['q-1'], 'delivered'));
      const outcome = await store.applyReceipt(receipt(['q-2'], 'delivered'));
      assert.ok(outcome.kind === 'matched' && !outcome.final);
      assert.equal(await statusOf(store, id), 'accepted');
    }));
}
