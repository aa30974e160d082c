import type { ClientId, MessageId, RouteId } from '../domain/ids.js';
import type { MessageStatus } from '../domain/status.js';
import type { MessageEvent, MessagePartView, MessageView, TextEncoding } from './port.js';

/**
 * Ledger rows as the SQLite and PostgreSQL adapters read them (snake_case columns, times in ms) and
 * the views the port returns of them, mapped in one place so that both adapters answer alike.
 */

/** The columns of a ledger row that a status lookup shows. */
export interface LedgerMessageRow {
  id: string; client_id: string; client_ref: string | null; route_id: string; sender: string; recipient: string;
  encoding: string; segments: number; status: string; accepted_at: number;
  not_before: number | null; expires_at: number; submitted_at: number | null; done_at: number | null; error_code: number | null;
  reason: string | null;
}

export interface LedgerEventRow { at: number; status: string; detail: string | null }

export interface LedgerPartRow {
  segment_index: number; parts: number | null; smsc_id: string; status: string; stat: string | null; error_code: string | null;
  submitted_at: number | null; done_at: number | null;
}

function dateOrNull(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/** Acceptance is the ledger row itself (scheduled when it waits for a later time); later changes are its events. */
export function messageViewOf(
  row: LedgerMessageRow,
  queueState: MessageView['queueState'],
  smscIds: readonly string[],
  events: readonly LedgerEventRow[],
): MessageView {
  const first: MessageEvent = {
    at: new Date(row.accepted_at),
    status: row.not_before !== null && row.not_before > row.accepted_at ? 'scheduled' : 'accepted',
    detail: null,
  };
  return {
    id: row.id as MessageId,
    clientId: row.client_id as ClientId,
    clientRef: row.client_ref,
    routeId: row.route_id as RouteId,
    sender: row.sender,
    recipient: row.recipient,
    encoding: row.encoding as TextEncoding,
    segments: row.segments,
    status: row.status as MessageStatus,
    queueState,
    acceptedAt: new Date(row.accepted_at),
    notBefore: dateOrNull(row.not_before),
    expiresAt: new Date(row.expires_at),
    submittedAt: dateOrNull(row.submitted_at),
    doneAt: dateOrNull(row.done_at),
    errorCode: row.error_code,
    reason: row.reason,
    smscIds: [...smscIds],
    history: [first, ...events.map((event): MessageEvent => ({ at: new Date(event.at), status: event.status as MessageStatus, detail: event.detail }))],
  };
}

export function partViewOf(row: LedgerPartRow): MessagePartView {
  return {
    index: row.segment_index,
    of: row.parts,
    smscId: row.smsc_id,
    status: row.status as MessageStatus,
    stat: row.stat,
    errorCode: row.error_code,
    submittedAt: dateOrNull(row.submitted_at),
    doneAt: dateOrNull(row.done_at),
  };
}
