/**
 * The SMPP 3.4 session as a pure state machine: `step(state, event) → { state, effects }`. It never
 * touches a socket or a clock: every event carries `now`, and the caller carries out the effects
 * (send, close, outcomes, deliveries) and ticks it at the `wakeAt` time. Like raft, `step` updates the
 * state it is given and returns it: the caller keeps only the returned state.
 * This is the ESME role (binding to an operator); the SMSC role is daemon/smpp-server/smsc-session.ts.
 */
import type { DecodeError } from './codec.js';
import { CommandStatus, classifyCommandStatus } from './command-status.js';
import { commandIds, isResponseId, responseCommandOf } from './commands.js';
import type { FramingError } from './frame-parser.js';
import type { Pdu } from './pdu.js';
import { allocateSequence as nextFreeSequence, takeExpired, timersWakeAt, watchPeer } from './session-link.js';
import { bindPdu, bindResponseOf, bodilessPdu, deliveryResponse, errorResponse } from './session-pdus.js';
import type { CloseReason, SessionConfig, SessionEffect, SessionEvent, SessionState, StepResult, SubmitOutcome } from './session-types.js';
import { createThrottle, nextTokenAt, onThrottled, tryTakeToken } from './throttle.js';

const expectedResponse = { submit_sm: 'submit_sm_resp', data_sm: 'data_sm_resp' } as const;
/**
 * Submits sent per step at most; more wake the machine again at once. The driver learns that the
 * socket pushes back only after a step, so this bounds what a step can add to a full socket buffer.
 */
export const maxSendsPerStep = 64;

export function createSession<T>(config: SessionConfig, now: number): SessionState<T> {
  return {
    config,
    phase: 'closed',
    connection: 0,
    nextSequence: 1,
    phaseDeadline: null,
    peerSystemId: '',
    queue: [],
    queueHead: 0,
    outstanding: new Map(),
    expired: new Map(),
    unanswered: new Map(),
    bindSequence: null,
    unbindSequence: null,
    enquireLink: null,
    lastReceivedAt: now,
    writeBlocked: false,
    throttle: createThrottle(config.throttle, now),
    counters: {
      submitsSent: 0,
      responsesReceived: 0,
      unknownResponses: 0,
      lateResponses: 0,
      timeouts: 0,
      throttledResponses: 0,
      malformedPdus: 0,
      deliveriesReceived: 0,
      enquireLinksSent: 0,
    },
  };
}

/** Submits waiting for window room, a token or a writable socket. */
export function queuedCount<T>(state: SessionState<T>): number {
  return state.queue.length - state.queueHead;
}

export function step<T>(state: SessionState<T>, event: SessionEvent<T>): StepResult<T> {
  const effects: SessionEffect<T>[] = [];
  const { now } = event;
  expireTimers(state, now, effects);
  handle(state, event, effects);
  pump(state, now, effects);
  effects.push({ type: 'wakeAt', at: nextWake(state, now) });
  return { state, effects };
}

function isOpen<T>(state: SessionState<T>): boolean {
  return state.phase !== 'closed' && state.phase !== 'connecting';
}

