import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CommandStatus } from '../../daemon/smpp/command-status.js';
import { decodePdu, encodePdu } from '../../daemon/smpp/codec.js';
import { sessionDefaults } from '../../daemon/smpp/session-config.js';
import { createSession, maxSendsPerStep, queuedCount, step } from '../../daemon/smpp/session-machine.js';
import { sessionConfig } from '../../daemon/smpp/session-config.js';
import { deliverSm, SessionHarness, submitSm } from './smpp-session-harness.js';

test('bind: connected sends bind_transceiver with the credentials and interface version 0x34', () => {
  const h = new SessionHarness({ systemType: 'VMA', addrTon: 1, addrNpi: 1 });
  h.step({ type: 'connecting' });
  assert.equal(h.state.phase, 'connecting');
  h.step({ type: 'connected' });
  assert.equal(h.state.phase, 'binding');
  const bind = h.lastSent();
  assert.equal(bind.command, 'bind_transceiver');
  assert.ok(bind.command === 'bind_transceiver');
  assert.deepEqual(
    [bind.systemId, bind.password, bind.systemType, bind.interfaceVersion, bind.addrTon, bind.addrNpi],
    ['acme', 'secret', 'VMA', 0x34, 1, 1],
  );
  assert.equal(h.wakeAt, h.now + sessionDefaults.bindTimeoutMs);
});

const bindCases = [
  { name: 'success', command: 'bind_transceiver_resp', status: 0, phase: 'bound', effect: 'bound' },
  { name: 'wrong password', command: 'bind_transceiver_resp', status: CommandStatus.ESME_RINVPASWD, phase: 'closed', effect: 'bindFailed' },
  { name: 'generic_nack', command: 'generic_nack', status: CommandStatus.ESME_RINVCMDID, phase: 'closed', effect: 'bindFailed' },
  { name: 'response of another bind kind', command: 'bind_transmitter_resp', status: 0, phase: 'closed', effect: 'bindFailed' },
] as const;

for (const c of bindCases) {
  test(`bind answered by ${c.name}: ${c.phase}`, () => {
    const h = new SessionHarness();
    h.step({ type: 'connecting' });
    h.step({ type: 'connected' });
    const seq = h.lastSent().sequenceNumber;
    const effects =
      c.command === 'generic_nack'
        ? h.receive({ command: 'generic_nack', commandStatus: c.status, sequenceNumber: seq, tlvs: [] })
        : h.receive({ command: c.command, commandStatus: c.status, sequenceNumber: seq, tlvs: [], systemId: 'SMSC' });
    assert.equal(h.state.phase, c.phase);
    assert.equal(h.ofType(c.effect, effects).length, 1);
    if (c.phase === 'closed') assert.deepEqual(h.ofType('close', effects), [{ type: 'close', reason: 'bindFailed' }]);
  });
}

test('bind kinds: transmitter and receiver send their own bind and accept only its response', () => {
  for (const kind of ['transmitter', 'receiver'] as const) {
    const h = new SessionHarness({ bindKind: kind });
    h.step({ type: 'connecting' });
    h.step({ type: 'connected' });
    assert.equal(h.lastSent().command, `bind_${kind}`);
    h.receive({ command: `bind_${kind}_resp`, commandStatus: 0, sequenceNumber: h.lastSent().sequenceNumber, tlvs: [], systemId: 'S' });
    assert.equal(h.state.phase, 'bound');
  }
});

test('timeouts before bound: connect and bind', () => {
  const h = new SessionHarness();
  h.step({ type: 'connecting' });
  h.advance(sessionDefaults.connectTimeoutMs);
  assert.deepEqual(h.ofType('close'), [{ type: 'close', reason: 'connectTimeout' }]);
  h.step({ type: 'connecting' });
  h.step({ type: 'connected' });
  h.advance(sessionDefaults.bindTimeoutMs - 1);
  assert.equal(h.state.phase, 'binding');
  h.advance(1);
  assert.equal(h.state.phase, 'closed');
  assert.equal(h.ofType('close').at(-1)?.reason, 'bindTimeout');
});

