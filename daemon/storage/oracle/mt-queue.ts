import { randomUUID } from 'node:crypto';
import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import { kannelDlrBitOf } from '../../domain/status.js';
import type { ClaimRequest, ClaimedMt, Nack, QueueChangeResult, QueueSettings, SegmentIdFact, SubmitResult } from '../port.js';
import { claimedFromRow, mtExceptionMessage, mtQueueMessage, type ClaimedRow, type MtQueueFields } from './aq-message.js';
import { AqQueues, type AqIncoming, type OracleSession } from './aq-session.js';
import { raiseDlr } from './dlr-events.js';
import { fairQuotas, interleaveRounds } from './fair-claim.js';
import { applyHeld, applyHeldOfSegment, recordSegment, recordSegments } from './receipts.js';
import { oracleQueries } from './sql-files.js';

/**
 * The MT queue after acceptance, each function one transaction's body (transaction.ts commits).
 * A claim dequeues from AQ by correlation (the route; a fair claim per client, fair-claim.ts) and,
 * in the same transaction, writes the lease into the ledger (IN_FLIGHT, owner, bind, epoch,
 * lease_until by SYSTIMESTAMP): when it commits the message has left AQ and is held by the ledger,
 * before any SMPP I/O. From then on
 * ack, nack, renewal and IN_DOUBT resolution are ledger changes; a retry or a resend enqueues
 * the message into AQ again, and giving up after max_retries enqueues it into the exception queue.
 * Fencing as in the SQLite adapter: a change applies only with the bind's current epoch and to a
 * row held by that bind at that epoch; SMSC ids (facts) are recorded regardless, and so are the held
 * receipts they match. Status changes raise their DLR events (dlr-events.ts) in the same transaction.
 */

const sql = oracleQueries('mt');

interface HeldRow {
  ID: string; CLIENT_ID: string; ROUTE_ID: string; SEGMENTS: number; PRIORITY: number; EXPIRES_AT: Date;
  ACCEPTED_AT: Date; KANNEL_DLR_MASK: number | null; QUEUE_STATE: string; BIND_ID: string | null; EPOCH: number | null; ATTEMPTS: number;
}

type Verdict = 'apply' | 'stale' | 'none';

const submittedBit = kannelDlrBitOf.submitted ?? 0;

export async function currentEpoch(session: OracleSession, bindId: BindId): Promise<number> {
  return (await session.execute<{ EPOCH: number }>(sql('epochOf'), { bind_id: bindId })).rows[0]?.EPOCH ?? 0;
}

/** The bind's epoch, locked until commit so that no acquisition interleaves with this change. */
async function lockedEpoch(session: OracleSession, bindId: BindId): Promise<number> {
  return (await session.execute<{ EPOCH: number }>(sql('epochLocked'), { bind_id: bindId })).rows[0]?.EPOCH ?? 0;
}

export async function acquireEpoch(session: OracleSession, bindId: BindId): Promise<number> {
  await session.execute(sql('raiseEpoch'), { bind_id: bindId });
  return currentEpoch(session, bindId);
}

export function fieldsOf(row: Pick<HeldRow, 'ID' | 'CLIENT_ID' | 'ROUTE_ID' | 'SEGMENTS' | 'PRIORITY' | 'EXPIRES_AT' | 'ACCEPTED_AT' | 'ATTEMPTS'>): MtQueueFields {
  return {
    id: row.ID as MessageId,
    clientId: row.CLIENT_ID as ClientId,
    routeId: row.ROUTE_ID as RouteId,
    segments: row.SEGMENTS,
    priority: row.PRIORITY,
    expiresAt: row.EXPIRES_AT,
    acceptedAt: row.ACCEPTED_AT,
    attempts: row.ATTEMPTS,
  };
}

export async function claim(session: OracleSession, request: ClaimRequest): Promise<ClaimedMt[]> {
  if (request.limit <= 0 || (await lockedEpoch(session, request.bindId)) !== request.epoch) return [];
  const dequeued = request.perClientLimit === undefined
    ? await session.dequeue(AqQueues.mt, request.routeId, request.limit)
    : await dequeueFair(session, request, request.perClientLimit);
  if (dequeued.length === 0) return [];
  const claimId = randomUUID();
  await session.executeMany(sql('lease'), dequeued.map((message) => ({
    id: message.payload.MESSAGE_ID, owner: request.owner, bind_id: request.bindId, epoch: request.epoch,
    lease_ms: request.leaseMs, claim_id: claimId,
  })));
  const rows = new Map((await session.execute<ClaimedRow>(sql('claimed'), { claim_id: claimId })).rows.map((row) => [row.ID, row]));
  // In the dequeue order (AQ's priority, then enqueue time; a fair claim's rounds); a message whose ledger row was not QUEUED is left out.
  return dequeued.flatMap((message) => {
    const row = rows.get(message.payload.MESSAGE_ID);
    return row === undefined ? [] : [claimedFromRow(row)];
  });
}

