/**
 * One client's SMPP session in the SMSC role, as a pure state machine (docs/smpp-server.md):
 * `stepSmsc(state, event) → { state, effects }`. It waits for a bind, hands the bind and every
 * submit to the application (checking credentials and committing a message are asynchronous) and
 * answers them when the application says so, sends deliver_sm (receipts, MO) within a window with
 * response timeouts, keeps the enquire_link watchdog, and answers malformed PDUs as the codec says
 * without ending the session. Like the ESME machine it updates the state it is given.
 */
import type { DecodeError, DecodeResult } from '../smpp/codec.js';
import { CommandStatus } from '../smpp/command-status.js';
import { commandIds, isResponseId, responseCommandOf } from '../smpp/commands.js';
import type { FramingError } from '../smpp/frame-parser.js';
import type { Pdu, PduOf } from '../smpp/pdu.js';
import { allocateSequence as nextFreeSequence, takeExpired, timersWakeAt, watchPeer, type EnquireLink } from '../smpp/session-link.js';
import { bodilessPdu, errorResponse } from '../smpp/session-pdus.js';
import type { BindKind } from '../smpp/session-types.js';

export interface SmscSessionConfig {
  /** deliver_sm sent to the client and not yet answered, at most. */
  readonly windowSize: number;
  /** A connection that has not bound within this long is closed. */
  readonly bindTimeoutMs: number;
  /** A deliver_sm unanswered this long ends `timeout` (the outbox retries it). */
  readonly responseTimeoutMs: number;
  readonly enquireLinkIntervalMs: number;
  readonly enquireLinkTimeoutMs: number;
  readonly unbindTimeoutMs: number;
  /** Submits handed to the application and not yet answered, at most; more are answered ESME_RTHROTTLED. */
  readonly maxPendingRequests: number;
}

export type SmscPhase = 'awaitingBind' | 'binding' | 'bound' | 'unbinding' | 'closed';

export type ClientRequestPdu = PduOf<'submit_sm'> | PduOf<'data_sm'>;
export type BindRequestPdu = PduOf<'bind_transmitter'> | PduOf<'bind_receiver'> | PduOf<'bind_transceiver'>;

export type SmscCloseReason = 'bindTimeout' | 'bindRefused' | 'deadPeer' | 'framingError' | 'peerUnbind' | 'unbound' | 'unbindTimeout';

/** What became of a deliver_sm sent to the client. */
export type DeliverOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'refused'; readonly commandStatus: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'connectionLost' }
  | { readonly kind: 'notBound' };

export type SmscEvent<T> =
  | { readonly type: 'connected'; readonly now: number }
  | { readonly type: 'pduReceived'; readonly now: number; readonly result: DecodeResult }
  | { readonly type: 'framingError'; readonly now: number; readonly error: FramingError }
  | { readonly type: 'tick'; readonly now: number }
  /** The application's verdict on the bind request (ESME_ROK accepts). */
  | { readonly type: 'bindAnswer'; readonly now: number; readonly commandStatus: number; readonly systemId: string }
  /** The application's response to a submit_sm / data_sm (its sequence number is the request's). */
  | { readonly type: 'requestAnswer'; readonly now: number; readonly response: Pdu }
  | { readonly type: 'deliver'; readonly now: number; readonly pdu: PduOf<'deliver_sm'>; readonly tag: T }
  | { readonly type: 'unbindRequested'; readonly now: number }
  | { readonly type: 'socketClosed'; readonly now: number };

export type SmscEffect<T> =
  | { readonly type: 'send'; readonly pdu: Pdu }
  | { readonly type: 'close'; readonly reason: SmscCloseReason }
  /** Check the credentials, then step a `bindAnswer`. */
  | { readonly type: 'bindRequest'; readonly kind: BindKind; readonly pdu: BindRequestPdu }
  /** Validate and commit, then step a `requestAnswer`. */
  | { readonly type: 'request'; readonly pdu: ClientRequestPdu }
  | { readonly type: 'bound'; readonly kind: BindKind }
  | { readonly type: 'unbound' }
  | { readonly type: 'deliverOutcome'; readonly tag: T; readonly outcome: DeliverOutcome }
  | { readonly type: 'protocolWarning'; readonly detail: string }
  | { readonly type: 'wakeAt'; readonly at: number | null };

