import type { ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { ClaimedMt, TextEncoding } from '../port.js';
import { AqQueues, type AqOutgoing, type MtPayload } from './aq-session.js';

/**
 * Pure mapping between our MT messages and AQ message properties. AQ counts delay and expiration
 * in whole seconds relative to the enqueue, and starts the expiration clock when the message
 * becomes READY (after its delay). So that a retry delay of 60 ms means 60 ms, the delay is rounded
 * down and the payload carries the exact READY_AT, which claims test in their dequeue condition;
 * expiration is rounded up, so AQ never drops a message early (the ledger's expiry decides, by the
 * database clock, at claim and at sweep).
 */

/** The ledger fields an AQ message is built from (at acceptance, on a retry, on an IN_DOUBT resend). */
export interface MtQueueFields {
  readonly id: MessageId;
  readonly clientId: ClientId;
  readonly routeId: RouteId;
  readonly segments: number;
  readonly priority: number;
  readonly expiresAt: Date;
  readonly acceptedAt: Date;
  /** Attempts made so far (0 at acceptance). */
  readonly attempts: number;
}

/** AQ's "never expires". */
export const AQ_NEVER_EXPIRES = -1;

const secondsUntil = (fromMs: number, toMs: number): number => Math.max(0, Math.ceil((toMs - fromMs) / 1000));

function payloadOf(message: MtQueueFields, readyAtMs: number | null): MtPayload {
  return {
    MESSAGE_ID: message.id,
    CLIENT_ID: message.clientId,
    ROUTE_ID: message.routeId,
    SEGMENTS: message.segments,
    ATTEMPTS: message.attempts,
    ACCEPTED_AT: message.acceptedAt,
    READY_AT: readyAtMs === null ? null : new Date(readyAtMs),
  };
}

/**
 * The MT queue message for a message that becomes READY at `readyAtMs` (now, a scheduled time, or
 * now plus a retry delay), read against the caller's `nowMs`.
 */
export function mtQueueMessage(message: MtQueueFields, readyAtMs: number, nowMs: number): AqOutgoing {
  const delaySeconds = Math.max(0, Math.floor((readyAtMs - nowMs) / 1000));
  const readyMs = nowMs + delaySeconds * 1000;
  return {
    payload: payloadOf(message, readyAtMs > nowMs ? readyAtMs : null),
    correlation: message.routeId,
    priority: message.priority,
    delaySeconds,
    // At least one second: AQ reads 0 as "expire at once"; the ledger expires the message on time anyway.
    expirationSeconds: Math.max(1, secondsUntil(readyMs, message.expiresAt.getTime())),
    exceptionQueue: AqQueues.mtException,
  };
}

/** The exception queue message of a message that gave up after max_retries (AQ refuses delay or expiration there). */
export function mtExceptionMessage(message: MtQueueFields): AqOutgoing {
  return {
    payload: payloadOf(message, null),
    correlation: message.routeId,
    priority: message.priority,
    delaySeconds: 0,
    expirationSeconds: AQ_NEVER_EXPIRES,
    exceptionQueue: null,
  };
}

/** A ledger row as the claim query returns it (Oracle upper-cases column names). */
export interface ClaimedRow {
  readonly ID: string;
  readonly CLIENT_ID: string;
  readonly ROUTE_ID: string;
  readonly SENDER: string;
  readonly RECIPIENT: string;
  /** Oracle stores '' as NULL. */
  readonly TEXT: string | null;
  readonly ENCODING: string;
  readonly SEGMENTS: number;
  readonly PRIORITY: number;
  readonly EXPIRES_AT: Date;
  readonly DLR_REQUESTED: number;
  readonly ATTEMPTS: number;
  readonly ACCEPTED_AT: Date;
}

/** A claimed ledger row as the dispatcher gets it; ATTEMPTS already counts this claim. */
export function claimedFromRow(row: ClaimedRow): ClaimedMt {
  return {
    id: row.ID as MessageId,
    clientId: row.CLIENT_ID as ClientId,
    routeId: row.ROUTE_ID as RouteId,
    sender: row.SENDER,
    recipient: row.RECIPIENT,
    text: row.TEXT ?? '',
    encoding: row.ENCODING as TextEncoding,
    segments: row.SEGMENTS,
    priority: row.PRIORITY,
    expiresAt: row.EXPIRES_AT,
    dlrRequested: row.DLR_REQUESTED === 1,
    attempt: row.ATTEMPTS,
    acceptedAt: row.ACCEPTED_AT,
  };
}
