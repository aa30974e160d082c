import type { ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { MessageStatus } from '../../domain/status.js';
import type { AdminMtOutcome, MessageLookup, MessageView, QueueDepth } from '../port.js';
import { mtQueueMessage } from './aq-message.js';
import { AqQueues, type OracleSession } from './aq-session.js';
import { raiseDlr } from './dlr-events.js';
import { fieldsOf } from './mt-queue.js';
import { findMessage, queueStateOf } from './mt-views.js';
import { oracleQueries } from './sql-files.js';

/**
 * What operators do to single messages (search, cancel, resend) and the queue depth metrics read,
 * with the SQLite store's rules (daemon/storage/sqlite/mt-admin.ts), each change one transaction's
 * body. The message's ledger row is locked first, so a claim cannot slip between the check and the
 * change. A cancel leaves the AQ message in place (a WAITING one cannot be dequeued); the claim that
 * dequeues it later finds the ledger row no longer QUEUED and drops it. A resend enqueues a new AQ
 * message; one given up after max_retries keeps its old copy in the exception queue, where
 * smsproc_mt_exception shows it with the ledger's current state.
 */

interface KeyRow { ID: string; CLIENT_ID: string }
interface TargetRow {
  ID: string; CLIENT_ID: string; ROUTE_ID: string; SEGMENTS: number; PRIORITY: number; EXPIRES_AT: Date; ACCEPTED_AT: Date;
  STATUS: string; QUEUE_STATE: string; AQ_WAITING: number; VALIDITY_ENDED: number;
}

const sql = oracleQueries('mt_admin');
const mtSql = oracleQueries('mt');

const resendable: ReadonlySet<string> = new Set<MessageStatus>(['failed', 'in_doubt']);

export async function queueDepth(session: OracleSession): Promise<QueueDepth[]> {
  const rows = await session.execute<{ ROUTE_ID: string; STATE: string; MESSAGES: number; OLDEST_ACCEPTED_AT: Date }>(sql('queueDepth'), {});
  return rows.rows.map((row) => ({
    routeId: row.ROUTE_ID as RouteId,
    state: row.STATE as QueueDepth['state'],
    messages: row.MESSAGES,
    oldestAcceptedAt: row.OLDEST_ACCEPTED_AT,
  }));
}

export async function lookupMessages(session: OracleSession, query: MessageLookup): Promise<MessageView[]> {
  let keys: readonly KeyRow[];
  if ('id' in query) {
    keys = (await session.execute<KeyRow>(sql('keysById'), { id: query.id })).rows;
  } else if (query.clientRef !== undefined) {
    keys = (await session.execute<KeyRow>(sql('keysByRef'), { client_id: query.clientId, client_ref: query.clientRef, max_rows: query.limit })).rows;
  } else if (query.recipient !== undefined) {
    keys = (await session.execute<KeyRow>(sql('keysByRecipient'), { client_id: query.clientId, recipient: query.recipient, max_rows: query.limit })).rows;
  } else {
    keys = (await session.execute<KeyRow>(sql('keysByClient'), { client_id: query.clientId, max_rows: query.limit })).rows;
  }
  const views: MessageView[] = [];
  for (const key of keys) {
    const view = await findMessage(session, key.CLIENT_ID as ClientId, { id: key.ID as MessageId });
    if (view !== null) views.push(view);
  }
  // A reference and a number together: the reference's messages to that number.
  if (!('id' in query) && query.clientRef !== undefined && query.recipient !== undefined) {
    return views.filter((view) => view.recipient === query.recipient);
  }
  return views;
}

async function target(session: OracleSession, id: MessageId): Promise<TargetRow | undefined> {
  return (await session.execute<TargetRow>(sql('target'), { id })).rows[0];
}

async function addEvent(session: OracleSession, id: string, status: MessageStatus, detail: string): Promise<void> {
  await session.execute(mtSql('addEvent'), { message_id: id, status, detail });
}

export async function cancelMt(session: OracleSession, id: MessageId, detail: string, now: Date): Promise<AdminMtOutcome> {
  const row = await target(session, id);
  if (row === undefined) return { kind: 'not_found' };
  const status = row.STATUS as MessageStatus;
  if (row.QUEUE_STATE !== 'QUEUED') {
    return { kind: 'refused', status, why: row.QUEUE_STATE === 'IN_FLIGHT' ? 'it is being submitted now' : 'it is no longer queued' };
  }
  await session.execute(sql('cancel'), { reason: detail, id: row.ID });
  await addEvent(session, row.ID, 'cancelled', detail);
  await raiseDlr(session, row.ID, { status: 'cancelled', stat: null, errorCode: null, doneAt: null, receiptText: `CANCEL/${detail}`, smscId: null }, now);
  return { kind: 'done', status: 'cancelled' };
}

export async function requeueMt(session: OracleSession, id: MessageId, detail: string, now: Date): Promise<AdminMtOutcome> {
  const row = await target(session, id);
  if (row === undefined) return { kind: 'not_found' };
  const status = row.STATUS as MessageStatus;
  if (!resendable.has(status)) return { kind: 'refused', status, why: 'only failed or in-doubt messages are resent' };
  if (row.VALIDITY_ENDED === 1) return { kind: 'refused', status, why: 'its validity period has ended' };
  if (row.QUEUE_STATE !== 'IN_DOUBT' && row.QUEUE_STATE !== 'PROCESSED' && row.QUEUE_STATE !== 'EXCEPTION') {
    return { kind: 'refused', status, why: `its queue row is ${queueStateOf(row.QUEUE_STATE, row.AQ_WAITING === 1)}` };
  }
  const nowMs = now.getTime();
  await session.enqueue(AqQueues.mt, [mtQueueMessage(fieldsOf({ ...row, ATTEMPTS: 0 }), nowMs, nowMs)]);
  await session.execute(sql('requeue'), { id: row.ID });
  await addEvent(session, row.ID, 'accepted', detail);
  return { kind: 'done', status: 'accepted' };
}
