import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import { kannelDlrBitOf } from '../../domain/status.js';
import type { ClaimRequest, ClaimedMt, Nack, QueueChangeResult, QueueSettings, SegmentIdFact, SubmitResult, TextEncoding } from '../port.js';
import type { Database, Sql } from './database.js';
import type { DlrEventsSql } from './dlr-events.js';
import type { ReceiptsSql, RecordedSegment } from './receipts.js';
import { loadQueries } from './sql-files.js';

/**
 * The MT queue's state changes after acceptance: claim under a lease, ack, nack, lease renewal,
 * IN_DOUBT resolution; the same semantics as the SQLite adapter's mt-queue.ts.
 * A claim is one statement (FOR UPDATE SKIP LOCKED, lease by the database clock); a fair claim
 * (perClientLimit) interleaves the route's clients in that statement (mt_queue.sql, claimFair). Ack, nack and
 * renewal take the bind's epoch row FOR SHARE (an acquisition waits until they commit) and lock the
 * messages' queue rows in seq order, then apply where the caller's epoch is current and the row is
 * held by that bind at that epoch. SMSC ids (facts) are recorded whatever the epoch. An ack is one
 * call of a PL/pgSQL function (ack_submits, migration 008) running those steps server-side.
 * A message that becomes final leaves mt_queue; its final queue state is kept in the ledger.
 */

interface ClaimRow {
  seq: number; attempts: number; id: string; client_id: string; route_id: string; sender: string; recipient: string;
  text: string; encoding: string; segments: number; priority: number; expires_at: number; dlr_requested: boolean; accepted_at: number;
}

interface MessageRow { seq: number; day: number; id: string; route_id: string; client_id: string; kannel_dlr_mask: number | null }
interface QueueRow { seq: number; state: string; bind_id: string | null; epoch: number | null; attempts: number }

/** A message named by a change, with its queue row when it has one (locked). */
interface Held { readonly message: MessageRow; readonly queue: QueueRow | undefined }

type Verdict = 'apply' | 'stale' | 'none';

const submittedBit = kannelDlrBitOf.submitted ?? 0;

export class MtQueueSql {
  private readonly sql = loadQueries('mt_queue');

  constructor(
    private readonly db: Database,
    private readonly settings: QueueSettings,
    private readonly receipts: ReceiptsSql,
    private readonly dlr: DlrEventsSql,
  ) {}

  async currentEpoch(bindId: BindId): Promise<number> {
    return (await this.db.rows<{ epoch: number }>(this.sql('epochOf'), [bindId]))[0]?.epoch ?? 0;
  }

  async acquireEpoch(bindId: BindId): Promise<number> {
    const [row] = await this.db.rows<{ epoch: number }>(this.sql('raiseEpoch'), [bindId]);
    if (!row) throw new Error(`bind_epochs: no row returned for ${bindId}`);
    return row.epoch;
  }

  async claim(request: ClaimRequest): Promise<ClaimedMt[]> {
    if (request.limit <= 0) return [];
    const common = [request.routeId, request.bindId, request.epoch, request.owner, request.limit, request.leaseMs];
    const held = [...(request.heldByClient ?? new Map<ClientId, number>())];
    const rows = request.perClientLimit === undefined
      ? await this.db.rows<ClaimRow>(this.sql('claim'), common)
      : await this.db.rows<ClaimRow>(this.sql('claimFair'), [
        ...common, request.perClientLimit, held.map(([clientId]) => clientId), held.map(([, count]) => count),
      ]);
    return rows.map((row): ClaimedMt => ({
      id: row.id as MessageId,
      clientId: row.client_id as ClientId,
      routeId: row.route_id as RouteId,
      sender: row.sender,
      recipient: row.recipient,
      text: row.text,
      encoding: row.encoding as TextEncoding,
      segments: row.segments,
      priority: row.priority,
      expiresAt: new Date(row.expires_at),
      dlrRequested: row.dlr_requested,
      attempt: row.attempts,
      acceptedAt: new Date(row.accepted_at),
    }));
  }

