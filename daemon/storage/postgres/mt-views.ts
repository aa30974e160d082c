import type { ClientId, MessageId } from '../../domain/ids.js';
import type { QueueState } from '../../domain/status.js';
import { messageViewOf, partViewOf, type LedgerEventRow, type LedgerMessageRow, type LedgerPartRow } from '../ledger-rows.js';
import type { ClientBalance, MessagePartView, MessageView } from '../port.js';
import type { Sql } from './database.js';
import { loadQueries } from './sql-files.js';

/** Read-only views of the ledger: status lookups, balances and queue depth per client. */

interface MessageRow extends LedgerMessageRow {
  day: number; seq: number; queue_state: string | null;
}

export class MtViewsSql {
  private readonly sql = loadQueries('mt_views');

  constructor(private readonly demoFreeSegments: number) {}

  /** The most recent message with that client reference when several share it (one per recipient). */
  async find(db: Sql, clientId: ClientId, key: { readonly id: MessageId } | { readonly clientRef: string }): Promise<MessageView | null> {
    const [row] = 'id' in key
      ? await db.rows<MessageRow>(this.sql('byId'), [key.id, clientId])
      : await db.rows<MessageRow>(this.sql('byRef'), [clientId, key.clientRef]);
    if (!row) return null;
    const events = await db.rows<LedgerEventRow>(this.sql('events'), [row.day, row.seq]);
    const smscIds = await db.rows<{ smsc_id: string }>(this.sql('smscIds'), [row.day, row.seq]);
    return messageViewOf(row, row.queue_state as QueueState | 'EXCEPTION' | null, smscIds.map((smsc) => smsc.smsc_id), events);
  }

  async parts(db: Sql, clientId: ClientId, id: MessageId): Promise<MessagePartView[]> {
    return (await db.rows<LedgerPartRow>(this.sql('parts'), [id, clientId])).map(partViewOf);
  }

  async balance(db: Sql, clientId: ClientId): Promise<ClientBalance> {
    const [row] = await db.rows<{ segments_used: number; demo: boolean | null; queued: number }>(this.sql('balance'), [clientId]);
    const segmentsUsed = Number(row?.segments_used ?? 0);
    return {
      clientId,
      segmentsUsed,
      demoRemaining: row?.demo === true ? Math.max(0, this.demoFreeSegments - segmentsUsed) : null,
      queued: row?.queued ?? 0,
    };
  }

  async queuedByClient(db: Sql): Promise<ReadonlyMap<ClientId, number>> {
    return new Map((await db.rows<{ client_id: string; n: number }>(this.sql('queuedAll'))).map((row) => [row.client_id as ClientId, row.n]));
  }
}