interface ReadyClientRow { CLIENT_ID: string; READY: number; FIRST_PRIORITY: number; FIRST_ACCEPTED_AT: Date }

/**
 * A fair claim (fair-claim.ts): the ledger says which clients have claimable messages on the route
 * and how many, the limit is split among them, and each client's quota is dequeued by the route's
 * correlation and a condition on the payload's client: one dequeue per client that gets a quota.
 */
async function dequeueFair(session: OracleSession, request: ClaimRequest, perClientLimit: number): Promise<AqIncoming[]> {
  const waiting = (await session.execute<ReadyClientRow>(sql('readyClients'), { route_id: request.routeId })).rows.map((row) => ({
    clientId: row.CLIENT_ID as ClientId, ready: row.READY, firstPriority: row.FIRST_PRIORITY, firstAcceptedAt: row.FIRST_ACCEPTED_AT,
  }));
  const quotas = fairQuotas(waiting, { limit: request.limit, perClientLimit, ...(request.heldByClient === undefined ? {} : { heldByClient: request.heldByClient }) });
  const perClient: (readonly AqIncoming[])[] = [];
  for (const [clientId, quota] of quotas) perClient.push(await session.dequeue(AqQueues.mt, request.routeId, quota, clientId));
  return interleaveRounds(perClient);
}

async function held(session: OracleSession, id: MessageId): Promise<HeldRow | undefined> {
  return (await session.execute<HeldRow>(sql('held'), { id })).rows[0];
}

/** `holdable` says whether the row's state is one this change may act on. */
function verdictOf(row: HeldRow, bindId: BindId, epoch: number, current: number, holdable: boolean): Verdict {
  if (epoch !== current) return 'stale';
  if (!holdable || row.BIND_ID !== bindId) return 'none';
  return row.EPOCH === epoch ? 'apply' : 'stale';
}

async function addEvent(session: OracleSession, id: string, status: string, detail: string | null): Promise<void> {
  await session.execute(sql('addEvent'), { message_id: id, status, detail });
}

export async function ack(session: OracleSession, bindId: BindId, epoch: number, results: readonly SubmitResult[], now: Date): Promise<QueueChangeResult> {
  const current = await lockedEpoch(session, bindId);
  const applied: MessageId[] = [];
  const refused: MessageId[] = [];
  for (const result of results) {
    const row = await held(session, result.id);
    if (row === undefined) continue;
    await recordSegments(session, row.ID, row.ROUTE_ID, result);
    // A late ack of a message its own lease left IN_DOUBT still proves the submit: settle it rather than resend.
    const verdict = verdictOf(row, bindId, epoch, current, row.QUEUE_STATE === 'IN_FLIGHT' || row.QUEUE_STATE === 'IN_DOUBT');
    if (verdict === 'stale') refused.push(result.id);
    if (verdict === 'apply') {
      await session.execute(sql('markSubmitted'), { id: row.ID });
      await addEvent(session, row.ID, 'submitted', result.smscIds.length > 0 ? `smsc id ${result.smscIds.join(' ')}` : null);
      // Only Kannel's dlr-mask asks to hear of the submit; skip the event lookup for everyone else.
      if (((row.KANNEL_DLR_MASK ?? 0) & submittedBit) !== 0) {
        await raiseDlr(session, row.ID, { status: 'submitted', stat: null, errorCode: null, doneAt: null, receiptText: 'ACK/', smscId: null }, now);
      }
      applied.push(result.id);
    }
    await applyHeld(session, row.ID, row.ROUTE_ID, result, now);
  }
  return { applied, refusedStaleEpoch: refused };
}

/**
 * SMSC ids of single segments (a late submit_sm_resp of one part): recorded whatever the epoch, with
 * the receipts held for them applied; the message's queue state is left as it is.
 */
