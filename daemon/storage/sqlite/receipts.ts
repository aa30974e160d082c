import type Database from 'better-sqlite3';
import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import { finalStatuses, type MessageStatus } from '../../domain/status.js';
import type { ReceiptInput, ReceiptOutcome, SubmitResult } from '../port.js';
import type { DlrEventsSql } from './dlr-events.js';
import type { InboundProblemsSql } from './inbound-problems.js';
import { aggregateStatus } from './segment-aggregate.js';
import { loadQueries } from './sql-files.js';

/**
 * Receipt correlation. ackMt records each segment's SMSC id under its match keys and applies the
 * receipts held for those keys; applyReceipt finds the segment by (route, key), or holds the receipt.
 * A final receipt sets its segment's status; the message takes the aggregate (segment-aggregate.ts)
 * once every segment is final, and its DLR event is raised in the same transaction.
 * Every method runs inside a group-commit job.
 */

/** A receipt's content, from applyReceipt or from a held row. */
interface ReceiptFacts {
  readonly status: MessageStatus;
  readonly stat: string | null;
  readonly errorCode: string | null;
  readonly doneAt: number | null;
  readonly raw: string;
}

interface SegmentRow { status: string; smsc_id: string; parts: number | null; id: string; client_id: string; message_status: string }
interface HeldRow { id: number; candidates: string; status: string; stat: string | null; error_code: string | null; done_at: number | null; raw: string }
interface ExpiredRow { id: number; route_id: string; bind_id: string; candidates: string; stat: string | null; raw: string; received_at: number }

export class ReceiptsSql {
  private readonly recordSegment: Database.Statement<[number, number, string, string, number, number]>;
  private readonly recordKey: Database.Statement<[string, string, number, number]>;
  private readonly findSegment: Database.Statement<[string, string], { message_seq: number; segment_index: number }>;
  private readonly segmentState: Database.Statement<[number, number], SegmentRow>;
  private readonly setSegment: Database.Statement<[string, string | null, string | null, number | null, number, number]>;
  private readonly segmentStatuses: Database.Statement<[number], { status: string }>;
  private readonly finishMessage: Database.Statement<[string, string | null, number, number]>;
  private readonly settleQueueRow: Database.Statement<[number, number]>;
  private readonly addEvent: Database.Statement<[number, number, string, string | null]>;
  private readonly holdReceipt: Database.Statement<[string, string, string, string, string | null, string | null, number | null, string, number, number]>;
  private readonly holdKey: Database.Statement<[string, string, number]>;
  private readonly heldFor: Database.Statement<[string, string], HeldRow>;
  private readonly expiredHeld: Database.Statement<[number], ExpiredRow>;
  private readonly dropHeldKeys: Database.Statement<[{ routeId: string; id: number; candidates: string }]>;
  private readonly dropHeld: Database.Statement<[number]>;

  constructor(db: Database.Database, private readonly dlr: DlrEventsSql, private readonly problems: InboundProblemsSql) {
    const sql = loadQueries('receipts');
    this.recordSegment = db.prepare(sql('recordSegment'));
    this.recordKey = db.prepare(sql('recordKey'));
    this.findSegment = db.prepare(sql('findSegment'));
    this.segmentState = db.prepare(sql('segmentState'));
    this.setSegment = db.prepare(sql('setSegment'));
    this.segmentStatuses = db.prepare(sql('segmentStatuses'));
    this.finishMessage = db.prepare(sql('finishMessage'));
    this.settleQueueRow = db.prepare(sql('settleQueueRow'));
    this.addEvent = db.prepare(sql('addEvent'));
    this.holdReceipt = db.prepare(sql('holdReceipt'));
    this.holdKey = db.prepare(sql('holdKey'));
    this.heldFor = db.prepare(sql('heldFor'));
    this.expiredHeld = db.prepare(sql('expiredHeld'));
    this.dropHeldKeys = db.prepare(sql('dropHeldKeys'));
    this.dropHeld = db.prepare(sql('dropHeld'));
  }

  /** Records each segment's SMSC id and match keys (a fact: whatever the epoch). */
  recordSegments(seq: number, routeId: string, result: SubmitResult, now: number): void {
    const parts = result.smscIds.length;
    result.smscIds.forEach((smscId, index) => this.recordSegmentId(seq, routeId, index, parts, smscId, keysOf(result, index, smscId), now));
  }

  /** One segment's SMSC id (of `parts` submit_sm) and the keys a receipt may name it by. */
  recordSegmentId(seq: number, routeId: string, index: number, parts: number, smscId: string, keys: readonly string[], now: number): void {
    this.recordSegment.run(seq, index, routeId, smscId, now, parts);
    for (const key of keys) this.recordKey.run(routeId, key, seq, index);
  }

