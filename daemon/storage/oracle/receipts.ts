import { v7 as uuidv7 } from 'uuid';
import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import { finalStatuses, type MessageStatus } from '../../domain/status.js';
import type { ReceiptInput, ReceiptOutcome, SegmentIdFact, SubmitResult } from '../port.js';
import { aggregateStatus } from '../sqlite/segment-aggregate.js';
import type { OracleSession } from './aq-session.js';
import { raiseDlr } from './dlr-events.js';
import { recordProblem } from './inbound-problems.js';
import { oracleQueries } from './sql-files.js';

/**
 * Receipt correlation, with the SQLite store's rules (daemon/storage/sqlite/receipts.ts): ackMt
 * records each segment's SMSC id under its match keys and applies the receipts held for them;
 * applyReceipt finds the segment by (route, key), or holds the receipt. A final receipt sets its
 * segment's status; the message takes the aggregate once every segment of its submission (smsc_ids.parts)
 * is recorded and final, and its DLR event is raised in the same transaction. recordSegmentIds records
 * single segments learned from late submit_sm_resp, which do not ack the message.
 */

interface ReceiptFacts {
  readonly status: MessageStatus;
  readonly stat: string | null;
  readonly errorCode: string | null;
  readonly doneAt: Date | null;
  readonly raw: string;
}

interface SegmentRow { STATUS: string; SMSC_ID: string; PARTS: number | null; ID: string; CLIENT_ID: string; MESSAGE_STATUS: string }
interface HeldRow { ID: string; STATUS: string; STAT: string | null; ERROR_CODE: string | null; DONE_AT: Date | null; RAW_TEXT: string | null }
interface ExpiredRow { ID: string; ROUTE_ID: string; BIND_ID: string; CANDIDATES: string; STAT: string | null; RAW_TEXT: string | null; HELD_MS: number }

const sql = oracleQueries('receipts');
const mt = oracleQueries('mt');

function keysOf(result: SubmitResult, index: number, smscId: string): readonly string[] {
  return result.smscMatchKeys?.[index] ?? [smscId];
}

/** Records each segment's SMSC id and match keys (a fact: whatever the epoch), each of `smscIds.length` parts. */
export async function recordSegments(session: OracleSession, messageId: string, routeId: string, result: SubmitResult): Promise<void> {
  const parts = result.smscIds.length;
  await session.executeMany(mt('recordSmscId'), result.smscIds.map((smscId, index) => ({
    message_id: messageId, segment_index: index, route_id: routeId, smsc_id: smscId, parts,
  })));
  await session.executeMany(sql('recordKey'), result.smscIds.flatMap((smscId, index) => keysOf(result, index, smscId).map((key) => ({
    route_id: routeId, match_key: key, message_id: messageId, segment_index: index,
  }))));
}

/** One segment's SMSC id (of `parts` submit_sm) and the keys a receipt may name it by. */
export async function recordSegment(session: OracleSession, messageId: string, routeId: string, fact: SegmentIdFact): Promise<void> {
  await session.execute(mt('recordSmscId'), {
    message_id: messageId, segment_index: fact.index, route_id: routeId, smsc_id: fact.smscId, parts: fact.parts,
  });
  await session.executeMany(sql('recordKey'), (fact.smscMatchKeys ?? [fact.smscId]).map((key) => ({
    route_id: routeId, match_key: key, message_id: messageId, segment_index: fact.index,
  })));
}

/** Applies the receipts held for the segments just recorded (after the ack's own state change). */
export async function applyHeld(session: OracleSession, messageId: string, routeId: string, result: SubmitResult, now: Date): Promise<void> {
  for (const [index, smscId] of result.smscIds.entries()) {
    await applyHeldOfSegment(session, messageId, routeId, index, keysOf(result, index, smscId), now);
  }
}

/** Applies the receipts held under any of one segment's keys. */
export async function applyHeldOfSegment(
  session: OracleSession,
  messageId: string,
  routeId: string,
  index: number,
  keys: readonly string[],
  now: Date,
): Promise<void> {
  for (const key of keys) {
    for (const held of (await session.execute<HeldRow>(sql('heldFor'), { route_id: routeId, match_key: key })).rows) {
      await applyToSegment(session, messageId, index, factsOf(held), now);
      await session.execute(sql('dropHeld'), { id: held.ID });
    }
  }
}

