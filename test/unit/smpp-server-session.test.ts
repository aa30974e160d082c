import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { decodePdu, encodePdu } from '../../daemon/smpp/codec.js';
import type { Pdu, PduOf } from '../../daemon/smpp/pdu.js';
import { createSmscSession, stepSmsc, type SmscEffect, type SmscSessionConfig, type SmscSessionState } from '../../daemon/smpp-server/smsc-session.js';

const config: SmscSessionConfig = {
  windowSize: 2, bindTimeoutMs: 1000, responseTimeoutMs: 500, enquireLinkIntervalMs: 3000, enquireLinkTimeoutMs: 1000,
  unbindTimeoutMs: 200, maxPendingRequests: 2,
};

type Tag = string;

function pduIn(state: SmscSessionState<Tag>, pdu: Pdu, now: number): SmscEffect<Tag>[] {
  return stepSmsc(state, { type: 'pduReceived', now, result: decodePdu(encodePdu(pdu)) }).effects;
}

function sent(effects: readonly SmscEffect<Tag>[]): Pdu[] {
  return effects.flatMap((effect) => (effect.type === 'send' ? [effect.pdu] : []));
}

function bind(command: 'bind_transmitter' | 'bind_receiver' | 'bind_transceiver', sequenceNumber = 1): Pdu {
  return { command, commandStatus: 0, sequenceNumber, tlvs: [], systemId: 'acme', password: 'pw', systemType: '', interfaceVersion: 0x34, addrTon: 0, addrNpi: 0, addressRange: '' };
}

function submit(sequenceNumber: number): PduOf<'submit_sm'> {
  return {
    command: 'submit_sm', commandStatus: 0, sequenceNumber, tlvs: [], serviceType: '', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'ACME',
    destAddrTon: 1, destAddrNpi: 1, destinationAddr: '79161234567', esmClass: 0, protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '',
    validityPeriod: '', registeredDelivery: 1, replaceIfPresentFlag: 0, dataCoding: 0, smDefaultMsgId: 0, shortMessage: Buffer.from('hi'),
  };
}

function deliverSm(): PduOf<'deliver_sm'> {
  return { ...submit(0), command: 'deliver_sm' } as PduOf<'deliver_sm'>;
}

function bound(kind: 'bind_transmitter' | 'bind_receiver' | 'bind_transceiver' = 'bind_transceiver'): SmscSessionState<Tag> {
  const state = createSmscSession<Tag>(config, 0);
  stepSmsc(state, { type: 'connected', now: 0 });
  pduIn(state, bind(kind), 1);
  stepSmsc(state, { type: 'bindAnswer', now: 2, commandStatus: 0, systemId: 'smsproc' });
  return state;
}

test('a bind is handed to the application and answered with its verdict: accepted with our system_id, refused with the status and closed', () => {
  const state = createSmscSession<Tag>(config, 0);
  stepSmsc(state, { type: 'connected', now: 0 });
  const asked = pduIn(state, bind('bind_receiver', 7), 1);
  assert.ok(asked.some((e) => e.type === 'bindRequest' && e.kind === 'receiver'));
  assert.equal(sent(asked).length, 0, 'no answer before the check');
  const ok = stepSmsc(state, { type: 'bindAnswer', now: 2, commandStatus: 0, systemId: 'smsproc' }).effects;
  assert.deepEqual(sent(ok).map((p) => [p.command, p.commandStatus, p.sequenceNumber, 'systemId' in p ? p.systemId : null]), [['bind_receiver_resp', 0, 7, 'smsproc']]);
  assert.equal(state.phase, 'bound');

  const refused = createSmscSession<Tag>(config, 0);
  stepSmsc(refused, { type: 'connected', now: 0 });
  pduIn(refused, bind('bind_transceiver', 3), 1);
  const no = stepSmsc(refused, { type: 'bindAnswer', now: 2, commandStatus: 0x0e, systemId: 'smsproc' }).effects;
  assert.deepEqual(sent(no).map((p) => [p.command, p.commandStatus, p.sequenceNumber]), [['bind_transceiver_resp', 0x0e, 3]]);
  assert.ok(no.some((e) => e.type === 'close' && e.reason === 'bindRefused'));
  assert.equal(refused.phase, 'closed');
});

test('no bind within bindTimeoutMs closes; a second bind gets ESME_RALYBND; submit before bind gets ESME_RINVBNDSTS', () => {
  const idle = createSmscSession<Tag>(config, 0);
  stepSmsc(idle, { type: 'connected', now: 0 });
  const early = pduIn(idle, submit(5), 10);
  assert.deepEqual(sent(early).map((p) => [p.command, p.commandStatus]), [['submit_sm_resp', 0x04]]);
  const timeout = stepSmsc(idle, { type: 'tick', now: 1000 }).effects;
  assert.ok(timeout.some((e) => e.type === 'close' && e.reason === 'bindTimeout'));

  const state = bound();
  const again = pduIn(state, bind('bind_transmitter', 9), 3);
  assert.deepEqual(sent(again).map((p) => [p.command, p.commandStatus, p.sequenceNumber]), [['bind_transmitter_resp', 0x05, 9]]);
  assert.equal(state.phase, 'bound');
});

