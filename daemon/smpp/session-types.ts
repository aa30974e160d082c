import type { DecodeResult } from './codec.js';
import type { FramingError } from './frame-parser.js';
import type { Pdu, PduOf } from './pdu.js';
import type { EnquireLink } from './session-link.js';
import type { ThrottleConfig, ThrottleState } from './throttle.js';

/** Which bind the ESME asks for. A route in transmitter+receiver mode runs two sessions, one of each. */
export type BindKind = 'transceiver' | 'transmitter' | 'receiver';

export type SessionPhase = 'closed' | 'connecting' | 'binding' | 'bound' | 'draining' | 'unbinding';

/** Requests the application sends through the window: they get a SubmitOutcome. */
export type SubmittablePdu = PduOf<'submit_sm'> | PduOf<'data_sm'>;

/** Requests from the peer that the application answers later (after its commit). */
export type DeliverablePdu = PduOf<'deliver_sm'> | PduOf<'data_sm'>;

export interface SessionConfig {
  readonly bindKind: BindKind;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  /** 0x34 for SMPP 3.4. */
  readonly interfaceVersion: number;
  readonly addrTon: number;
  readonly addrNpi: number;
  readonly addressRange: string;
  /** Requests sent and not yet answered, at most. */
  readonly windowSize: number;
  readonly connectTimeoutMs: number;
  readonly bindTimeoutMs: number;
  /** A request unanswered this long fails with `timeout` (in doubt: the SMSC may have it). */
  readonly responseTimeoutMs: number;
  /** enquire_link after this long without receiving any PDU. */
  readonly enquireLinkIntervalMs: number;
  /** No enquire_link_resp within this long: the peer is dead, close. */
  readonly enquireLinkTimeoutMs: number;
  /** Graceful stop: how long to wait for outstanding responses and unanswered deliveries before unbind. */
  readonly drainTimeoutMs: number;
  readonly unbindTimeoutMs: number;
  /** How many timed-out requests are remembered so that a late response still reaches its submitter. */
  readonly lateResponseMemory: number;
  readonly throttle: ThrottleConfig;
}

/**
 * What happened to a submitted request. `accepted` and `rejected` carry the SMSC's response;
 * `retry` (throttled) and `notSent` never reached (or were refused before) the SMSC and are resent;
 * `timeout`, `connectionLost` and `malformedResponse` are in doubt: the SMSC may have the message.
 */
export type SubmitOutcome =
  | { readonly kind: 'accepted'; readonly response: Pdu }
  | { readonly kind: 'rejected'; readonly response: Pdu; readonly commandStatus: number; readonly statusClass: 'transient' | 'permanent' }
  | { readonly kind: 'retry'; readonly commandStatus: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'connectionLost' }
  | { readonly kind: 'malformedResponse'; readonly detail: string }
  | { readonly kind: 'notSent'; readonly reason: 'notBound' | 'stopping' | 'receiverBind' | 'closed' };

export type CloseReason =
  | 'connectTimeout'
  | 'bindFailed'
  | 'bindTimeout'
  | 'deadPeer'
  | 'framingError'
  | 'peerUnbind'
  | 'unbound'
  | 'unbindTimeout'
  | 'stopped';

export type SessionEvent<T> =
  /** The driver started connecting. */
  | { readonly type: 'connecting'; readonly now: number }
  | { readonly type: 'connected'; readonly now: number }
  | { readonly type: 'pduReceived'; readonly now: number; readonly result: DecodeResult }
  | { readonly type: 'framingError'; readonly now: number; readonly error: FramingError }
  | { readonly type: 'tick'; readonly now: number }
  | { readonly type: 'submit'; readonly now: number; readonly pdu: SubmittablePdu; readonly tag: T }
  /** The application's answer to a `deliver` effect, identified by its connection and sequence number. */
  | { readonly type: 'answer'; readonly now: number; readonly connection: number; readonly sequenceNumber: number; readonly commandStatus: number }
  | { readonly type: 'unbindRequested'; readonly now: number }
  /** socket.write returned false: hold queued submits until `writeDrained`. */
  | { readonly type: 'writeBlocked'; readonly now: number }
  | { readonly type: 'writeDrained'; readonly now: number }
  | { readonly type: 'socketClosed'; readonly now: number };

export type SessionEffect<T> =
  | { readonly type: 'send'; readonly pdu: Pdu }
  | { readonly type: 'close'; readonly reason: CloseReason }
  | { readonly type: 'outcome'; readonly tag: T; readonly outcome: SubmitOutcome }
  /** A response to a request that had already timed out: a fact worth recording (an SMSC message id). */
  | { readonly type: 'lateResponse'; readonly tag: T; readonly response: Pdu }
  | { readonly type: 'bound'; readonly peerSystemId: string }
  | { readonly type: 'bindFailed'; readonly commandStatus: number }
  | { readonly type: 'unbound'; readonly reason: CloseReason | 'socketClosed' }
  /** Answer it with an `answer` event carrying the same connection and sequence number. */
  | { readonly type: 'deliver'; readonly connection: number; readonly pdu: DeliverablePdu }
  | { readonly type: 'throttled'; readonly commandStatus: number; readonly rateTps: number; readonly pausedUntil: number }
  /** Something the peer did wrong that did not end the session; for the log. */
  | { readonly type: 'protocolWarning'; readonly detail: string }
  /** Step again with a tick at this time (null: no timer needed). Always the last effect of a step. */
  | { readonly type: 'wakeAt'; readonly at: number | null };

export interface SessionCounters {
  submitsSent: number;
  responsesReceived: number;
  /** Responses whose sequence number was never used or is no longer remembered. */
  unknownResponses: number;
  /** Responses that arrived after their request timed out. */
  lateResponses: number;
  timeouts: number;
  throttledResponses: number;
  malformedPdus: number;
  deliveriesReceived: number;
  enquireLinksSent: number;
}

export interface PendingRequest<T> {
  readonly tag: T;
  readonly command: SubmittablePdu['command'];
  readonly deadline: number;
}

export interface SessionState<T> {
  readonly config: SessionConfig;
  phase: SessionPhase;
  /** Raised at every `connected`; a delivery answer from an older connection is dropped. */
  connection: number;
  nextSequence: number;
  phaseDeadline: number | null;
  peerSystemId: string;
  /** Submits waiting for window room, a token and a writable socket, oldest first from queueHead. */
  queue: { tag: T; pdu: SubmittablePdu }[];
  queueHead: number;
  /** Submits on the wire, by sequence number, in send order (so in deadline order). */
  outstanding: Map<number, PendingRequest<T>>;
  /** Timed-out submits by sequence number, oldest first, at most config.lateResponseMemory. */
  expired: Map<number, T>;
  /** The peer's deliver_sm / data_sm the application has not answered yet: sequence → response command. */
  unanswered: Map<number, 'deliver_sm_resp' | 'data_sm_resp'>;
  bindSequence: number | null;
  unbindSequence: number | null;
  enquireLink: EnquireLink | null;
  lastReceivedAt: number;
  writeBlocked: boolean;
  throttle: ThrottleState;
  counters: SessionCounters;
}

export interface StepResult<T> {
  readonly state: SessionState<T>;
  readonly effects: SessionEffect<T>[];
}
