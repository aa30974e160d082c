import type Database from 'better-sqlite3';
import { SMPP_CHANNEL_URL } from '../../domain/callback-channel.js';
import { finalStatuses, kannelDlrBitOf, type MessageStatus } from '../../domain/status.js';
import type { OutboxSql } from './outbox.js';
import { loadQueries } from './sql-files.js';

/**
 * Decides whether a status change of a message tells its client, and adds the DLR event to the
 * outbox in the caller's transaction (docs/storage.md, "DLR events"):
 * - a Kannel sendsms message with a dlr-url: an event for each status whose dlr-mask bit is set
 *   (8 submitted, 1 delivered, 2 failed, 16 rejected, …), sent to that URL;
 * - a message submitted over SMPP: an event when it becomes final, if it asked for receipts, sent to
 *   the client's SMPP binds (url `smpp:`, docs/smpp-server.md);
 * - any other message: an event when it becomes final, if it asked for receipts and the client has a
 *   DLR URL.
 */

/** What is known about the change: the status and, from a receipt or a nack, its details. */
export interface DlrFacts {
  readonly status: MessageStatus;
  /** The receipt's stat (DELIVRD, UNDELIV, …), or null. */
  readonly stat: string | null;
  readonly errorCode: string | number | null;
  /** When the SMSC says it happened; null: now, for a final status. */
  readonly doneAt: number | null;
  /** Kannel's %A: the receipt text, or a short ACK/NACK text for changes without a receipt. */
  readonly receiptText: string;
  /** The SMSC id the change concerns (a receipt's segment); null: the first segment's. */
  readonly smscId: string | null;
}

interface ContextRow {
  id: string; client_id: string; client_ref: string | null; recipient: string; sender: string; segments: number;
  submitted_at: number | null; dlr_requested: number; kannel_dlr_mask: number | null; kannel_dlr_url: string | null;
  source: string; dlr_url: string | null; smsc_id: string | null;
}

export class DlrEventsSql {
  private readonly context: Database.Statement<[number], ContextRow>;

  constructor(db: Database.Database, private readonly outbox: OutboxSql) {
    this.context = db.prepare(loadQueries('dlr_events')('context'));
  }

  /** Adds the event the change calls for; returns its id, or null when the client is not told. */
  raise(seq: number, facts: DlrFacts, now: number): string | null {
    const row = this.context.get(seq);
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
      return this.outbox.add({ clientId: row.client_id, kind: 'dlr', url: row.kannel_dlr_url, kannel: true, payload: { ...payload, ...kannelFields } }, now);
    }
    const url = row.source === 'smpp' ? SMPP_CHANNEL_URL : row.dlr_url;
    if (!final || row.dlr_requested !== 1 || url === null) return null;
    return this.outbox.add({ clientId: row.client_id, kind: 'dlr', url, kannel: false, payload }, now);
  }
}
