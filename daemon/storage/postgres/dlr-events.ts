import { SMPP_CHANNEL_URL } from '../../domain/callback-channel.js';
import { finalStatuses, kannelDlrBitOf, type MessageStatus } from '../../domain/status.js';
import type { Sql } from './database.js';
import type { OutboxSql } from './outbox.js';
import { loadQueries } from './sql-files.js';

/**
 * Decides whether a status change of a message tells its client, and adds the DLR event to the
 * outbox in the caller's transaction (docs/storage.md, "DLR events"); the same rules as the SQLite
 * adapter's dlr-events.ts:
 * - a Kannel sendsms message with a dlr-url: an event for each status whose dlr-mask bit is set;
 * - a message submitted over SMPP: an event when it becomes final, if it asked for receipts, sent to
 *   the client's SMPP binds (url `smpp:`, docs/smpp-server.md);
 * - any other message: an event when it becomes final, if it asked for receipts and the client has a DLR URL.
 */

export interface DlrFacts {
  readonly status: MessageStatus;
  readonly stat: string | null;
  readonly errorCode: string | number | null;
  /** When the SMSC says it happened; null: now, for a final status. */
  readonly doneAt: number | null;
  /** Kannel's %A: the receipt text, or a short ACK/NACK text for changes without a receipt. */
  readonly receiptText: string;
  /** The SMSC id the change concerns; null: the first segment's. */
  readonly smscId: string | null;
}

interface ContextRow {
  id: string; client_id: string; client_ref: string | null; recipient: string; sender: string; segments: number;
  submitted_at: number | null; dlr_requested: boolean; kannel_dlr_mask: number | null; kannel_dlr_url: string | null;
  source: string; dlr_url: string | null; smsc_id: string | null;
}

export class DlrEventsSql {
  private readonly context = loadQueries('dlr_events')('context');

  constructor(private readonly outbox: OutboxSql) {}

  /** Adds the event the change calls for; returns its id, or null when the client is not told. */
  async raise(db: Sql, seq: number, facts: DlrFacts, now: number): Promise<string | null> {
    const [row] = await db.rows<ContextRow>(this.context, [seq]);
    if (!row) return null;
    const final = finalStatuses.has(facts.status);
    const doneAt = facts.doneAt ?? (final ? now : null);
    const payload = {
      messageId: row.id,
      clientRef: row.client_ref,
      status: facts.status,
      smscStatus: facts.stat,
      errorCode: facts.errorCode,
      recipient: row.recipient,
      sender: row.sender,
      segments: row.segments,
      smscId: facts.smscId ?? row.smsc_id,
      submittedAt: row.submitted_at === null ? null : new Date(row.submitted_at).toISOString(),
      doneAt: doneAt === null ? null : new Date(doneAt).toISOString(),
    };
    if (row.kannel_dlr_url !== null) {
      const bit = kannelDlrBitOf[facts.status];
      if (bit === null || ((row.kannel_dlr_mask ?? 0) & bit) === 0) return null;
      const kannelFields = { dlrType: bit, receiptText: facts.receiptText, time: Math.floor((doneAt ?? now) / 1000) };
      return this.outbox.add(db, { clientId: row.client_id, kind: 'dlr', url: row.kannel_dlr_url, kannel: true, payload: { ...payload, ...kannelFields } }, now);
    }
    const url = row.source === 'smpp' ? SMPP_CHANNEL_URL : row.dlr_url;
    if (!final || !row.dlr_requested || url === null) return null;
    return this.outbox.add(db, { clientId: row.client_id, kind: 'dlr', url, kannel: false, payload }, now);
  }
}