export interface SmscSessionState<T> {
  readonly config: SmscSessionConfig;
  phase: SmscPhase;
  bindKind: BindKind | null;
  bindSequence: number | null;
  phaseDeadline: number | null;
  nextSequence: number;
  /** Client requests handed to the application: sequence → the response command. */
  pending: Map<number, 'submit_sm_resp' | 'data_sm_resp'>;
  /** Our deliver_sm awaiting deliver_sm_resp, in send (so deadline) order. */
  outstanding: Map<number, { readonly tag: T; readonly deadline: number }>;
  queue: { readonly tag: T; readonly pdu: PduOf<'deliver_sm'> }[];
  enquireLink: EnquireLink | null;
  unbindSequence: number | null;
  lastReceivedAt: number;
}

export interface SmscStepResult<T> {
  readonly state: SmscSessionState<T>;
  readonly effects: SmscEffect<T>[];
}

const bindKinds = { bind_transmitter: 'transmitter', bind_receiver: 'receiver', bind_transceiver: 'transceiver' } as const;
const bindResponses = { transmitter: 'bind_transmitter_resp', receiver: 'bind_receiver_resp', transceiver: 'bind_transceiver_resp' } as const;

export function createSmscSession<T>(config: SmscSessionConfig, now: number): SmscSessionState<T> {
  return {
    config,
    phase: 'closed',
    bindKind: null,
    bindSequence: null,
    phaseDeadline: null,
    nextSequence: 1,
    pending: new Map(),
    outstanding: new Map(),
    queue: [],
    enquireLink: null,
    unbindSequence: null,
    lastReceivedAt: now,
  };
}

/** Whether deliver_sm may go to this session (a receiver or transceiver bind). */
export function receives<T>(state: SmscSessionState<T>): boolean {
  return state.phase === 'bound' && state.bindKind !== 'transmitter';
}

export function stepSmsc<T>(state: SmscSessionState<T>, event: SmscEvent<T>): SmscStepResult<T> {
  const effects: SmscEffect<T>[] = [];
  expireTimers(state, event.now, effects);
  handle(state, event, effects);
  pump(state, event.now, effects);
  effects.push({ type: 'wakeAt', at: nextWake(state) });
  return { state, effects };
}

function handle<T>(state: SmscSessionState<T>, event: SmscEvent<T>, effects: SmscEffect<T>[]): void {
  const { now } = event;
  switch (event.type) {
    case 'connected':
      if (state.phase !== 'closed') return;
      state.phase = 'awaitingBind';
      state.phaseDeadline = now + state.config.bindTimeoutMs;
      state.lastReceivedAt = now;
      return;
    case 'pduReceived':
      if (state.phase === 'closed') return;
      state.lastReceivedAt = now;
      if (!event.result.ok) onDecodeError(state, event.result.error, effects);
      else if (isResponseId(commandIds[event.result.pdu.command])) onResponse(state, event.result.pdu, effects);
      else onRequest(state, event.result.pdu, now, effects);
      return;
    case 'framingError':
      if (state.phase === 'closed') return;
      effects.push({ type: 'protocolWarning', detail: `framing: ${event.error.detail}` });
      effects.push({ type: 'send', pdu: bodilessPdu('generic_nack', event.error.sequenceNumber ?? 0, CommandStatus.ESME_RINVCMDLEN) });
      close(state, 'framingError', effects);
      return;
    case 'tick':
      return;
    case 'bindAnswer': {
      if (state.phase !== 'binding' || state.bindSequence === null || state.bindKind === null) return;
      const command = bindResponses[state.bindKind];
      const sequenceNumber = state.bindSequence;
      state.bindSequence = null;
      if (event.commandStatus !== CommandStatus.ESME_ROK) {
        effects.push({ type: 'send', pdu: errorResponse(command, event.commandStatus, sequenceNumber) });
        close(state, 'bindRefused', effects);
        return;
      }
      effects.push({ type: 'send', pdu: { command, commandStatus: 0, sequenceNumber, tlvs: [], systemId: event.systemId } });
      state.phase = 'bound';
      state.phaseDeadline = null;
      effects.push({ type: 'bound', kind: state.bindKind });
      return;
    }
    case 'requestAnswer':
      // An answer after the session closed has no one to go to: the client resubmits what it was not answered.
      if (state.phase === 'closed' || !state.pending.delete(event.response.sequenceNumber)) return;
      effects.push({ type: 'send', pdu: event.response });
      return;
    case 'deliver':
      if (!receives(state)) effects.push({ type: 'deliverOutcome', tag: event.tag, outcome: { kind: 'notBound' } });
      else state.queue.push({ tag: event.tag, pdu: event.pdu });
      return;
    case 'unbindRequested':
      if (state.phase === 'bound') {
        failQueued(state, effects);
        state.phase = 'unbinding';
        state.phaseDeadline = now + state.config.unbindTimeoutMs;
        state.unbindSequence = allocateSequence(state);
        effects.push({ type: 'send', pdu: bodilessPdu('unbind', state.unbindSequence) });
      } else if (state.phase !== 'unbinding' && state.phase !== 'closed') {
        close(state, 'unbound', effects);
      }
      return;
    case 'socketClosed':
      if (state.phase !== 'closed') close(state, null, effects);
      return;
  }
}