function handle<T>(state: SessionState<T>, event: SessionEvent<T>, effects: SessionEffect<T>[]): void {
  const { now } = event;
  switch (event.type) {
    case 'connecting':
      if (state.phase !== 'closed') return;
      state.phase = 'connecting';
      state.phaseDeadline = now + state.config.connectTimeoutMs;
      return;
    case 'connected': {
      if (state.phase !== 'connecting' && state.phase !== 'closed') return;
      state.connection += 1;
      state.phase = 'binding';
      state.phaseDeadline = now + state.config.bindTimeoutMs;
      state.lastReceivedAt = now;
      state.writeBlocked = false;
      state.bindSequence = allocateSequence(state);
      effects.push({ type: 'send', pdu: bindPdu(state.config, state.bindSequence) });
      return;
    }
    case 'pduReceived':
      if (!isOpen(state)) return;
      state.lastReceivedAt = now;
      if (event.result.ok) {
        const { pdu } = event.result;
        if (isResponseId(commandIds[pdu.command])) onResponse(state, pdu, now, effects);
        else onRequest(state, pdu, effects);
      } else {
        onDecodeError(state, event.result.error, effects);
      }
      return;
    case 'framingError':
      if (!isOpen(state)) return;
      onFramingError(state, event.error, effects);
      return;
    case 'tick':
      return;
    case 'submit':
      if (state.phase !== 'bound') {
        const reason = state.phase === 'draining' || state.phase === 'unbinding' ? 'stopping' : 'notBound';
        effects.push({ type: 'outcome', tag: event.tag, outcome: { kind: 'notSent', reason } });
      } else if (state.config.bindKind === 'receiver') {
        effects.push({ type: 'outcome', tag: event.tag, outcome: { kind: 'notSent', reason: 'receiverBind' } });
      } else {
        state.queue.push({ tag: event.tag, pdu: event.pdu });
      }
      return;
    case 'answer': {
      const command = state.unanswered.get(event.sequenceNumber);
      if (!isOpen(state) || event.connection !== state.connection || command === undefined) return;
      state.unanswered.delete(event.sequenceNumber);
      effects.push({ type: 'send', pdu: deliveryResponse(command, event.commandStatus, event.sequenceNumber) });
      return;
    }
    case 'unbindRequested':
      if (state.phase === 'connecting' || state.phase === 'binding') closeSession(state, 'stopped', effects);
      else if (state.phase === 'bound') {
        failQueued(state, 'stopping', effects);
        state.phase = 'draining';
        state.phaseDeadline = now + state.config.drainTimeoutMs;
      }
      return;
    case 'writeBlocked':
      state.writeBlocked = true;
      return;
    case 'writeDrained':
      state.writeBlocked = false;
      return;
    case 'socketClosed':
      if (state.phase !== 'closed') closeSession(state, 'socketClosed', effects);
      return;
  }
}

function onResponse<T>(state: SessionState<T>, pdu: Pdu, now: number, effects: SessionEffect<T>[]): void {
  const seq = pdu.sequenceNumber;
  if (state.phase === 'binding' && seq === state.bindSequence) {
    const ok = pdu.command === bindResponseOf[state.config.bindKind] && pdu.commandStatus === CommandStatus.ESME_ROK;
    if (ok) {
      state.phase = 'bound';
      state.bindSequence = null;
      state.phaseDeadline = null;
      state.peerSystemId = 'systemId' in pdu ? pdu.systemId : '';
      effects.push({ type: 'bound', peerSystemId: state.peerSystemId });
    } else {
      effects.push({ type: 'bindFailed', commandStatus: pdu.commandStatus });
      closeSession(state, 'bindFailed', effects);
    }
    return;
  }
  if (state.enquireLink !== null && seq === state.enquireLink.sequenceNumber) {
    state.enquireLink = null;
    return;
  }
  if (state.phase === 'unbinding' && seq === state.unbindSequence) {
    closeSession(state, 'unbound', effects);
    return;
  }
  const pending = state.outstanding.get(seq);
  if (pending !== undefined) {
    state.outstanding.delete(seq);
    state.counters.responsesReceived += 1;
    effects.push({ type: 'outcome', tag: pending.tag, outcome: outcomeOf(state, pending.command, pdu, now, effects) });
    return;
  }
  const lateTag = state.expired.get(seq);
  if (lateTag !== undefined) {
    state.expired.delete(seq);
    state.counters.lateResponses += 1;
    effects.push({ type: 'lateResponse', tag: lateTag, response: pdu });
    return;
  }
  state.counters.unknownResponses += 1;
  effects.push({ type: 'protocolWarning', detail: `${pdu.command} with sequence ${seq} answers no request` });
}

function outcomeOf<T>(state: SessionState<T>, command: 'submit_sm' | 'data_sm', pdu: Pdu, now: number, effects: SessionEffect<T>[]): SubmitOutcome {
  const status = pdu.commandStatus;
  if (pdu.command !== expectedResponse[command] && pdu.command !== 'generic_nack') {
    return { kind: 'malformedResponse', detail: `${pdu.command} answers a ${command}` };
  }
  const statusClass = classifyCommandStatus(status);
  if (statusClass === 'ok') {
    return pdu.command === 'generic_nack' ? { kind: 'malformedResponse', detail: 'generic_nack with status 0' } : { kind: 'accepted', response: pdu };
  }
  if (statusClass === 'throttled') {
    state.counters.throttledResponses += 1;
    if (onThrottled(state.throttle, now)) {
      effects.push({ type: 'throttled', commandStatus: status, rateTps: state.throttle.rateTps, pausedUntil: state.throttle.pausedUntil });
    }
    return { kind: 'retry', commandStatus: status };
  }
  return { kind: 'rejected', response: pdu, commandStatus: status, statusClass };
}

