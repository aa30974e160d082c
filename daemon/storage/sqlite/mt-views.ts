import type Database from 'better-sqlite3';
import type { ClientId, MessageId } from '../../domain/ids.js';
import type { QueueState } from '../../domain/status.js';
import { messageViewOf, partViewOf, type LedgerEventRow, type LedgerMessageRow, type LedgerPartRow } from '../ledger-rows.js';
import type { ClientBalance, MessagePartView, MessageView } from '../port.js';
import { loadQueries } from './sql-files.js';

/** Read-only views of the ledger: status lookups, balances and queue depth per client. */

interface MessageRow extends LedgerMessageRow {
  seq: number; queue_state: string | null; in_exception: number;
}

export class MtViewsSql {
  private readonly byId: Database.Statement<[string, string], MessageRow>;
  private readonly byRef: Database.Statement<[string, string], MessageRow>;
  private readonly smscIds: Database.Statement<[number], { smsc_id: string }>;
  private readonly partRows: Database.Statement<[string, string], LedgerPartRow>;
  private readonly events: Database.Statement<[number], LedgerEventRow>;
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
    const queueState = row.in_exception === 1 ? 'EXCEPTION' : (row.queue_state as QueueState | null);
    return messageViewOf(row, queueState, this.smscIds.all(row.seq).map((smsc) => smsc.smsc_id), this.events.all(row.seq));
  }

  parts(clientId: ClientId, id: MessageId): MessagePartView[] {
    return this.partRows.all(id, clientId).map(partViewOf);
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
