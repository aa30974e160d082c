import type { UnitOutcome } from './acceptance.js';
import { errorBody, type ErrorBody } from './error-reply.js';

/** How one accepted (or replayed) unit reads in JSON answers. */
export interface UnitJson {
  readonly status: 'accepted' | 'scheduled';
  /** True when the client reference / Idempotency-Key was seen before: these are the original ids. */
  readonly replayed: boolean;
  readonly clientRef: string | null;
  readonly segments: number;
  readonly messages: readonly { readonly id: string; readonly to: string; readonly segments: number; readonly encoding: string }[];
}

export function unitJson(outcome: Exclude<UnitOutcome, { kind: 'refused' }>, clientRef: string | null): UnitJson {
  return {
    status: outcome.scheduled ? 'scheduled' : 'accepted',
    replayed: outcome.kind === 'replayed',
    clientRef,
    segments: outcome.messages.reduce((sum, message) => sum + message.segments, 0),
    messages: outcome.messages.map((message) => ({ id: message.id, to: message.recipient, segments: message.segments, encoding: message.encoding })),
  };
}

export type BatchItemJson =
  | ({ readonly index: number } & UnitJson)
  | ({ readonly index: number; readonly status: 'rejected'; readonly clientRef: string | null } & ErrorBody);

export function batchItemJson(index: number, outcome: UnitOutcome, clientRef: string | null): BatchItemJson {
  if (outcome.kind === 'refused') return { index, status: 'rejected', clientRef, ...errorBody(outcome.error) };
  return { index, ...unitJson(outcome, clientRef) };
}