function onRequest<T>(state: SmscSessionState<T>, pdu: Pdu, now: number, effects: SmscEffect<T>[]): void {
  const seq = pdu.sequenceNumber;
  switch (pdu.command) {
    case 'enquire_link':
      effects.push({ type: 'send', pdu: bodilessPdu('enquire_link_resp', seq) });
      return;
    case 'unbind':
      effects.push({ type: 'send', pdu: bodilessPdu('unbind_resp', seq) });
      close(state, 'peerUnbind', effects);
      return;
    case 'bind_transmitter':
    case 'bind_receiver':
    case 'bind_transceiver': {
      const kind = bindKinds[pdu.command];
      if (state.phase !== 'awaitingBind') {
        // Bound already (or a bind is being checked): SMPP 3.4's "ESME already in bound state".
        effects.push({ type: 'send', pdu: errorResponse(bindResponses[kind], CommandStatus.ESME_RALYBND, seq) });
        return;
      }
      state.phase = 'binding';
      state.bindKind = kind;
      state.bindSequence = seq;
      state.phaseDeadline = now + state.config.bindTimeoutMs;
      effects.push({ type: 'bindRequest', kind, pdu });
      return;
    }
    case 'submit_sm':
    case 'data_sm': {
      const response = pdu.command === 'submit_sm' ? 'submit_sm_resp' : 'data_sm_resp';
      if (state.phase !== 'bound' || state.bindKind === 'receiver') {
        effects.push({ type: 'send', pdu: errorResponse(response, CommandStatus.ESME_RINVBNDSTS, seq) });
      } else if (state.pending.has(seq)) {
        effects.push({ type: 'protocolWarning', detail: `${pdu.command} reuses sequence ${seq} of a request not yet answered` });
        effects.push({ type: 'send', pdu: errorResponse(response, CommandStatus.ESME_RSYSERR, seq) });
      } else if (state.pending.size >= state.config.maxPendingRequests) {
        // The client ignores its window: refuse rather than queue without bound.
        effects.push({ type: 'send', pdu: errorResponse(response, CommandStatus.ESME_RTHROTTLED, seq) });
      } else {
        state.pending.set(seq, response);
        effects.push({ type: 'request', pdu });
      }
      return;
    }
    case 'outbind':
    case 'alert_notification':
      effects.push({ type: 'protocolWarning', detail: `${pdu.command} from a client is ignored (it has no response)` });
      return;
    default: {
      // submit_multi, query_sm, cancel_sm, replace_sm, deliver_sm from a client: not served.
      const response = responseCommandOf(pdu.command);
      if (response !== null) {
        const status = state.phase === 'bound' ? CommandStatus.ESME_RINVCMDID : CommandStatus.ESME_RINVBNDSTS;
        effects.push({ type: 'send', pdu: errorResponse(response, status, seq) });
      }
    }
  }
}

function onResponse<T>(state: SmscSessionState<T>, pdu: Pdu, effects: SmscEffect<T>[]): void {
  const seq = pdu.sequenceNumber;
  if (state.enquireLink?.sequenceNumber === seq) {
    state.enquireLink = null;
    return;
  }
  if (state.phase === 'unbinding' && seq === state.unbindSequence) {
    close(state, 'unbound', effects);
    return;
  }
  const sent = state.outstanding.get(seq);
  if (sent === undefined) {
    effects.push({ type: 'protocolWarning', detail: `${pdu.command} with sequence ${seq} answers no request` });
    return;
  }
  state.outstanding.delete(seq);
  const delivered = pdu.command === 'deliver_sm_resp' && pdu.commandStatus === CommandStatus.ESME_ROK;
  const outcome: DeliverOutcome = delivered
    ? { kind: 'delivered' }
    : { kind: 'refused', commandStatus: pdu.commandStatus === 0 ? CommandStatus.ESME_RUNKNOWNERR : pdu.commandStatus };
  effects.push({ type: 'deliverOutcome', tag: sent.tag, outcome });
}