  /**
   * One statement, its own transaction (ack_submits, sql/postgres/008_ack_function.sql): the steps this
   * method used to send one by one, in the same order under the same locks, in one round trip.
   */
  async ack(bindId: BindId, epoch: number, results: readonly SubmitResult[]): Promise<QueueChangeResult> {
    if (results.length === 0) return { applied: [], refusedStaleEpoch: [] };
    const segments = results.flatMap((result, r) => result.smscIds.map((smscId, index) => ({
      result: r + 1, index, smscId, parts: result.smscIds.length, keys: result.smscMatchKeys?.[index] ?? [smscId],
    })));
    const keys = segments.flatMap((segment, s) => segment.keys.map((key) => ({ segment: s + 1, key })));
    const rows = await this.db.rows<{ acked_id: string; acked_verdict: 'apply' | 'stale' }>(this.sql('ack'), [
      bindId, epoch, results.map((result) => result.id),
      results.map((result) => (result.smscIds.length > 0 ? `smsc id ${result.smscIds.join(' ')}` : null)),
      segments.map((s) => s.result), segments.map((s) => s.index), segments.map((s) => s.smscId), segments.map((s) => s.parts),
      keys.map((k) => k.segment), keys.map((k) => k.key), submittedBit,
    ]);
    return {
      applied: rows.filter((row) => row.acked_verdict === 'apply').map((row) => row.acked_id as MessageId),
      refusedStaleEpoch: rows.filter((row) => row.acked_verdict === 'stale').map((row) => row.acked_id as MessageId),
    };
  }

  /**
   * Facts about single segments (a late submit_sm_resp of one part): recorded whatever the epoch, with
   * the receipts held for them applied; the queue row is left as it is.
   */
  async recordSegmentIds(facts: readonly SegmentIdFact[]): Promise<void> {
    if (facts.length === 0) return;
    await this.db.transaction(async (sql, now) => {
      const messages = await sql.rows<MessageRow>(this.sql('messagesById'), [[...new Set(facts.map((fact) => fact.id))]]);
      const byId = new Map(messages.map((message) => [message.id, message]));
      const segments = facts.flatMap((fact): RecordedSegment[] => {
        const message = byId.get(fact.id);
        if (message === undefined) return [];
        return [{
          day: message.day, seq: message.seq, routeId: message.route_id, index: fact.index, parts: fact.parts, smscId: fact.smscId,
          keys: fact.smscMatchKeys ?? [fact.smscId],
        }];
      });
      const keyed = segments.flatMap((segment) => segment.keys.map((key) => ({ routeId: segment.routeId, key })));
      await this.receipts.lockKeysOf(sql, keyed.map((k) => k.routeId), keyed.map((k) => k.key));
      await this.recordSegments(sql, segments, now);
      await this.receipts.applyHeld(sql, segments, now);
    });
  }

  async nack(bindId: BindId, epoch: number, nacks: readonly Nack[]): Promise<QueueChangeResult> {
    return this.db.transaction(async (sql, now) => {
      const current = await this.fence(sql, bindId);
      const held = await this.lockHeld(sql, nacks.map((nack) => nack.id));
      const applied: MessageId[] = [];
      const refused: MessageId[] = [];
      for (const nack of nacks) {
        const entry = held.get(nack.id);
        if (!entry) continue;
        const verdict = verdictOf(entry.queue, bindId, epoch, current, ['IN_FLIGHT']);
        if (verdict === 'stale') refused.push(nack.id);
        if (verdict !== 'apply' || entry.queue === undefined) continue;
        await this.applyNack(sql, entry.message, entry.queue, nack, now);
        applied.push(nack.id);
      }
      return { applied, refusedStaleEpoch: refused };
    });
  }

  async renew(bindId: BindId, epoch: number, ids: readonly MessageId[], leaseMs: number): Promise<QueueChangeResult> {
    return this.db.transaction(async (sql) => {
      const current = await this.fence(sql, bindId);
      const held = await this.lockHeld(sql, ids);
      const applied: Held[] = [];
      const refused: MessageId[] = [];
      for (const id of ids) {
        const entry = held.get(id);
        if (!entry) continue;
        const verdict = verdictOf(entry.queue, bindId, epoch, current, ['IN_FLIGHT']);
        if (verdict === 'stale') refused.push(id);
        if (verdict === 'apply') applied.push(entry);
      }
      if (applied.length > 0) await sql.count(this.sql('extendLeases'), [applied.map((entry) => entry.message.seq), leaseMs]);
      return { applied: applied.map((entry) => entry.message.id as MessageId), refusedStaleEpoch: refused };
    });
  }

