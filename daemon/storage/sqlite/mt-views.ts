import type Database from 'better-sqlite3';
import type { ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { MessageStatus, QueueState } from '../../domain/status.js';
import type { ClientBalance, MessageEvent, MessagePartView, MessageView, TextEncoding } from '../port.js';
import { loadQueries } from './sql-files.js';

/** Read-only views of the ledger: status lookups, balances and queue depth per client. */

interface MessageRow {
  seq: number; id: string; client_id: string; client_ref: string | null; route_id: string; sender: string; recipient: string;
  encoding: string; segments: number; status: string; queue_state: string | null; in_exception: number; accepted_at: number;
  not_before: number | null; expires_at: number; submitted_at: number | null; done_at: number | null; error_code: number | null;
  reason: string | null;
}

interface PartRow {
  segment_index: number; parts: number | null; smsc_id: string; status: string; stat: string | null; error_code: string | null;
  submitted_at: number | null; done_at: number | null;
}

export class MtViewsSql {
  private readonly byId: Database.Statement<[string, string], MessageRow>;
  private readonly byRef: Database.Statement<[string, string], MessageRow>;
  private readonly smscIds: Database.Statement<[number], { smsc_id: string }>;
  private readonly partRows: Database.Statement<[string, string], PartRow>;
  private readonly events: Database.Statement<[number], { at: number; status: string; detail: string | null }>;
  private readonly counters: Database.Statement<[string], { segments_used: number }>;
  private readonly isDemo: Database.Statement<[string], { demo: number }>;
  private readonly queuedOf: Database.Statement<[string], { n: number }>;
  private readonly queuedAll: Database.Statement<[], { client_id: string; n: number }>;

  constructor(db: Database.Database, private readonly demoFreeSegments: number) {
    const sql = loadQueries('mt_views');
    this.byId = db.prepare(sql('byId'));
    this.byRef = db.prepare(sql('byRef'));
    this.smscIds = db.prepare(sql('smscIds'));
    this.partRows = db.prepare(sql('parts'));
    this.events = db.prepare(sql('events'));
    this.counters = db.prepare(sql('counters'));
    this.isDemo = db.prepare(sql('isDemo'));
    this.queuedOf = db.prepare(sql('queuedOf'));
    this.queuedAll = db.prepare(sql('queuedAll'));
  }

  /** The most recent message with that client reference when several share it (one per recipient). */
  find(clientId: ClientId, key: { readonly id: MessageId } | { readonly clientRef: string }): MessageView | null {
    const row = 'id' in key ? this.byId.get(key.id, clientId) : this.byRef.get(clientId, key.clientRef);
    if (!row) return null;
    // Acceptance is the ledger row itself; later changes are events.
    const first: MessageEvent = {
      at: new Date(row.accepted_at),
      status: row.not_before !== null && row.not_before > row.accepted_at ? 'scheduled' : 'accepted',
      detail: null,
    };
    const history = [first, ...this.events.all(row.seq).map((event): MessageEvent => ({
      at: new Date(event.at),
      status: event.status as MessageStatus,
      detail: event.detail,
    }))];
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
      queueState: row.in_exception === 1 ? 'EXCEPTION' : (row.queue_state as QueueState | null),
      acceptedAt: new Date(row.accepted_at),
      notBefore: row.not_before === null ? null : new Date(row.not_before),
      expiresAt: new Date(row.expires_at),
      submittedAt: row.submitted_at === null ? null : new Date(row.submitted_at),
      doneAt: row.done_at === null ? null : new Date(row.done_at),
      errorCode: row.error_code,
      reason: row.reason,
      smscIds: this.smscIds.all(row.seq).map((smsc) => smsc.smsc_id),
      history,
    };
  }

  parts(clientId: ClientId, id: MessageId): MessagePartView[] {
    return this.partRows.all(id, clientId).map((row): MessagePartView => ({
      index: row.segment_index,
      of: row.parts,
      smscId: row.smsc_id,
      status: row.status as MessageStatus,
      stat: row.stat,
      errorCode: row.error_code,
      submittedAt: row.submitted_at === null ? null : new Date(row.submitted_at),
      doneAt: row.done_at === null ? null : new Date(row.done_at),
    }));
  }

  balance(clientId: ClientId): ClientBalance {
    const segmentsUsed = this.counters.get(clientId)?.segments_used ?? 0;
    const demo = this.isDemo.get(clientId)?.demo === 1;
    return {
      clientId,
      segmentsUsed,
      demoRemaining: demo ? Math.max(0, this.demoFreeSegments - segmentsUsed) : null,
      queued: this.queuedOf.get(clientId)?.n ?? 0,
    };
  }

  queuedByClient(): ReadonlyMap<ClientId, number> {
    return new Map(this.queuedAll.all().map((row) => [row.client_id as ClientId, row.n]));
  }
}