test('submits before bound, while stopping and on a receiver bind are not sent', () => {
  const h = new SessionHarness();
  h.submit('early');
  assert.deepEqual(h.outcomes.get('early'), { kind: 'notSent', reason: 'notBound' });
  const r = new SessionHarness({ bindKind: 'receiver' });
  r.step({ type: 'connecting' });
  r.step({ type: 'connected' });
  r.receive({ command: 'bind_receiver_resp', commandStatus: 0, sequenceNumber: r.lastSent().sequenceNumber, tlvs: [], systemId: 'S' });
  r.submit('rx');
  assert.deepEqual(r.outcomes.get('rx'), { kind: 'notSent', reason: 'receiverBind' });
});

test('window full holds submits; each response lets the next one out, in order', () => {
  const h = new SessionHarness({ windowSize: 3 });
  h.bind();
  for (const tag of ['a', 'b', 'c', 'd', 'e']) h.submit(tag);
  assert.equal(h.submitSequences().length, 3);
  assert.equal(queuedCount(h.state), 2);
  const [first, second] = h.submitSequences();
  h.respond(second!);
  assert.equal(h.submitSequences().length, 4);
  h.respond(first!);
  assert.equal(h.submitSequences().length, 5);
  assert.deepEqual(h.sentOf('submit_sm').map((p) => (p.command === 'submit_sm' ? p.shortMessage.toString() : '')), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(h.outcomes.get('b'), { kind: 'accepted', response: { command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: second, tlvs: [], messageId: `id-${second}` } });
});

test('response outcomes by command_status class', () => {
  const cases = [
    { status: 0, kind: 'accepted' },
    { status: CommandStatus.ESME_RINVDSTADR, kind: 'rejected', statusClass: 'permanent' },
    { status: CommandStatus.ESME_RSYSERR, kind: 'rejected', statusClass: 'transient' },
    { status: CommandStatus.ESME_RTHROTTLED, kind: 'retry' },
    { status: CommandStatus.ESME_RMSGQFUL, kind: 'retry' },
  ] as const;
  for (const c of cases) {
    const h = new SessionHarness();
    h.bind();
    h.submit('m');
    h.respond(h.submitSequences()[0]!, c.status);
    const outcome = h.outcomes.get('m');
    assert.equal(outcome?.kind, c.kind, `status 0x${c.status.toString(16)}`);
    if (outcome?.kind === 'rejected' && 'statusClass' in c) assert.equal(outcome.statusClass, c.statusClass);
  }
});

test('a submit answered by generic_nack is rejected; by another response it is in doubt', () => {
  const h = new SessionHarness();
  h.bind();
  h.submit('n');
  h.submit('x');
  const [n, x] = h.submitSequences();
  h.receive({ command: 'generic_nack', commandStatus: CommandStatus.ESME_RINVCMDID, sequenceNumber: n!, tlvs: [] });
  h.receive({ command: 'data_sm_resp', commandStatus: 0, sequenceNumber: x!, tlvs: [], messageId: '1' });
  assert.equal(h.outcomes.get('n')?.kind, 'rejected');
  assert.equal(h.outcomes.get('x')?.kind, 'malformedResponse');
});

test('response timeout fails the request with timeout; a late response still reaches its submitter', () => {
  const h = new SessionHarness({ responseTimeoutMs: 5000 });
  h.bind();
  h.submit('slow');
  h.advance(2000);
  h.submit('later');
  const [slow, later] = h.submitSequences();
  assert.equal(h.wakeAt, h.now + 3000);
  h.advance(3000);
  assert.deepEqual(h.outcomes.get('slow'), { kind: 'timeout' });
  assert.equal(h.outcomes.has('later'), false);
  assert.equal(h.state.counters.timeouts, 1);
  h.respond(slow!, 0, 'SMSC-1');
  assert.deepEqual(h.ofType('lateResponse').map((e) => e.tag), ['slow']);
  assert.equal(h.state.counters.lateResponses, 1);
  h.advance(2000);
  assert.deepEqual(h.outcomes.get('later'), { kind: 'timeout' });
  assert.equal(h.outcomes.size, 2);
  assert.ok(later! > slow!);
});

test('a response to an unknown sequence number is ignored and counted', () => {
  const h = new SessionHarness();
  h.bind();
  h.submit('m');
  const before = h.outcomes.size;
  const effects = h.respond(424242);
  assert.equal(h.outcomes.size, before);
  assert.equal(h.state.counters.unknownResponses, 1);
  assert.equal(h.ofType('protocolWarning', effects).length, 1);
  assert.equal(h.state.outstanding.size, 1);
});

test('out-of-window: a response beyond the late-response memory is unknown; a second response to one request too', () => {
  const h = new SessionHarness({ responseTimeoutMs: 100, lateResponseMemory: 2, windowSize: 5 });
  h.bind();
  for (const tag of ['a', 'b', 'c']) h.submit(tag);
  h.advance(100);
  const [a, b, c] = h.submitSequences();
  h.respond(a!);
  assert.equal(h.state.counters.unknownResponses, 1, 'a fell out of the memory of 2');
  h.respond(b!);
  h.respond(b!);
  assert.equal(h.state.counters.lateResponses, 1);
  assert.equal(h.state.counters.unknownResponses, 2);
  h.respond(c!);
  assert.deepEqual(h.ofType('lateResponse').map((e) => e.tag), ['b', 'c']);
});

test('enquire_link after the idle interval; its response keeps the session; silence closes it as dead peer', () => {
  const h = new SessionHarness({ enquireLinkIntervalMs: 30_000, enquireLinkTimeoutMs: 10_000 });
  h.bind();
  assert.equal(h.wakeAt, h.now + 30_000);
  h.advance(29_999);
  assert.equal(h.sentOf('enquire_link').length, 0);
  h.advance(1);
  const [enquire] = h.sentOf('enquire_link');
  assert.ok(enquire);
  assert.equal(h.wakeAt, h.now + 10_000);
  h.advance(500);
  h.receive({ command: 'enquire_link_resp', commandStatus: 0, sequenceNumber: enquire.sequenceNumber, tlvs: [] });
  assert.equal(h.state.enquireLink, null);
  h.advance(29_999);
  assert.equal(h.sentOf('enquire_link').length, 1);
  h.advance(1);
  assert.equal(h.sentOf('enquire_link').length, 2);
  h.submit('pending');
  h.advance(9_999);
  assert.equal(h.state.phase, 'bound');
  h.advance(1);
  assert.equal(h.state.phase, 'closed');
  assert.deepEqual(h.ofType('close'), [{ type: 'close', reason: 'deadPeer' }]);
  assert.deepEqual(h.ofType('unbound'), [{ type: 'unbound', reason: 'deadPeer' }]);
  assert.deepEqual(h.outcomes.get('pending'), { kind: 'connectionLost' });
});

test('traffic from the peer postpones enquire_link', () => {
  const h = new SessionHarness({ enquireLinkIntervalMs: 1000 });
  h.bind();
  for (let i = 0; i < 10; i++) {
    h.advance(900);
    h.submit(`m${i}`);
    h.respond(h.submitSequences().at(-1)!);
  }
  assert.equal(h.sentOf('enquire_link').length, 0);
});

test("the peer's enquire_link is answered with its sequence number", () => {
  const h = new SessionHarness();
  h.bind();
  h.receive({ command: 'enquire_link', commandStatus: 0, sequenceNumber: 77, tlvs: [] });
  assert.deepEqual(h.lastSent(), { command: 'enquire_link_resp', commandStatus: 0, sequenceNumber: 77, tlvs: [] });
});

test('peer unbind: unbind_resp, close, outstanding in doubt, queued not sent', () => {
  const h = new SessionHarness({ windowSize: 1 });
  h.bind();
  h.submit('sent');
  h.submit('queued');
  const effects = h.receive({ command: 'unbind', commandStatus: 0, sequenceNumber: 9, tlvs: [] });
  assert.deepEqual(h.lastSent(), { command: 'unbind_resp', commandStatus: 0, sequenceNumber: 9, tlvs: [] });
  assert.deepEqual(h.ofType('close', effects), [{ type: 'close', reason: 'peerUnbind' }]);
  assert.deepEqual(h.outcomes.get('sent'), { kind: 'connectionLost' });
  assert.deepEqual(h.outcomes.get('queued'), { kind: 'notSent', reason: 'closed' });
  assert.equal(h.state.phase, 'closed');
});

test('malformed PDUs are answered as decodePdu says and the session continues', () => {
  const h = new SessionHarness();
  h.bind();
  const good = encodePdu(deliverSm(31, 'hello'));
  // sm_length runs past the end: deliver_sm_resp ESME_RINVMSGLEN.
  const overrun = Buffer.from(good);
  overrun[good.length - 'hello'.length - 1] = 200;
  // Unknown command id: generic_nack ESME_RINVCMDID.
  const unknown = Buffer.from(encodePdu({ command: 'enquire_link', commandStatus: 0, sequenceNumber: 32, tlvs: [] }));
  unknown.writeUInt32BE(0x00000777, 4);
  h.receiveResult(decodePdu(overrun));
  h.receiveResult(decodePdu(unknown));
  const [first, second] = h.sent.slice(-2);
  assert.deepEqual([first?.command, first?.commandStatus, first?.sequenceNumber], ['deliver_sm_resp', CommandStatus.ESME_RINVMSGLEN, 31]);
  assert.deepEqual([second?.command, second?.commandStatus, second?.sequenceNumber], ['generic_nack', CommandStatus.ESME_RINVCMDID, 32]);
  assert.equal(h.state.phase, 'bound');
  assert.equal(h.state.counters.malformedPdus, 2);
  assert.doesNotThrow(() => encodePdu(first!));
  h.submit('after');
  h.respond(h.submitSequences()[0]!);
  assert.equal(h.outcomes.get('after')?.kind, 'accepted');
});

test('a malformed response fails the request it answers (in doubt)', () => {
  const h = new SessionHarness();
  h.bind();
  h.submit('m');
  const seq = h.submitSequences()[0]!;
  const resp = encodePdu({ command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: seq, tlvs: [], messageId: 'abc' });
  const noNul = Buffer.from(resp);
  noNul[noNul.length - 1] = 0x41;
  h.receiveResult(decodePdu(noNul));
  assert.equal(h.outcomes.get('m')?.kind, 'malformedResponse');
  assert.equal(h.state.phase, 'bound');
});

test('fatal framing error: generic_nack ESME_RINVCMDLEN, then close', () => {
  const h = new SessionHarness();
  h.bind();
  h.submit('m');
  const effects = h.step({ type: 'framingError', error: { kind: 'invalidCommandLength', commandLength: 3, commandId: 4, sequenceNumber: 12, detail: 'x' } });
  const types = effects.map((e) => e.type);
  assert.ok(types.indexOf('send') < types.indexOf('close'));
  assert.deepEqual(h.lastSent(), { command: 'generic_nack', commandStatus: CommandStatus.ESME_RINVCMDLEN, sequenceNumber: 12, tlvs: [] });
  assert.deepEqual(h.ofType('close', effects), [{ type: 'close', reason: 'framingError' }]);
  assert.deepEqual(h.outcomes.get('m'), { kind: 'connectionLost' });
});

test('deliver_sm: delivered to the application, answered only when it answers, from the right connection', () => {
  const h = new SessionHarness();
  h.bind();
  const effects = h.receive(deliverSm(500, 'id:1 stat:DELIVRD'));
  const [delivery] = h.ofType('deliver', effects);
  assert.ok(delivery);
  assert.equal(h.sentOf('deliver_sm_resp').length, 0);
  h.step({ type: 'answer', connection: delivery.connection + 1, sequenceNumber: 500, commandStatus: 0 });
  assert.equal(h.sentOf('deliver_sm_resp').length, 0, 'an answer for another connection is dropped');
  h.step({ type: 'answer', connection: delivery.connection, sequenceNumber: 500, commandStatus: 0 });
  assert.deepEqual(h.sentOf('deliver_sm_resp'), [{ command: 'deliver_sm_resp', commandStatus: 0, sequenceNumber: 500, tlvs: [], messageId: '' }]);
  h.step({ type: 'answer', connection: delivery.connection, sequenceNumber: 500, commandStatus: 0 });
  assert.equal(h.sentOf('deliver_sm_resp').length, 1, 'answered once');
  h.receive(deliverSm(501, 'x'));
  h.step({ type: 'answer', connection: delivery.connection, sequenceNumber: 501, commandStatus: CommandStatus.ESME_RX_T_APPN });
  assert.equal(h.sentOf('deliver_sm_resp')[1]?.commandStatus, CommandStatus.ESME_RX_T_APPN);
});

test('deliver_sm on a transmitter bind is refused with ESME_RINVBNDSTS; a submit_sm from the SMSC with ESME_RINVCMDID', () => {
  const h = new SessionHarness({ bindKind: 'transmitter' });
  h.step({ type: 'connecting' });
  h.step({ type: 'connected' });
  h.receive({ command: 'bind_transmitter_resp', commandStatus: 0, sequenceNumber: h.lastSent().sequenceNumber, tlvs: [], systemId: 'S' });
  h.receive(deliverSm(8, 'x'));
  assert.deepEqual([h.lastSent().command, h.lastSent().commandStatus], ['deliver_sm_resp', CommandStatus.ESME_RINVBNDSTS]);
  h.receive({ ...submitSm('x'), sequenceNumber: 9 });
  assert.deepEqual([h.lastSent().command, h.lastSent().commandStatus, h.lastSent().sequenceNumber], ['submit_sm_resp', CommandStatus.ESME_RINVCMDID, 9]);
  assert.equal(h.ofType('deliver').length, 0);
});

test('graceful unbind: refuses new submits, waits for outstanding responses and answers, then unbind, unbind_resp, close', () => {
  const h = new SessionHarness({ windowSize: 2 });
  h.bind();
  for (const tag of ['a', 'b', 'c']) h.submit(tag);
  h.receive(deliverSm(70, 'mo'));
  h.step({ type: 'unbindRequested' });
  assert.equal(h.state.phase, 'draining');
  assert.deepEqual(h.outcomes.get('c'), { kind: 'notSent', reason: 'stopping' });
  h.submit('d');
  assert.deepEqual(h.outcomes.get('d'), { kind: 'notSent', reason: 'stopping' });
  const [a, b] = h.submitSequences();
  h.respond(a!);
  h.respond(b!);
  assert.equal(h.sentOf('unbind').length, 0, 'the delivery is still unanswered');
  h.step({ type: 'answer', connection: h.state.connection, sequenceNumber: 70, commandStatus: 0 });
  const [unbind] = h.sentOf('unbind');
  assert.ok(unbind);
  assert.equal(h.state.phase, 'unbinding');
  const effects = h.receive({ command: 'unbind_resp', commandStatus: 0, sequenceNumber: unbind.sequenceNumber, tlvs: [] });
  assert.deepEqual(h.ofType('close', effects), [{ type: 'close', reason: 'unbound' }]);
  assert.deepEqual(h.ofType('unbound', effects), [{ type: 'unbound', reason: 'unbound' }]);
  assert.equal(h.outcomes.get('a')?.kind, 'accepted');
  assert.equal(h.outcomes.get('b')?.kind, 'accepted');
});

test('graceful unbind gives up waiting after the drain timeout, and closes without unbind_resp after the unbind timeout', () => {
  const h = new SessionHarness({ drainTimeoutMs: 4000, unbindTimeoutMs: 2000, responseTimeoutMs: 60_000 });
  h.bind();
  h.submit('stuck');
  h.step({ type: 'unbindRequested' });
  h.advance(3999);
  assert.equal(h.sentOf('unbind').length, 0);
  h.advance(1);
  assert.equal(h.sentOf('unbind').length, 1);
  h.advance(2000);
  assert.equal(h.state.phase, 'closed');
  assert.equal(h.ofType('close').at(-1)?.reason, 'unbindTimeout');
  assert.deepEqual(h.outcomes.get('stuck'), { kind: 'connectionLost' });
});

test('unbind requested while binding closes at once', () => {
  const h = new SessionHarness();
  h.step({ type: 'connecting' });
  h.step({ type: 'connected' });
  h.step({ type: 'unbindRequested' });
  assert.equal(h.state.phase, 'closed');
  assert.deepEqual(h.ofType('close'), [{ type: 'close', reason: 'stopped' }]);
});

test('socket closed: unbound, sent requests in doubt, nothing sent after', () => {
  const h = new SessionHarness();
  h.bind();
  h.submit('m');
  const effects = h.step({ type: 'socketClosed' });
  assert.deepEqual(h.ofType('unbound', effects), [{ type: 'unbound', reason: 'socketClosed' }]);
  assert.equal(h.ofType('close', effects).length, 0);
  assert.deepEqual(h.outcomes.get('m'), { kind: 'connectionLost' });
  assert.equal(h.wakeAt, null);
  const sentBefore = h.sent.length;
  h.receive({ command: 'enquire_link', commandStatus: 0, sequenceNumber: 5, tlvs: [] });
  assert.equal(h.sent.length, sentBefore);
});

test('write backpressure holds queued submits until drained', () => {
  const h = new SessionHarness({ windowSize: 10 });
  h.bind();
  h.step({ type: 'writeBlocked' });
  h.submit('a');
  h.submit('b');
  assert.equal(h.submitSequences().length, 0);
  h.step({ type: 'writeDrained' });
  assert.equal(h.submitSequences().length, 2);
});

test('a step sends at most maxSendsPerStep submits and asks to be woken at once for the rest', () => {
  const h = new SessionHarness({ windowSize: 1000, tps: 1e9 });
  h.bind();
  h.step({ type: 'writeBlocked' });
  for (let i = 0; i < 150; i++) h.submit(`m${i}`);
  h.step({ type: 'writeDrained' });
  assert.equal(h.submitSequences().length, maxSendsPerStep);
  assert.equal(h.wakeAt, h.now);
  h.advance(0);
  h.advance(0);
  assert.equal(h.submitSequences().length, 150);
  assert.notEqual(h.wakeAt, h.now);
});

test('sequence numbers wrap from 0x7FFFFFFF to 1 and skip numbers still outstanding', () => {
  const h = new SessionHarness({ windowSize: 5 });
  h.bind();
  h.submit('one');
  const one = h.submitSequences()[0];
  assert.equal(one, 2, 'the bind took 1');
  h.state.nextSequence = 0x7ffffffe;
  for (const tag of ['x', 'y', 'z', 'w']) h.submit(tag);
  assert.deepEqual(h.submitSequences().slice(1), [0x7ffffffe, 0x7fffffff, 1, 3]);
});

test('sequence numbers are never 0 and never repeat while outstanding, over many submits', () => {
  const config = sessionConfig({ bindKind: 'transceiver', systemId: 'a', password: 'b', windowSize: 50, tps: 1e9 });
  let state = createSession<number>(config, 0);
  state = step(state, { type: 'connected', now: 0 }).state;
  state = step(state, { type: 'pduReceived', now: 0, result: { ok: true, pdu: { command: 'bind_transceiver_resp', commandStatus: 0, sequenceNumber: 1, tlvs: [], systemId: 'S' } } }).state;
  state.nextSequence = 0x7fffff00;
  const seen = new Set<number>();
  let answered = 0;
  for (let i = 0; i < 2000; i++) {
    const result = step(state, { type: 'submit', now: 0, pdu: submitSm('m'), tag: i });
    state = result.state;
    for (const effect of result.effects) {
      if (effect.type !== 'send') continue;
      const seq = effect.pdu.sequenceNumber;
      assert.ok(seq >= 1 && seq <= 0x7fffffff);
      assert.ok(!seen.has(seq), `sequence ${seq} reused while outstanding`);
      seen.add(seq);
    }
    if (state.outstanding.size === 50) {
      for (const seq of [...state.outstanding.keys()]) {
        seen.delete(seq);
        state = step(state, { type: 'pduReceived', now: 0, result: { ok: true, pdu: { command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: seq, tlvs: [], messageId: 'x' } } }).state;
        answered += 1;
      }
    }
  }
  assert.ok(answered >= 1900);
});

test('session config: defaults filled in, frozen, bad window and timers refused', () => {
  const config = sessionConfig({ bindKind: 'receiver', systemId: 's', password: 'p', windowSize: 5, tps: 20 });
  assert.equal(config.interfaceVersion, 0x34);
  assert.equal(config.enquireLinkIntervalMs, 30_000);
  assert.equal(config.throttle.maxTps, 20);
  assert.ok(Object.isFrozen(config));
  assert.throws(() => sessionConfig({ bindKind: 'receiver', systemId: 's', password: 'p', windowSize: 0, tps: 20 }), RangeError);
  assert.throws(() => sessionConfig({ bindKind: 'receiver', systemId: 's', password: 'p', windowSize: 5, tps: 20, responseTimeoutMs: 0 }), /responseTimeoutMs/);
});