function onRequest<T>(state: SessionState<T>, pdu: Pdu, effects: SessionEffect<T>[]): void {
  const seq = pdu.sequenceNumber;
  switch (pdu.command) {
    case 'enquire_link':
      effects.push({ type: 'send', pdu: bodilessPdu('enquire_link_resp', seq) });
      return;
    case 'unbind':
      effects.push({ type: 'send', pdu: bodilessPdu('unbind_resp', seq) });
      closeSession(state, 'peerUnbind', effects);
      return;
    case 'deliver_sm':
    case 'data_sm': {
      const response = pdu.command === 'deliver_sm' ? 'deliver_sm_resp' : 'data_sm_resp';
      const receives = state.config.bindKind !== 'transmitter' && state.phase !== 'binding';
      if (!receives) {
        effects.push({ type: 'send', pdu: errorResponse(response, CommandStatus.ESME_RINVBNDSTS, seq) });
        return;
      }
      state.unanswered.set(seq, response);
      state.counters.deliveriesReceived += 1;
      effects.push({ type: 'deliver', connection: state.connection, pdu });
      return;
    }
    default: {
      // What an ESME does not serve (binds, submits, query, cancel, replace from the SMSC …).
      const response = responseCommandOf(pdu.command);
      if (response !== null) effects.push({ type: 'send', pdu: errorResponse(response, CommandStatus.ESME_RINVCMDID, seq) });
      effects.push({ type: 'protocolWarning', detail: `${pdu.command} from the peer is not served in the ESME role` });
    }
  }
}

function onDecodeError<T>(state: SessionState<T>, error: DecodeError, effects: SessionEffect<T>[]): void {
  state.counters.malformedPdus += 1;
  effects.push({ type: 'protocolWarning', detail: `malformed PDU (${error.kind}): ${error.detail}` });
  if (error.answerWith !== null) {
    effects.push({ type: 'send', pdu: errorResponse(error.answerWith, error.commandStatusToAnswer, error.sequenceNumber) });
    return;
  }
  // A malformed response: it fails the request it answers.
  const seq = error.sequenceNumber;
  const pending = state.outstanding.get(seq);
  if (pending !== undefined) {
    state.outstanding.delete(seq);
    effects.push({ type: 'outcome', tag: pending.tag, outcome: { kind: 'malformedResponse', detail: error.detail } });
  } else if (state.phase === 'binding' && seq === state.bindSequence) {
    effects.push({ type: 'bindFailed', commandStatus: CommandStatus.ESME_RUNKNOWNERR });
    closeSession(state, 'bindFailed', effects);
  } else if (state.enquireLink?.sequenceNumber === seq) {
    state.enquireLink = null;
  } else if (state.phase === 'unbinding' && seq === state.unbindSequence) {
    closeSession(state, 'unbound', effects);
  }
}

function onFramingError<T>(state: SessionState<T>, error: FramingError, effects: SessionEffect<T>[]): void {
  state.counters.malformedPdus += 1;
  effects.push({ type: 'protocolWarning', detail: `framing: ${error.detail}` });
  effects.push({ type: 'send', pdu: bodilessPdu('generic_nack', error.sequenceNumber ?? 0, CommandStatus.ESME_RINVCMDLEN) });
  closeSession(state, 'framingError', effects);
}

function expireTimers<T>(state: SessionState<T>, now: number, effects: SessionEffect<T>[]): void {
  const { config } = state;
  if (state.phaseDeadline !== null && now >= state.phaseDeadline) {
    switch (state.phase) {
      case 'connecting':
        closeSession(state, 'connectTimeout', effects);
        return;
      case 'binding':
        closeSession(state, 'bindTimeout', effects);
        return;
      case 'draining':
        sendUnbind(state, now, effects);
        break;
      case 'unbinding':
        closeSession(state, 'unbindTimeout', effects);
        return;
      default:
        break;
    }
  }
  for (const [seq, pending] of takeExpired(state.outstanding, now)) {
    rememberExpired(state, seq, pending.tag);
    state.counters.timeouts += 1;
    effects.push({ type: 'outcome', tag: pending.tag, outcome: { kind: 'timeout' } });
  }
  if (state.phase !== 'bound' && state.phase !== 'draining') return;
  const watch = watchPeer(state, config, now, () => allocateSequence(state));
  if (watch === 'deadPeer') closeSession(state, 'deadPeer', effects);
  else if (watch !== null) {
    state.counters.enquireLinksSent += 1;
    effects.push({ type: 'send', pdu: watch });
  }
}

