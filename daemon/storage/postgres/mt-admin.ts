import type { ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { MessageStatus } from '../../domain/status.js';
import type { AdminMtOutcome, MessageLookup, MessageView, QueueDepth } from '../port.js';
import type { Database, Sql } from './database.js';
import type { DlrEventsSql } from './dlr-events.js';
import type { MtViewsSql } from './mt-views.js';
import { loadQueries } from './sql-files.js';

/**
 * What operators do to single messages (search, cancel, resend) and the queue depth metrics read;
 * the same rules as the SQLite adapter's mt-admin.ts. Cancel and requeue are one short transaction
 * each that locks the message's queue row, so a claim (SKIP LOCKED) cannot slip between their check
 * and their change. A final message has no queue row: its final queue state is in the ledger.
 */

interface KeyRow { id: string; client_id: string }
interface MessageRow { route_id: string; client_id: string; status: string; expires_at: number; final_state: string | null }
interface QueueRow { state: string; attempts: number }

/** A message an operator's change names: its ledger row and its live queue row, both locked. */
interface Target { readonly day: number; readonly seq: number; readonly message: MessageRow; readonly queue: QueueRow | undefined }

const resendable: ReadonlySet<string> = new Set<MessageStatus>(['failed', 'in_doubt']);
/** Final queue states a resend may start from: PROCESSED (a failed submit) and the exception queue. */
const resendableFinal: ReadonlySet<string> = new Set(['PROCESSED', 'EXCEPTION']);

export class MtAdminSql {
  private readonly sql = loadQueries('mt_admin');

  constructor(private readonly views: MtViewsSql, private readonly dlr: DlrEventsSql) {}

  async queueDepth(db: Database): Promise<QueueDepth[]> {
    const rows = await db.rows<{ route_id: string; state: string; messages: number; oldest_accepted_at: number }>(this.sql('queueDepth'));
    return rows.map((row) => ({
      routeId: row.route_id as RouteId,
      state: row.state as QueueDepth['state'],
      messages: row.messages,
      oldestAcceptedAt: new Date(row.oldest_accepted_at),
    }));
  }

  async search(db: Sql, query: MessageLookup): Promise<MessageView[]> {
    let keys: KeyRow[];
    if ('id' in query) {
      keys = await db.rows<KeyRow>(this.sql('keysById'), [query.id]);
    } else if (query.clientRef !== undefined) {
      keys = await db.rows<KeyRow>(this.sql('keysByRef'), [query.clientId, query.clientRef, query.limit]);
    } else if (query.recipient !== undefined) {
      keys = await db.rows<KeyRow>(this.sql('keysByRecipient'), [query.clientId, query.recipient, query.limit]);
    } else {
      keys = await db.rows<KeyRow>(this.sql('keysByClient'), [query.clientId, query.limit]);
    }
    const views: MessageView[] = [];
    for (const key of keys) {
      const view = await this.views.find(db, key.client_id as ClientId, { id: key.id as MessageId });
      if (view !== null) views.push(view);
    }
    // A reference and a number together: the reference's messages to that number.
    if (!('id' in query) && query.clientRef !== undefined && query.recipient !== undefined) {
      return views.filter((view) => view.recipient === query.recipient);
    }
    return views;
  }

  async cancel(db: Sql, id: MessageId, detail: string, now: number): Promise<AdminMtOutcome> {
    // The queue row first, then the ledger row: the order ack and nack lock them in.
    const target = await this.target(db, id, 'queue-first');
    if (target === null) return { kind: 'not_found' };
    const status = target.message.status as MessageStatus;
    const state = target.queue?.state;
    if (state !== 'READY' && state !== 'WAITING') {
      return { kind: 'refused', status, why: state === 'IN_FLIGHT' ? 'it is being submitted now' : 'it is no longer queued' };
    }
    await db.count(this.sql('cancel'), [target.day, target.seq, detail, now]);
    await this.dlr.raise(db, target.seq, { status: 'cancelled', stat: null, errorCode: null, doneAt: null, receiptText: `CANCEL/${detail}`, smscId: null }, now);
    return { kind: 'done', status: 'cancelled' };
  }

  async requeue(db: Sql, id: MessageId, detail: string, now: number): Promise<AdminMtOutcome> {
    // The ledger row first: it serializes two resends of a final message, which has no queue row to lock.
    const target = await this.target(db, id, 'message-first');
    if (target === null) return { kind: 'not_found' };
    const { message, queue } = target;
    const status = message.status as MessageStatus;
    if (!resendable.has(status)) return { kind: 'refused', status, why: 'only failed or in-doubt messages are resent' };
    if (message.expires_at <= now) return { kind: 'refused', status, why: 'its validity period has ended' };
    if (queue !== undefined) {
      if (queue.state !== 'IN_DOUBT') return { kind: 'refused', status, why: `its queue row is ${queue.state}` };
      await db.count(this.sql('readyAgain'), [target.seq]);
    } else if (message.final_state !== null && resendableFinal.has(message.final_state)) {
      await db.count(this.sql('queueRowAgain'), [target.day, target.seq]);
    } else {
      return { kind: 'refused', status, why: `its queue row is ${message.final_state ?? 'gone'}` };
    }
    await db.count(this.sql('markAccepted'), [target.day, target.seq, now, detail]);
    return { kind: 'done', status: 'accepted' };
  }

  private async target(db: Sql, id: MessageId, order: 'queue-first' | 'message-first'): Promise<Target | null> {
    const [located] = await db.rows<{ day: number; seq: number }>(this.sql('locate'), [id]);
    if (located === undefined) return null;
    const { day, seq } = located;
    const lockQueue = async (): Promise<QueueRow | undefined> => (await db.rows<QueueRow>(this.sql('lockQueueRow'), [seq]))[0];
    const lockMessage = async (): Promise<MessageRow | undefined> => (await db.rows<MessageRow>(this.sql('lockMessage'), [day, seq]))[0];
    let queue: QueueRow | undefined;
    let message: MessageRow | undefined;
    if (order === 'queue-first') {
      queue = await lockQueue();
      message = await lockMessage();
    } else {
      message = await lockMessage();
      queue = await lockQueue();
    }
    return message === undefined ? null : { day, seq, message, queue };
  }
}
