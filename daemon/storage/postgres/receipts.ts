import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import { finalStatuses, type MessageStatus } from '../../domain/status.js';
import type { ReceiptInput, ReceiptOutcome, SubmitResult } from '../port.js';
import { aggregateStatus } from '../sqlite/segment-aggregate.js';
import type { Sql } from './database.js';
import type { DlrEventsSql } from './dlr-events.js';
import type { InboundProblemsSql } from './inbound-problems.js';
import { loadQueries } from './sql-files.js';

/**
 * Receipt correlation, as in the SQLite adapter: ackMt records each segment's SMSC id under its match
 * keys and applies the receipts held for those keys; applyReceipt finds the segment by (route, key),
 * or holds the receipt. A final receipt sets its segment's status; the message takes the aggregate
 * (segment-aggregate.ts) once every segment is final, with its DLR event, in the same transaction.
 * The message row is locked while a receipt applies, so that receipts of its segments arriving on
 * several nodes at once aggregate one after the other.
 */

interface ReceiptFacts {
  readonly status: MessageStatus;
  readonly stat: string | null;
  readonly errorCode: string | null;
  readonly doneAt: number | null;
  readonly raw: string;
}

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

interface SegmentRow { status: string; smsc_id: string; parts: number | null; id: string; client_id: string; message_status: string }
interface HeldRow { route_id: string; match_key: string; id: number; status: string; stat: string | null; error_code: string | null; done_at: number | null; raw: string }
interface ExpiredRow { id: number; route_id: string; bind_id: string; candidates: string[]; stat: string | null; raw: string; received_at: number }

export class ReceiptsSql {
  private readonly sql = loadQueries('receipts');
  private readonly addEvent = loadQueries('mt_queue')('addEvent');

  constructor(private readonly dlr: DlrEventsSql, private readonly problems: InboundProblemsSql) {}

  /** The segments of ack results with their keys (receiptIdCandidates forms, or the id itself). */
  static segmentsOf(day: number, seq: number, routeId: string, result: SubmitResult): RecordedSegment[] {
    const parts = result.smscIds.length;
    return result.smscIds.map((smscId, index) => ({ day, seq, routeId, index, parts, smscId, keys: result.smscMatchKeys?.[index] ?? [smscId] }));
  }

  /** Takes the locks of the keys an ack will record (before it records them; see lockKeys in receipts.sql). */
  async lockKeysOf(db: Sql, routeIds: readonly string[], keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await db.rows(this.sql('lockKeys'), [routeIds, keys]);
  }

  /** Applies the receipts held for the segments an ack just recorded. */
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
      await this.applyToSegment(db, pair.segment.day, pair.segment.seq, pair.segment.index, factsOf(row), now);
    }
  }

  async apply(db: Sql, receipt: ReceiptInput, now: number): Promise<ReceiptOutcome> {
    const candidates = [...new Set(receipt.smscIdCandidates)];
    await this.lockKeysOf(db, candidates.map(() => receipt.routeId), candidates);
    const [found] = await db.rows<{ day: number; message_seq: number; segment_index: number }>(this.sql('findSegment'), [receipt.routeId, candidates]);
    const facts: ReceiptFacts = {
      status: receipt.status,
      stat: receipt.stat,
      errorCode: receipt.errorCode,
      doneAt: receipt.doneAt === null ? null : receipt.doneAt.getTime(),
      raw: receipt.raw,
    };
    if (found !== undefined) return this.applyToSegment(db, found.day, found.message_seq, found.segment_index, facts, now);
    const [held] = await db.rows<{ id: number }>(this.sql('holdReceipt'), [
      receipt.routeId, receipt.bindId, JSON.stringify(candidates), facts.status, facts.stat, facts.errorCode, facts.doneAt,
      facts.raw, now, now + receipt.receiptHoldMs,
    ]);
    if (held === undefined) throw new Error('held_receipts: no id returned');
    await db.count(this.sql('holdKeys'), [receipt.routeId, candidates, held.id]);
    return { kind: 'held' };
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

  private async applyToSegment(db: Sql, day: number, seq: number, index: number, facts: ReceiptFacts, now: number): Promise<ReceiptOutcome> {
    const [segment] = await db.rows<SegmentRow>(this.sql('segmentState'), [day, seq, index]);
    if (!segment) throw new Error(`smsc_ids: no segment ${index} of message ${seq}`);
    const messageId = segment.id as MessageId;
    const clientId = segment.client_id as ClientId;
    const messageStatus = segment.message_status as MessageStatus;
    const unchanged = { kind: 'matched', messageId, clientId, segment: index, messageStatus, final: finalStatuses.has(messageStatus), eventId: null } as const;
    if (finalStatuses.has(segment.status as MessageStatus)) {
      // A final status never changes: a contradicting late receipt is ignored.
      return segment.status === facts.status ? { kind: 'duplicate', messageId } : unchanged;
    }
    // Intermediate receipts (ENROUTE, ACCEPTD) change nothing a client sees.
    if (!finalStatuses.has(facts.status)) return unchanged;
    const statuses = (await db.rows<{ status: string }>(this.sql('setSegmentStatuses'), [
      facts.status, facts.stat, facts.errorCode, facts.doneAt ?? now, day, seq, index,
    ])).map((row) => row.status as MessageStatus);
    // A part whose SMSC id is not recorded (its submit_sm_resp never came) keeps the message open.
    const aggregate = finalStatuses.has(messageStatus) || statuses.length < (segment.parts ?? 0) ? null : aggregateStatus(statuses);
    const detail = statuses.length > 1 ? `segment ${index + 1} of ${statuses.length} ${facts.status}: ${receiptDetail(facts)}` : receiptDetail(facts);
    if (aggregate === null) {
      // History carries message statuses: a segment's receipt before the last one is noted under the current status.
      await db.count(this.addEvent, [day, seq, now, messageStatus, detail]);
      return unchanged;
    }
    await db.count(this.sql('finishFromReceipt'), [aggregate, aggregate === 'delivered' ? null : receiptDetail(facts), now, day, seq, detail]);
    const eventId = await this.dlr.raise(db, seq, {
      status: aggregate, stat: facts.stat, errorCode: facts.errorCode, doneAt: facts.doneAt, receiptText: facts.raw, smscId: segment.smsc_id,
    }, now);
    return { kind: 'matched', messageId, clientId, segment: index, messageStatus: aggregate, final: true, eventId };
  }
}

function factsOf(held: HeldRow): ReceiptFacts {
  return { status: held.status as MessageStatus, stat: held.stat, errorCode: held.error_code, doneAt: held.done_at, raw: held.raw };
}

function receiptDetail(facts: ReceiptFacts): string {
  return `stat ${facts.stat ?? '-'} err ${facts.errorCode ?? '-'}`;
}