function rememberExpired<T>(state: SessionState<T>, seq: number, tag: T): void {
  state.expired.set(seq, tag);
  if (state.expired.size > state.config.lateResponseMemory) {
    const oldest = state.expired.keys().next();
    if (oldest.done !== true) state.expired.delete(oldest.value);
  }
}

/** Sends what the window, the rate and the socket allow; ends a finished drain with unbind. */
function pump<T>(state: SessionState<T>, now: number, effects: SessionEffect<T>[]): void {
  if (state.phase === 'draining' && state.outstanding.size === 0 && state.unanswered.size === 0) {
    sendUnbind(state, now, effects);
    return;
  }
  if (state.phase !== 'bound' || state.writeBlocked) return;
  const { config } = state;
  let sends = 0;
  while (sends < maxSendsPerStep && state.queueHead < state.queue.length && state.outstanding.size < config.windowSize && tryTakeToken(state.throttle, now)) {
    sends += 1;
    const next = state.queue[state.queueHead]!;
    state.queueHead += 1;
    const sequenceNumber = allocateSequence(state);
    state.outstanding.set(sequenceNumber, { tag: next.tag, command: next.pdu.command, deadline: now + config.responseTimeoutMs });
    state.counters.submitsSent += 1;
    effects.push({ type: 'send', pdu: { ...next.pdu, sequenceNumber } });
  }
  compactQueue(state);
}

function compactQueue<T>(state: SessionState<T>): void {
  if (state.queueHead === state.queue.length) {
    state.queue = [];
    state.queueHead = 0;
  } else if (state.queueHead > 1024 && state.queueHead * 2 > state.queue.length) {
    state.queue = state.queue.slice(state.queueHead);
    state.queueHead = 0;
  }
}

function sendUnbind<T>(state: SessionState<T>, now: number, effects: SessionEffect<T>[]): void {
  state.phase = 'unbinding';
  state.phaseDeadline = now + state.config.unbindTimeoutMs;
  state.unbindSequence = allocateSequence(state);
  effects.push({ type: 'send', pdu: bodilessPdu('unbind', state.unbindSequence) });
}

/** A sequence number no request awaits; reusing it forgets the timed-out submit that had it (a late response now answers the new one). */
function allocateSequence<T>(state: SessionState<T>): number {
  const seq = nextFreeSequence(state, (n) => state.outstanding.has(n) || n === state.bindSequence || n === state.unbindSequence || n === state.enquireLink?.sequenceNumber);
  state.expired.delete(seq);
  return seq;
}

function failQueued<T>(state: SessionState<T>, reason: 'stopping' | 'closed', effects: SessionEffect<T>[]): void {
  for (let i = state.queueHead; i < state.queue.length; i++) {
    effects.push({ type: 'outcome', tag: state.queue[i]!.tag, outcome: { kind: 'notSent', reason } });
  }
  state.queue = [];
  state.queueHead = 0;
}

/** Ends the connection: sent requests are in doubt, queued ones were never sent. */
function closeSession<T>(state: SessionState<T>, reason: CloseReason | 'socketClosed', effects: SessionEffect<T>[]): void {
  const wasBound = state.phase === 'bound' || state.phase === 'draining' || state.phase === 'unbinding';
  if (reason !== 'socketClosed') effects.push({ type: 'close', reason });
  if (wasBound) effects.push({ type: 'unbound', reason });
  for (const pending of state.outstanding.values()) effects.push({ type: 'outcome', tag: pending.tag, outcome: { kind: 'connectionLost' } });
  failQueued(state, 'closed', effects);
  state.outstanding.clear();
  // Late responses and delivery answers belong to this connection only.
  state.expired.clear();
  state.unanswered.clear();
  state.phase = 'closed';
  state.phaseDeadline = null;
  state.bindSequence = null;
  state.unbindSequence = null;
  state.enquireLink = null;
  state.writeBlocked = false;
}

function nextWake<T>(state: SessionState<T>, now: number): number | null {
  if (state.phase === 'closed') return null;
  let at = timersWakeAt(state.phaseDeadline, state.outstanding, state.phase === 'bound' || state.phase === 'draining' ? state : null, state.config);
  const canSend = state.phase === 'bound' && !state.writeBlocked && state.outstanding.size < state.config.windowSize;
  if (canSend && state.queueHead < state.queue.length) at = Math.min(at, nextTokenAt(state.throttle, now));
  return at === Infinity ? null : at;
}