test('submits are answered later with the application\'s response; beyond maxPendingRequests ESME_RTHROTTLED; a receiver bind refuses them', () => {
  const state = bound();
  for (const seq of [10, 11]) assert.ok(pduIn(state, submit(seq), 3).some((e) => e.type === 'request'));
  assert.deepEqual(sent(pduIn(state, submit(12), 3)).map((p) => [p.command, p.commandStatus, p.sequenceNumber]), [['submit_sm_resp', 0x58, 12]]);
  const answer = stepSmsc(state, { type: 'requestAnswer', now: 4, response: { command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: 11, tlvs: [], messageId: 'our-id' } }).effects;
  assert.deepEqual(sent(answer).map((p) => [p.command, p.sequenceNumber]), [['submit_sm_resp', 11]]);
  const twice = stepSmsc(state, { type: 'requestAnswer', now: 4, response: { command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: 11, tlvs: [], messageId: 'our-id' } }).effects;
  assert.equal(sent(twice).length, 0, 'an answer goes once');

  const receiver = bound('bind_receiver');
  assert.deepEqual(sent(pduIn(receiver, submit(4), 3)).map((p) => [p.command, p.commandStatus]), [['submit_sm_resp', 0x04]]);
});

test('deliver_sm goes within the window; responses, errors and timeouts end as outcomes; a transmitter bind does not receive', () => {
  const state = bound();
  const effects = ['a', 'b', 'c'].flatMap((tag) => stepSmsc(state, { type: 'deliver', now: 10, pdu: deliverSm(), tag }).effects);
  const out = sent(effects);
  assert.equal(out.length, 2, 'window of 2');
  const [first, second] = out;
  const ok = pduIn(state, { command: 'deliver_sm_resp', commandStatus: 0, sequenceNumber: first!.sequenceNumber, tlvs: [], messageId: '' }, 20);
  assert.ok(ok.some((e) => e.type === 'deliverOutcome' && e.tag === 'a' && e.outcome.kind === 'delivered'));
  assert.equal(sent(ok).length, 1, 'the third goes as the window frees');
  const refused = pduIn(state, { command: 'deliver_sm_resp', commandStatus: 0x64, sequenceNumber: second!.sequenceNumber, tlvs: [], messageId: '', bodyOmitted: true }, 30);
  assert.ok(refused.some((e) => e.type === 'deliverOutcome' && e.tag === 'b' && e.outcome.kind === 'refused' && e.outcome.commandStatus === 0x64));
  const late = stepSmsc(state, { type: 'tick', now: 600 }).effects;
  assert.ok(late.some((e) => e.type === 'deliverOutcome' && e.tag === 'c' && e.outcome.kind === 'timeout'));

  const transmitter = bound('bind_transmitter');
  const none = stepSmsc(transmitter, { type: 'deliver', now: 10, pdu: deliverSm(), tag: 'x' }).effects;
  assert.ok(none.some((e) => e.type === 'deliverOutcome' && e.outcome.kind === 'notBound'));
});

test('malformed PDUs are answered (generic_nack for an unknown command) and the session stays bound; a bad command_length closes', () => {
  const state = bound();
  const unknown = Buffer.alloc(16);
  unknown.writeUInt32BE(16, 0);
  unknown.writeUInt32BE(0x999, 4);
  unknown.writeUInt32BE(77, 12);
  const nack = stepSmsc(state, { type: 'pduReceived', now: 5, result: decodePdu(unknown) }).effects;
  assert.deepEqual(sent(nack).map((p) => [p.command, p.commandStatus, p.sequenceNumber]), [['generic_nack', 0x03, 77]]);
  assert.equal(state.phase, 'bound');
  const link = pduIn(state, { command: 'enquire_link', commandStatus: 0, sequenceNumber: 78, tlvs: [] }, 6);
  assert.deepEqual(sent(link).map((p) => p.command), ['enquire_link_resp']);
  const fatal = stepSmsc(state, { type: 'framingError', now: 7, error: { kind: 'invalidCommandLength', commandLength: 3, detail: 'too short', commandId: null, sequenceNumber: null } }).effects;
  assert.deepEqual(sent(fatal).map((p) => [p.command, p.commandStatus]), [['generic_nack', 0x02]]);
  assert.equal(state.phase, 'closed');
});

test('the watchdog sends enquire_link after the interval and closes a silent client; a client unbind is answered and closes', () => {
  const state = bound();
  const probe = stepSmsc(state, { type: 'tick', now: 3001 }).effects;
  assert.deepEqual(sent(probe).map((p) => p.command), ['enquire_link']);
  const dead = stepSmsc(state, { type: 'tick', now: 4002 }).effects;
  assert.ok(dead.some((e) => e.type === 'close' && e.reason === 'deadPeer'));

  const other = bound();
  const bye = pduIn(other, { command: 'unbind', commandStatus: 0, sequenceNumber: 40, tlvs: [] }, 5);
  assert.deepEqual(sent(bye).map((p) => [p.command, p.sequenceNumber]), [['unbind_resp', 40]]);
  assert.ok(bye.some((e) => e.type === 'unbound'));
});