export async function applyReceipt(session: OracleSession, receipt: ReceiptInput, now: Date): Promise<ReceiptOutcome> {
  let found: { MESSAGE_ID: string; SEGMENT_INDEX: number; ACCEPTED_AT: Date } | undefined;
  for (const candidate of receipt.smscIdCandidates) {
    const match = (await session.execute<{ MESSAGE_ID: string; SEGMENT_INDEX: number; ACCEPTED_AT: Date }>(
      sql('findSegment'), { route_id: receipt.routeId, match_key: candidate },
    )).rows[0];
    if (match !== undefined && (found === undefined || match.ACCEPTED_AT > found.ACCEPTED_AT)) found = match;
  }
  const facts: ReceiptFacts = { status: receipt.status, stat: receipt.stat, errorCode: receipt.errorCode, doneAt: receipt.doneAt, raw: receipt.raw };
  if (found !== undefined) return applyToSegment(session, found.MESSAGE_ID, found.SEGMENT_INDEX, facts, now);
  const candidates = [...new Set(receipt.smscIdCandidates)];
  const id = uuidv7();
  await session.execute(sql('holdReceipt'), {
    id, route_id: receipt.routeId, bind_id: receipt.bindId, candidates: JSON.stringify(candidates), status: facts.status,
    stat: facts.stat, error_code: facts.errorCode, done_at: facts.doneAt, raw_text: facts.raw, hold_ms: receipt.receiptHoldMs,
  });
  await session.executeMany(sql('holdKey'), candidates.map((key) => ({ route_id: receipt.routeId, match_key: key, held_id: id })));
  return { kind: 'held' };
}

/** Turns held receipts past their hold time into `receipt-unmatched` problems; returns how many. */
export async function expireHeld(session: OracleSession): Promise<number> {
  const expired = (await session.execute<ExpiredRow>(sql('expiredHeld'), {})).rows;
  for (const held of expired) {
    await recordProblem(session, {
      kind: 'receipt-unmatched',
      routeId: held.ROUTE_ID as RouteId,
      bindId: held.BIND_ID as BindId,
      rawHex: Buffer.from(held.RAW_TEXT ?? '', 'utf8').toString('hex'),
      detail: `receipt (stat ${held.STAT ?? '-'}) for SMSC id ${(JSON.parse(held.CANDIDATES) as string[]).join(' / ')} matched no submitted segment within ${held.HELD_MS} ms`,
    });
    await session.execute(sql('dropHeld'), { id: held.ID });
  }
  return expired.length;
}

async function applyToSegment(session: OracleSession, messageId: string, index: number, facts: ReceiptFacts, now: Date): Promise<ReceiptOutcome> {
  const segment = (await session.execute<SegmentRow>(sql('segmentState'), { message_id: messageId, segment_index: index })).rows[0];
  if (segment === undefined) throw new Error(`smsc_ids: no segment ${index} of message ${messageId}`);
  const id = segment.ID as MessageId;
  const clientId = segment.CLIENT_ID as ClientId;
  const messageStatus = segment.MESSAGE_STATUS as MessageStatus;
  const unchanged = { kind: 'matched', messageId: id, clientId, segment: index, messageStatus, final: finalStatuses.has(messageStatus), eventId: null } as const;
  if (finalStatuses.has(segment.STATUS as MessageStatus)) {
    // A final status never changes: a contradicting late receipt is ignored.
    return segment.STATUS === facts.status ? { kind: 'duplicate', messageId: id } : unchanged;
  }
  // Intermediate receipts (ENROUTE, ACCEPTD) change nothing a client sees.
  if (!finalStatuses.has(facts.status)) return unchanged;
  await session.execute(sql('setSegment'), {
    status: facts.status, stat: facts.stat, error_code: facts.errorCode, done_at: facts.doneAt, message_id: messageId, segment_index: index,
  });
  const statuses = (await session.execute<{ STATUS: string }>(sql('segmentStatuses'), { message_id: messageId })).rows.map((row) => row.STATUS as MessageStatus);
  // A part whose SMSC id is not recorded (its submit_sm_resp never came) keeps the message open.
  const aggregate = finalStatuses.has(messageStatus) || statuses.length < (segment.PARTS ?? 0) ? null : aggregateStatus(statuses);
  const detail = statuses.length > 1 ? `segment ${index + 1} of ${statuses.length} ${facts.status}: ${receiptDetail(facts)}` : receiptDetail(facts);
  // History carries message statuses: a segment's receipt before the last one is noted under the current status.
  await session.execute(mt('addEvent'), { message_id: messageId, status: aggregate ?? messageStatus, detail });
  if (aggregate === null) return unchanged;
  await session.execute(sql('finishMessage'), { status: aggregate, reason: aggregate === 'delivered' ? null : receiptDetail(facts), id: messageId });
  await session.execute(sql('settleQueueRow'), { id: messageId });
  const eventId = await raiseDlr(session, messageId, {
    status: aggregate, stat: facts.stat, errorCode: facts.errorCode, doneAt: facts.doneAt, receiptText: facts.raw, smscId: segment.SMSC_ID,
  }, now);
  return { kind: 'matched', messageId: id, clientId, segment: index, messageStatus: aggregate, final: true, eventId };
}

function factsOf(held: HeldRow): ReceiptFacts {
  return { status: held.STATUS as MessageStatus, stat: held.STAT, errorCode: held.ERROR_CODE, doneAt: held.DONE_AT, raw: held.RAW_TEXT ?? '' };
}

function receiptDetail(facts: ReceiptFacts): string {
  return `stat ${facts.stat ?? '-'} err ${facts.errorCode ?? '-'}`;
}