function onDecodeError<T>(state: SmscSessionState<T>, error: DecodeError, effects: SmscEffect<T>[]): void {
  effects.push({ type: 'protocolWarning', detail: `malformed PDU (${error.kind}): ${error.detail}` });
  if (error.answerWith !== null) {
    effects.push({ type: 'send', pdu: errorResponse(error.answerWith, error.commandStatusToAnswer, error.sequenceNumber) });
    return;
  }
  const sent = state.outstanding.get(error.sequenceNumber);
  if (sent !== undefined) {
    // A malformed deliver_sm_resp: the client may or may not have it; the outbox sends it again.
    state.outstanding.delete(error.sequenceNumber);
    effects.push({ type: 'deliverOutcome', tag: sent.tag, outcome: { kind: 'refused', commandStatus: CommandStatus.ESME_RUNKNOWNERR } });
  }
}

function expireTimers<T>(state: SmscSessionState<T>, now: number, effects: SmscEffect<T>[]): void {
  if (state.phaseDeadline !== null && now >= state.phaseDeadline) {
    if (state.phase === 'awaitingBind' || state.phase === 'binding') close(state, 'bindTimeout', effects);
    else if (state.phase === 'unbinding') close(state, 'unbindTimeout', effects);
    if (state.phase === 'closed') return;
  }
  for (const [, sent] of takeExpired(state.outstanding, now)) effects.push({ type: 'deliverOutcome', tag: sent.tag, outcome: { kind: 'timeout' } });
  if (state.phase !== 'bound') return;
  const watch = watchPeer(state, state.config, now, () => allocateSequence(state));
  if (watch === 'deadPeer') close(state, 'deadPeer', effects);
  else if (watch !== null) effects.push({ type: 'send', pdu: watch });
}

function pump<T>(state: SmscSessionState<T>, now: number, effects: SmscEffect<T>[]): void {
  if (!receives(state)) return;
  while (state.queue.length > 0 && state.outstanding.size < state.config.windowSize) {
    const next = state.queue.shift()!;
    const sequenceNumber = allocateSequence(state);
    state.outstanding.set(sequenceNumber, { tag: next.tag, deadline: now + state.config.responseTimeoutMs });
    effects.push({ type: 'send', pdu: { ...next.pdu, sequenceNumber } });
  }
}

function allocateSequence<T>(state: SmscSessionState<T>): number {
  return nextFreeSequence(state, (seq) => state.outstanding.has(seq) || seq === state.enquireLink?.sequenceNumber || seq === state.unbindSequence);
}

function failQueued<T>(state: SmscSessionState<T>, effects: SmscEffect<T>[]): void {
  for (const queued of state.queue) effects.push({ type: 'deliverOutcome', tag: queued.tag, outcome: { kind: 'notBound' } });
  state.queue = [];
}

/** Ends the session; `reason` null when the socket closed by itself (nothing left to close). */
function close<T>(state: SmscSessionState<T>, reason: SmscCloseReason | null, effects: SmscEffect<T>[]): void {
  const wasBound = state.phase === 'bound' || state.phase === 'unbinding';
  if (reason !== null) effects.push({ type: 'close', reason });
  if (wasBound) effects.push({ type: 'unbound' });
  for (const sent of state.outstanding.values()) effects.push({ type: 'deliverOutcome', tag: sent.tag, outcome: { kind: 'connectionLost' } });
  failQueued(state, effects);
  state.outstanding.clear();
  state.pending.clear();
  state.phase = 'closed';
  state.phaseDeadline = null;
  state.bindSequence = null;
  state.unbindSequence = null;
  state.enquireLink = null;
}

function nextWake<T>(state: SmscSessionState<T>): number | null {
  if (state.phase === 'closed') return null;
  const at = timersWakeAt(state.phaseDeadline, state.outstanding, state.phase === 'bound' ? state : null, state.config);
  return at === Infinity ? null : at;
}
