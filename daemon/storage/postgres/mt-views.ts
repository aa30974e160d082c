import type { ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { MessageStatus, QueueState } from '../../domain/status.js';
import type { ClientBalance, MessageEvent, MessagePartView, MessageView, TextEncoding } from '../port.js';
import type { Sql } from './database.js';
import { loadQueries } from './sql-files.js';

/** Read-only views of the ledger: status lookups, balances and queue depth per client. */

interface MessageRow {
  day: number; seq: number; id: string; client_id: string; client_ref: string | null; route_id: string; sender: string; recipient: string;
  encoding: string; segments: number; status: string; queue_state: string | null; accepted_at: number;
  not_before: number | null; expires_at: number; submitted_at: number | null; done_at: number | null; error_code: number | null;
  reason: string | null;
}

interface PartRow {
  segment_index: number; parts: number | null; smsc_id: string; status: string; stat: string | null; error_code: string | null;
  submitted_at: number | null; done_at: number | null;
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
    const first: MessageEvent = {
      at: new Date(row.accepted_at),
      status: row.not_before !== null && row.not_before > row.accepted_at ? 'scheduled' : 'accepted',
      detail: null,
    };
    const events = await db.rows<{ at: number; status: string; detail: string | null }>(this.sql('events'), [row.day, row.seq]);
    const smscIds = await db.rows<{ smsc_id: string }>(this.sql('smscIds'), [row.day, row.seq]);
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
      queueState: row.queue_state as QueueState | 'EXCEPTION' | null,
      acceptedAt: new Date(row.accepted_at),
      notBefore: row.not_before === null ? null : new Date(row.not_before),
      expiresAt: new Date(row.expires_at),
      submittedAt: row.submitted_at === null ? null : new Date(row.submitted_at),
      doneAt: row.done_at === null ? null : new Date(row.done_at),
      errorCode: row.error_code,
      reason: row.reason,
      smscIds: smscIds.map((smsc) => smsc.smsc_id),
      history: [first, ...events.map((event): MessageEvent => ({ at: new Date(event.at), status: event.status as MessageStatus, detail: event.detail }))],
    };
  }

  async parts(db: Sql, clientId: ClientId, id: MessageId): Promise<MessagePartView[]> {
    return (await db.rows<PartRow>(this.sql('parts'), [id, clientId])).map((row): MessagePartView => ({
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
