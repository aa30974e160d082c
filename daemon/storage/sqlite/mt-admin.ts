import type Database from 'better-sqlite3';
import type { ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { MessageStatus } from '../../domain/status.js';
import type { AdminMtOutcome, MessageLookup, MessageView, QueueDepth } from '../port.js';
import type { DlrEventsSql } from './dlr-events.js';
import type { MtViewsSql } from './mt-views.js';
import { loadQueries } from './sql-files.js';

/**
 * What operators do to single messages (search, cancel, resend) and the queue depth metrics read.
 * cancel and requeue run inside a group-commit job, so a claim cannot slip between their check and
 * their change.
 */

interface KeyRow { id: string; client_id: string }
interface TargetRow { seq: number; route_id: string; client_id: string; status: string; expires_at: number; queue_state: string | null; in_exception: number }

const resendable: ReadonlySet<string> = new Set<MessageStatus>(['failed', 'in_doubt']);

export class MtAdminSql {
  private readonly depth: Database.Statement<[], { route_id: string; state: string; messages: number; oldest_accepted_at: number }>;
  private readonly keysById: Database.Statement<[string], KeyRow>;
  private readonly keysByClient: Database.Statement<[string, number], KeyRow>;
  private readonly keysByRecipient: Database.Statement<[string, string, number], KeyRow>;
  private readonly keysByRef: Database.Statement<[string, string, number], KeyRow>;
  private readonly target: Database.Statement<[string], TargetRow>;
  private readonly cancelQueueRow: Database.Statement<[number, number]>;
  private readonly markCancelled: Database.Statement<[string, number, number]>;
  private readonly readyAgain: Database.Statement<[number]>;
  private readonly queueRowFromException: Database.Statement<[number]>;
  private readonly dropException: Database.Statement<[number]>;
  private readonly markAccepted: Database.Statement<[number]>;
  private readonly addEvent: Database.Statement<[number, number, string, string | null]>;

  constructor(db: Database.Database, private readonly views: MtViewsSql, private readonly dlr: DlrEventsSql) {
    const sql = loadQueries('mt_admin');
    this.depth = db.prepare(sql('queueDepth'));
    this.keysById = db.prepare(sql('keysById'));
    this.keysByClient = db.prepare(sql('keysByClient'));
    this.keysByRecipient = db.prepare(sql('keysByRecipient'));
    this.keysByRef = db.prepare(sql('keysByRef'));
    this.target = db.prepare(sql('target'));
    this.cancelQueueRow = db.prepare(sql('cancelQueueRow'));
    this.markCancelled = db.prepare(sql('markCancelled'));
    this.readyAgain = db.prepare(sql('readyAgain'));
    this.queueRowFromException = db.prepare(sql('queueRowFromException'));
    this.dropException = db.prepare(sql('dropException'));
    this.markAccepted = db.prepare(sql('markAccepted'));
    this.addEvent = db.prepare(sql('addEvent'));
  }

  queueDepth(): QueueDepth[] {
    return this.depth.all().map((row) => ({
      routeId: row.route_id as RouteId,
      state: row.state as QueueDepth['state'],
      messages: row.messages,
      oldestAcceptedAt: new Date(row.oldest_accepted_at),
    }));
  }

  search(query: MessageLookup): MessageView[] {
    let keys: KeyRow[];
    if ('id' in query) {
      keys = this.keysById.all(query.id);
    } else if (query.clientRef !== undefined) {
      keys = this.keysByRef.all(query.clientId, query.clientRef, query.limit);
    } else if (query.recipient !== undefined) {
      keys = this.keysByRecipient.all(query.clientId, query.recipient, query.limit);
    } else {
      keys = this.keysByClient.all(query.clientId, query.limit);
    }
    const views = keys
      .map((key) => this.views.find(key.client_id as ClientId, { id: key.id as MessageId }))
      .filter((view): view is MessageView => view !== null);
    // A reference and a number together: the reference's messages to that number.
    if (!('id' in query) && query.clientRef !== undefined && query.recipient !== undefined) {
      return views.filter((view) => view.recipient === query.recipient);
    }
    return views;
  }

  cancel(id: MessageId, detail: string, now: number): AdminMtOutcome {
    const row = this.target.get(id);
    if (!row) return { kind: 'not_found' };
    const status = row.status as MessageStatus;
    if (row.queue_state !== 'READY' && row.queue_state !== 'WAITING') {
      return { kind: 'refused', status, why: row.queue_state === 'IN_FLIGHT' ? 'it is being submitted now' : 'it is no longer queued' };
    }
    this.cancelQueueRow.run(now, row.seq);
    this.markCancelled.run(detail, now, row.seq);
    this.addEvent.run(row.seq, now, 'cancelled', detail);
    this.dlr.raise(row.seq, { status: 'cancelled', stat: null, errorCode: null, doneAt: null, receiptText: `CANCEL/${detail}`, smscId: null }, now);
    return { kind: 'done', status: 'cancelled' };
  }

  requeue(id: MessageId, detail: string, now: number): AdminMtOutcome {
    const row = this.target.get(id);
    if (!row) return { kind: 'not_found' };
    const status = row.status as MessageStatus;
    if (!resendable.has(status)) return { kind: 'refused', status, why: 'only failed or in-doubt messages are resent' };
    if (row.expires_at <= now) return { kind: 'refused', status, why: 'its validity period has ended' };
    if (row.queue_state !== null && row.queue_state !== 'IN_DOUBT' && row.queue_state !== 'PROCESSED') {
      return { kind: 'refused', status, why: `its queue row is ${row.queue_state}` };
    }
    if (row.queue_state !== null) {
      this.readyAgain.run(row.seq);
    } else if (row.in_exception === 1) {
      this.dropException.run(row.seq);
      this.queueRowFromException.run(row.seq);
    } else {
      return { kind: 'refused', status, why: 'its queue row has been purged (retention)' };
    }
    this.markAccepted.run(row.seq);
    this.addEvent.run(row.seq, now, 'accepted', detail);
    return { kind: 'done', status: 'accepted' };
  }
}