  /** Applies the receipts held for the segments just recorded (after the ack's own state change). */
  applyHeld(seq: number, routeId: string, result: SubmitResult, now: number): void {
    result.smscIds.forEach((smscId, index) => this.applyHeldOfSegment(seq, routeId, index, keysOf(result, index, smscId), now));
  }

  /** Applies the receipts held under any of one segment's keys. */
  applyHeldOfSegment(seq: number, routeId: string, index: number, keys: readonly string[], now: number): void {
    for (const key of keys) {
      for (const held of this.heldFor.all(routeId, key)) {
        this.applyToSegment(seq, index, factsOf(held), now);
        this.dropHeldKeys.run({ routeId, id: held.id, candidates: held.candidates });
        this.dropHeld.run(held.id);
      }
    }
  }

  apply(receipt: ReceiptInput, now: number): ReceiptOutcome {
    let found: { message_seq: number; segment_index: number } | undefined;
    for (const candidate of receipt.smscIdCandidates) {
      const match = this.findSegment.get(receipt.routeId, candidate);
      if (match && (found === undefined || match.message_seq > found.message_seq)) found = match;
    }
    const facts: ReceiptFacts = {
      status: receipt.status,
      stat: receipt.stat,
      errorCode: receipt.errorCode,
      doneAt: receipt.doneAt === null ? null : receipt.doneAt.getTime(),
      raw: receipt.raw,
    };
    if (found !== undefined) return this.applyToSegment(found.message_seq, found.segment_index, facts, now);
    const candidates = [...new Set(receipt.smscIdCandidates)];
    const { lastInsertRowid } = this.holdReceipt.run(
      receipt.routeId, receipt.bindId, JSON.stringify(candidates), facts.status, facts.stat, facts.errorCode, facts.doneAt,
      facts.raw, now, now + receipt.receiptHoldMs,
    );
    for (const candidate of candidates) this.holdKey.run(receipt.routeId, candidate, Number(lastInsertRowid));
    return { kind: 'held' };
  }

  /** Turns held receipts past their hold time into `receipt-unmatched` problems; returns how many. */
  expireHeld(now: number): number {
    const expired = this.expiredHeld.all(now);
    for (const held of expired) {
      this.problems.record({
        kind: 'receipt-unmatched',
        routeId: held.route_id as RouteId,
        bindId: held.bind_id as BindId,
        rawHex: Buffer.from(held.raw, 'utf8').toString('hex'),
        detail: `receipt (stat ${held.stat ?? '-'}) for SMSC id ${(JSON.parse(held.candidates) as string[]).join(' / ')} matched no submitted segment within ${now - held.received_at} ms`,
      }, now);
      this.dropHeldKeys.run({ routeId: held.route_id, id: held.id, candidates: held.candidates });
      this.dropHeld.run(held.id);
    }
    return expired.length;
  }

  private applyToSegment(seq: number, index: number, facts: ReceiptFacts, now: number): ReceiptOutcome {
    const segment = this.segmentState.get(seq, index);
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
    this.setSegment.run(facts.status, facts.stat, facts.errorCode, facts.doneAt ?? now, seq, index);
    const statuses = this.segmentStatuses.all(seq).map((row) => row.status as MessageStatus);
    // A part whose SMSC id is not recorded (its submit_sm_resp never came) keeps the message open.
    const aggregate = finalStatuses.has(messageStatus) || statuses.length < (segment.parts ?? 0) ? null : aggregateStatus(statuses);
    const detail = statuses.length > 1 ? `segment ${index + 1} of ${statuses.length} ${facts.status}: ${receiptDetail(facts)}` : receiptDetail(facts);
    // History carries message statuses: a segment's receipt before the last one is noted under the current status.
    this.addEvent.run(seq, now, aggregate ?? messageStatus, detail);
    if (aggregate === null) return unchanged;
    this.finishMessage.run(aggregate, aggregate === 'delivered' ? null : receiptDetail(facts), now, seq);
    this.settleQueueRow.run(now, seq);
    const eventId = this.dlr.raise(seq, {
      status: aggregate, stat: facts.stat, errorCode: facts.errorCode, doneAt: facts.doneAt, receiptText: facts.raw, smscId: segment.smsc_id,
    }, now);
    return { kind: 'matched', messageId, clientId, segment: index, messageStatus: aggregate, final: true, eventId };
  }
}

function keysOf(result: SubmitResult, index: number, smscId: string): readonly string[] {
  return result.smscMatchKeys?.[index] ?? [smscId];
}

function factsOf(held: HeldRow): ReceiptFacts {
  return { status: held.status as MessageStatus, stat: held.stat, errorCode: held.error_code, doneAt: held.done_at, raw: held.raw };
}

function receiptDetail(facts: ReceiptFacts): string {
  return `stat ${facts.stat ?? '-'} err ${facts.errorCode ?? '-'}`;
}
