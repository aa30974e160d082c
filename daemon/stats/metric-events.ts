/**
 * What the API and delivery report for metrics: small interfaces each module receives (default: the
 * no-op ones below), so that those modules neither import a registry nor care whether anyone counts.
 * daemon/stats/metrics.ts implements them over prom-client; docs/metrics.md lists the series.
 */
import type { MessageStatus } from '../domain/status.js';

/** Client API acceptance. */
export interface AcceptanceEvents {
  /** One message stored (durable) for the route. */
  accepted(routeId: string, clientId: string, segments: number): void;
  /** A request (or batch item) refused with the error registry's symbolic name. */
  refused(code: string): void;
}

export type SubmitErrorKind = 'rejected_permanent' | 'rejected_transient' | 'timeout' | 'connection_lost' | 'malformed_response';

/** One bind's session and submits. */
export interface BindEvents {
  bindUp(routeId: string, bind: number, up: boolean): void;
  /** The bind is no longer this node's (route removed or changed, node draining): its series go. */
  bindReleased(routeId: string, bind: number): void;
  /** The SMSC answered a segment's submit_sm with success after `seconds`. */
  segmentSubmitted(routeId: string, bind: number, seconds: number): void;
  /** A whole message acked with its SMSC ids. */
  messageSubmitted(routeId: string, bind: number): void;
  submitError(routeId: string, bind: number, kind: SubmitErrorKind): void;
  /** The SMSC throttled the bind (ESME_RTHROTTLED, ESME_RMSGQFUL). */
  throttled(routeId: string, bind: number): void;
  /** The store refused a queue change because the bind's epoch moved on: another owner took over. */
  fenced(reason: FencingReason): void;
}

export type FencingReason = 'stale_epoch' | 'lease_lost';

/** Receipts and MO coming back on binds. */
export interface InboundEvents {
  /** `unknown` status: the receipt could not be read (it is kept as an inbound problem). */
  receipt(routeId: string, status: MessageStatus | 'unknown', outcome: 'matched' | 'held' | 'duplicate' | 'unparsed'): void;
  mo(routeId: string): void;
}

export type CallbackAttemptOutcome = 'delivered' | 'retry' | 'dead';

export interface CallbackEvents {
  /** One delivery attempt to a client's endpoint, `seconds` from request to outcome. */
  attempt(kind: 'dlr' | 'mo', outcome: CallbackAttemptOutcome, seconds: number): void;
}

/** Cluster coordination (the cluster work reports here; counters exist at 0 until then). */
export interface ClusterEvents {
  failover(): void;
  fenced(reason: FencingReason): void;
  dependencyUp(dependency: 'redis' | 'etcd', up: boolean): void;
}

export interface DeliveryEvents {
  readonly bind: BindEvents;
  readonly inbound: InboundEvents;
  readonly callbacks: CallbackEvents;
}

const ignore = (): void => undefined;

export const noAcceptanceEvents: AcceptanceEvents = { accepted: ignore, refused: ignore };
export const noBindEvents: BindEvents = {
  bindUp: ignore, bindReleased: ignore, segmentSubmitted: ignore, messageSubmitted: ignore, submitError: ignore, throttled: ignore, fenced: ignore,
};
export const noInboundEvents: InboundEvents = { receipt: ignore, mo: ignore };
export const noCallbackEvents: CallbackEvents = { attempt: ignore };
export const noDeliveryEvents: DeliveryEvents = { bind: noBindEvents, inbound: noInboundEvents, callbacks: noCallbackEvents };