export async function recordSegmentIds(session: OracleSession, facts: readonly SegmentIdFact[], now: Date): Promise<void> {
  for (const fact of facts) {
    const row = await held(session, fact.id);
    if (row === undefined) continue;
    await recordSegment(session, row.ID, row.ROUTE_ID, fact);
    await applyHeldOfSegment(session, row.ID, row.ROUTE_ID, fact.index, fact.smscMatchKeys ?? [fact.smscId], now);
  }
}

export async function nack(
  session: OracleSession,
  settings: QueueSettings,
  bindId: BindId,
  epoch: number,
  nacks: readonly Nack[],
  now: Date,
): Promise<QueueChangeResult> {
  const current = await lockedEpoch(session, bindId);
  const applied: MessageId[] = [];
  const refused: MessageId[] = [];
  for (const item of nacks) {
    const row = await held(session, item.id);
    if (row === undefined) continue;
    const verdict = verdictOf(row, bindId, epoch, current, row.QUEUE_STATE === 'IN_FLIGHT');
    if (verdict === 'stale') refused.push(item.id);
    if (verdict !== 'apply') continue;
    const disposition = item.disposition;
    if (disposition.kind === 'fail') {
      await session.execute(sql('markFinal'), {
        id: row.ID, queue_state: 'PROCESSED', status: disposition.status, error_code: disposition.errorCode, reason: disposition.reason,
      });
      await addEvent(session, row.ID, disposition.status, `${disposition.errorCode}: ${disposition.reason}`);
      await raiseDlr(session, row.ID, {
        status: disposition.status, stat: null, errorCode: disposition.errorCode, doneAt: null,
        receiptText: `NACK/${disposition.errorCode}/${disposition.reason}`, smscId: null,
      }, now);
    } else if (row.ATTEMPTS > settings.maxRetries) {
      const reason = `gave up after ${row.ATTEMPTS} attempts (max_retries ${settings.maxRetries})`;
      await session.enqueue(AqQueues.mtException, [mtExceptionMessage(fieldsOf(row))]);
      await session.execute(sql('markFinal'), { id: row.ID, queue_state: 'EXCEPTION', status: 'failed', error_code: null, reason });
      await addEvent(session, row.ID, 'failed', reason);
      await raiseDlr(session, row.ID, { status: 'failed', stat: null, errorCode: null, doneAt: null, receiptText: `NACK//${reason}`, smscId: null }, now);
    } else {
      const delayMs = Math.max(0, disposition.delayMs ?? settings.retryDelayMs);
      await session.enqueue(AqQueues.mt, [mtQueueMessage(fieldsOf(row), now.getTime() + delayMs, now.getTime())]);
      await session.execute(sql('requeue'), { id: row.ID, delay_ms: delayMs });
    }
    applied.push(item.id);
  }
  return { applied, refusedStaleEpoch: refused };
}

export async function renew(
  session: OracleSession,
  bindId: BindId,
  epoch: number,
  ids: readonly MessageId[],
  leaseMs: number,
): Promise<QueueChangeResult> {
  const current = await lockedEpoch(session, bindId);
  const applied: MessageId[] = [];
  const refused: MessageId[] = [];
  for (const id of ids) {
    const row = await held(session, id);
    if (row === undefined) continue;
    const verdict = verdictOf(row, bindId, epoch, current, row.QUEUE_STATE === 'IN_FLIGHT');
    if (verdict === 'stale') refused.push(id);
    if (verdict !== 'apply') continue;
    await session.execute(sql('extendLease'), { id, lease_ms: leaseMs });
    applied.push(id);
  }
  return { applied, refusedStaleEpoch: refused };
}

/** `resend` puts the route's IN_DOUBT messages back into AQ (READY at once); `hold` leaves them. */
export async function resolveInDoubt(session: OracleSession, routeId: RouteId, policy: 'resend' | 'hold', now: Date): Promise<MessageId[]> {
  if (policy === 'hold') return [];
  const rows = (await session.execute<HeldRow>(sql('inDoubtRows'), { route_id: routeId })).rows;
  await session.enqueue(AqQueues.mt, rows.map((row) => mtQueueMessage(fieldsOf(row), now.getTime(), now.getTime())));
  for (const row of rows) {
    await session.execute(sql('resend'), { id: row.ID });
    await addEvent(session, row.ID, 'accepted', 'resent after an expired lease (route policy resend)');
  }
  return rows.map((row) => row.ID as MessageId);
}