  async resolveInDoubt(routeId: RouteId, policy: 'resend' | 'hold'): Promise<MessageId[]> {
    if (policy === 'hold') return [];
    return this.db.transaction(async (sql, now) => {
      const rows = await sql.rows<{ seq: number; day: number }>(this.sql('resend'), [routeId]);
      if (rows.length === 0) return [];
      const resent = await sql.rows<{ id: string }>(this.sql('resentLedger'), [rows.map((row) => row.day), rows.map((row) => row.seq), now]);
      return resent.map((row) => row.id as MessageId);
    });
  }

  private async applyNack(sql: Sql, message: MessageRow, queue: QueueRow, nack: Nack, now: number): Promise<void> {
    const disposition = nack.disposition;
    if (disposition.kind === 'fail') {
      await sql.count(this.sql('dropQueueRows'), [[message.seq]]);
      await sql.count(this.sql('markFinal'), [message.day, message.seq, disposition.status, disposition.errorCode, disposition.reason, now, 'PROCESSED', queue.attempts]);
      await sql.count(this.sql('addEvent'), [message.day, message.seq, now, disposition.status, `${disposition.errorCode}: ${disposition.reason}`]);
      await this.dlr.raise(sql, message.seq, {
        status: disposition.status, stat: null, errorCode: disposition.errorCode, doneAt: null,
        receiptText: `NACK/${disposition.errorCode}/${disposition.reason}`, smscId: null,
      }, now);
    } else if (queue.attempts > this.settings.maxRetries) {
      const reason = `gave up after ${queue.attempts} attempts (max_retries ${this.settings.maxRetries})`;
      await sql.count(this.sql('dropQueueRows'), [[message.seq]]);
      await sql.count(this.sql('markFinal'), [message.day, message.seq, 'failed', null, reason, now, 'EXCEPTION', queue.attempts]);
      await sql.count(this.sql('addEvent'), [message.day, message.seq, now, 'failed', reason]);
      await this.dlr.raise(sql, message.seq, { status: 'failed', stat: null, errorCode: null, doneAt: null, receiptText: `NACK//${reason}`, smscId: null }, now);
    } else {
      const delayMs = disposition.delayMs ?? this.settings.retryDelayMs;
      if (delayMs > 0) await sql.count(this.sql('requeue'), [message.seq, 'WAITING', now + delayMs]);
      else await sql.count(this.sql('requeue'), [message.seq, 'READY', null]);
    }
  }

  private async fence(sql: Sql, bindId: BindId): Promise<number> {
    return (await sql.rows<{ epoch: number }>(this.sql('fence'), [bindId]))[0]?.epoch ?? 0;
  }

  private async lockHeld(sql: Sql, ids: readonly MessageId[]): Promise<Map<string, Held>> {
    const held = new Map<string, Held>();
    if (ids.length === 0) return held;
    const messages = await sql.rows<MessageRow>(this.sql('messagesById'), [[...new Set(ids)]]);
    const queue = new Map((await sql.rows<QueueRow>(this.sql('lockQueueRows'), [messages.map((m) => m.seq)])).map((row) => [row.seq, row]));
    for (const message of messages) held.set(message.id, { message, queue: queue.get(message.seq) });
    return held;
  }

  private async recordSegments(sql: Sql, segments: readonly RecordedSegment[], now: number): Promise<void> {
    if (segments.length === 0) return;
    // One row per segment: a resend's later ack replaces the segment's id (last result wins).
    const unique = [...new Map(segments.map((s) => [`${s.seq}/${s.index}`, s])).values()];
    await sql.count(this.sql('recordSegments'), [
      unique.map((s) => s.day), unique.map((s) => s.seq), unique.map((s) => s.index), unique.map((s) => s.routeId), unique.map((s) => s.smscId),
      unique.map((s) => s.parts), now,
    ]);
    const keys = segments.flatMap((segment) => segment.keys.map((key) => ({ segment, key })));
    await sql.count(this.sql('recordKeys'), [
      keys.map((k) => k.segment.day), keys.map((k) => k.segment.routeId), keys.map((k) => k.key), keys.map((k) => k.segment.seq),
      keys.map((k) => k.segment.index),
    ]);
  }
}

/** `holdable` names the states this change may act on. */
function verdictOf(queue: QueueRow | undefined, bindId: BindId, epoch: number, current: number, holdable: readonly string[]): Verdict {
  if (epoch !== current) return 'stale';
  if (queue === undefined || !holdable.includes(queue.state) || queue.bind_id !== bindId) return 'none';
  return queue.epoch === epoch ? 'apply' : 'stale';
}
