import { v7 as uuidv7 } from 'uuid';
import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { MessageStatus } from '../../domain/status.js';
import type { ReceiptInput, ReceiptOutcome } from '../port.js';
import type { Sql } from './database.js';
import type { InboundProblemsSql } from './inbound-problems.js';
import { loadQueries } from './sql-files.js';
import type { NotifyThrottle } from './wakeups.js';

/**
 * Receipt correlation, as in the SQLite adapter: ackMt records each segment's SMSC id under its match
 * keys and applies the receipts held for those keys (server-side, ack_submits of migration 008; here
 * for recordSegmentIds, a late submit_sm_resp of one part); applyReceipt finds the segment by (route, key),
 * or holds the receipt. A final receipt sets its segment's status; the message takes the aggregate
 * (segment-aggregate.ts) once every segment is final, with its DLR event, in the same transaction.
 * The message row is locked while a receipt applies, so that receipts of its segments arriving on
 * several nodes at once aggregate one after the other.
 * The work runs server-side (sql/postgres/007_receipt_functions.sql): a receipt is one statement, its
 * own transaction, instead of some eight round trips with the message row and key locks held between
 * them; a held receipt applied by recordSegmentIds is one statement of its transaction.
 */

/** A segment just recorded by an ack: where it lives and the keys a receipt may name it by. */
export interface RecordedSegment {
  readonly day: number;
  readonly seq: number;
  readonly routeId: string;
  readonly index: number;
  /** How many submit_sm the message's submission takes (the message is final only when each is). */
  readonly parts: number;
  readonly smscId: string;
  readonly keys: readonly string[];
}

interface OutcomeRow {
  kind: 'matched' | 'duplicate' | 'held'; message_id: string | null; client_id: string | null; segment: number | null;
  message_status: string | null; final: boolean | null; event_id: string | null;
}
interface HeldRow { route_id: string; match_key: string; id: number; status: string; stat: string | null; error_code: string | null; done_at: number | null; raw: string }
interface ExpiredRow { id: number; route_id: string; bind_id: string; candidates: string[]; stat: string | null; raw: string; received_at: number }

export class ReceiptsSql {
  private readonly sql = loadQueries('receipts');

  constructor(private readonly problems: InboundProblemsSql, private readonly notifies: NotifyThrottle) {}

  /** Takes the locks of the keys segment facts will record (before they record them; see lockKeys in receipts.sql). */
  async lockKeysOf(db: Sql, routeIds: readonly string[], keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await db.rows(this.sql('lockKeys'), [routeIds, keys]);
  }

  /** Applies the receipts held for the segments just recorded. */
  async applyHeld(db: Sql, segments: readonly RecordedSegment[], now: number): Promise<void> {
    const pairs = segments.flatMap((segment) => segment.keys.map((key) => ({ segment, key })));
    if (pairs.length === 0) return;
    const held = await db.rows<HeldRow>(this.sql('heldFor'), [pairs.map((p) => p.segment.routeId), pairs.map((p) => p.key)]);
    const applied = new Set<number>();
    for (const row of held) {
      if (applied.has(row.id)) continue;
      const pair = pairs.find((p) => p.segment.routeId === row.route_id && p.key === row.match_key);
      if (pair === undefined) continue;
      applied.add(row.id);
      if ((await db.count(this.sql('dropHeld'), [row.id])) === 0) continue;
      await db.rows<OutcomeRow>(this.sql('applySegmentReceipt'), [
        pair.segment.day, pair.segment.seq, pair.segment.index, row.status, row.stat, row.error_code, row.done_at, row.raw, now, uuidv7(),
        this.notifies.take('callbacks', ''),
      ]);
    }
  }

  /** One statement, its own transaction (the database's clock is its now): no transaction around it. */
  async apply(db: Sql, receipt: ReceiptInput): Promise<ReceiptOutcome> {
    const [row] = await db.rows<OutcomeRow>(this.sql('applyReceipt'), [
      receipt.routeId, receipt.bindId, [...new Set(receipt.smscIdCandidates)], receipt.status, receipt.stat, receipt.errorCode,
      receipt.doneAt === null ? null : receipt.doneAt.getTime(), receipt.raw, receipt.receiptHoldMs, uuidv7(),
      this.notifies.take('callbacks', ''),
    ]);
    if (row === undefined) throw new Error('apply_receipt: no outcome returned');
    return outcomeOf(row);
  }

  /** Turns held receipts past their hold time into `receipt-unmatched` problems; returns how many. */
  async expireHeld(db: Sql, now: number): Promise<number> {
    const expired = await db.rows<ExpiredRow>(this.sql('expiredHeld'), [now]);
    for (const held of expired) {
      await this.problems.record(db, {
        kind: 'receipt-unmatched',
        routeId: held.route_id as RouteId,
        bindId: held.bind_id as BindId,
        rawHex: Buffer.from(held.raw, 'utf8').toString('hex'),
        detail: `receipt (stat ${held.stat ?? '-'}) for SMSC id ${held.candidates.join(' / ')} matched no submitted segment within ${now - held.received_at} ms`,
      }, now);
    }
    return expired.length;
  }
}

function outcomeOf(row: OutcomeRow): ReceiptOutcome {
  if (row.kind === 'held') return { kind: 'held' };
  const messageId = row.message_id as MessageId;
  if (row.kind === 'duplicate') return { kind: 'duplicate', messageId };
  return {
    kind: 'matched', messageId, clientId: row.client_id as ClientId, segment: row.segment ?? 0,
    messageStatus: row.message_status as MessageStatus, final: row.final === true, eventId: row.event_id,
  };
}
