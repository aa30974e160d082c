import { v7 as uuidv7 } from 'uuid';
import type { MessageStatus } from '../../domain/status.js';
import type { Sql } from './database.js';
import { loadQueries } from './sql-files.js';
import type { NotifyThrottle } from './wakeups.js';

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

export class DlrEventsSql {
  private readonly raiseEvent = loadQueries('dlr_events')('raise');

  constructor(private readonly notifies: NotifyThrottle) {}

  /**
   * Adds the event the change calls for; returns its id, or null when the client is not told. The
   * rules run server-side (raise_dlr_event, sql/postgres/007_receipt_functions.sql), where a receipt
   * applied in one call raises its event too: one statement instead of a read and an insert.
   */
  async raise(db: Sql, seq: number, facts: DlrFacts, now: number): Promise<string | null> {
    const [row] = await db.rows<{ id: string | null }>(this.raiseEvent, [
      seq, facts.status, facts.stat, JSON.stringify(facts.errorCode), facts.doneAt, facts.receiptText, facts.smscId, now, uuidv7(),
      this.notifies.take('callbacks', ''),
    ]);
    return row?.id ?? null;
  }
}
