import type { ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { MessageStatus, QueueState } from '../../domain/status.js';
import type { ClientBalance, MessageEvent, MessagePartView, MessageView, TextEncoding } from '../port.js';
import type { OracleSession } from './aq-session.js';
import { oracleQueries } from './sql-files.js';

/** Read-only views of the ledger: status lookups, balances and messages waiting per client. */

interface LedgerRow {
  ID: string; CLIENT_ID: string; CLIENT_REF: string | null; ROUTE_ID: string; SENDER: string; RECIPIENT: string;
  ENCODING: string; SEGMENTS: number; STATUS: string; QUEUE_STATE: string; AQ_WAITING: number; ACCEPTED_AT: Date;
  NOT_BEFORE: Date | null; EXPIRES_AT: Date; SUBMITTED_AT: Date | null; DONE_AT: Date | null; ERROR_CODE: number | null;
  REASON: string | null;
}

interface PartRow {
  SEGMENT_INDEX: number; PARTS: number | null; SMSC_ID: string; STATUS: string; STAT: string | null; ERROR_CODE: string | null;
  SUBMITTED_AT: Date | null; DONE_AT: Date | null;
}

const sql = oracleQueries('mt_views');

/** The ledger's queue_state as the port names it: QUEUED is AQ's READY or WAITING. */
export function queueStateOf(ledgerState: string, aqWaiting: boolean): QueueState | 'EXCEPTION' {
  if (ledgerState === 'QUEUED') return aqWaiting ? 'WAITING' : 'READY';
  return ledgerState as QueueState | 'EXCEPTION';
}

export async function findMessage(
  session: OracleSession,
  clientId: ClientId,
  key: { readonly id: MessageId } | { readonly clientRef: string },
): Promise<MessageView | null> {
  const rows = 'id' in key
    ? await session.execute<LedgerRow>(sql('byId'), { client_id: clientId, id: key.id })
    : await session.execute<LedgerRow>(sql('byClientRef'), { client_id: clientId, client_ref: key.clientRef });
  const row = rows.rows[0];
  if (row === undefined) return null;
  const first: MessageEvent = {
    at: row.ACCEPTED_AT,
    status: row.NOT_BEFORE !== null && row.NOT_BEFORE > row.ACCEPTED_AT ? 'scheduled' : 'accepted',
    detail: null,
  };
  const events = await session.execute<{ AT: Date; STATUS: string; DETAIL: string | null }>(sql('history'), { message_id: row.ID });
  const smsc = await session.execute<{ SMSC_ID: string }>(sql('smscIds'), { message_id: row.ID });
  return {
    id: row.ID as MessageId,
    clientId: row.CLIENT_ID as ClientId,
    clientRef: row.CLIENT_REF,
    routeId: row.ROUTE_ID as RouteId,
    sender: row.SENDER,
    recipient: row.RECIPIENT,
    encoding: row.ENCODING as TextEncoding,
    segments: row.SEGMENTS,
    status: row.STATUS as MessageStatus,
    queueState: queueStateOf(row.QUEUE_STATE, row.AQ_WAITING === 1),
    acceptedAt: row.ACCEPTED_AT,
    notBefore: row.NOT_BEFORE,
    expiresAt: row.EXPIRES_AT,
    submittedAt: row.SUBMITTED_AT,
    doneAt: row.DONE_AT,
    errorCode: row.ERROR_CODE,
    reason: row.REASON,
    smscIds: smsc.rows.map((segment) => segment.SMSC_ID),
    history: [first, ...events.rows.map((event): MessageEvent => ({ at: event.AT, status: event.STATUS as MessageStatus, detail: event.DETAIL }))],
  };
}

export async function clientBalance(session: OracleSession, clientId: ClientId, demoFreeSegments: number): Promise<ClientBalance> {
  const row = (await session.execute<{ DEMO: number | null; SEGMENTS_USED: number; QUEUED: number }>(sql('balance'), { client_id: clientId })).rows[0];
  const segmentsUsed = row?.SEGMENTS_USED ?? 0;
  return {
    clientId,
    segmentsUsed,
    demoRemaining: row?.DEMO === 1 ? Math.max(0, demoFreeSegments - segmentsUsed) : null,
    queued: row?.QUEUED ?? 0,
  };
}

export async function queuedByClient(session: OracleSession): Promise<ReadonlyMap<ClientId, number>> {
  const rows = await session.execute<{ CLIENT_ID: string; QUEUED: number }>(sql('queuedByClient'), {});
  return new Map(rows.rows.map((row) => [row.CLIENT_ID as ClientId, row.QUEUED]));
}

/** The recorded segments of a client's message, in order; [] when none or not the client's. */
export async function findMessageParts(session: OracleSession, clientId: ClientId, id: MessageId): Promise<MessagePartView[]> {
  return (await session.execute<PartRow>(sql('parts'), { id, client_id: clientId })).rows.map((row): MessagePartView => ({
    index: row.SEGMENT_INDEX,
    of: row.PARTS,
    smscId: row.SMSC_ID,
    status: row.STATUS as MessageStatus,
    stat: row.STAT,
    errorCode: row.ERROR_CODE,
    submittedAt: row.SUBMITTED_AT,
    doneAt: row.DONE_AT,
  }));
}
