import type Database from 'better-sqlite3';
import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { TextEncoding, ClaimRequest, ClaimedMt, Nack, QueueChangeResult, QueueSettings, SegmentIdFact, SubmitResult } from '../port.js';
import { kannelDlrBitOf } from '../../domain/status.js';
import type { DlrEventsSql } from './dlr-events.js';
import type { ReceiptsSql } from './receipts.js';
import { loadQueries } from './sql-files.js';

/**
 * The MT queue's state changes after acceptance: claim under a lease, ack, nack, lease renewal,
 * IN_DOUBT resolution. Every method runs inside a group-commit job.
 * Fencing: a change is applied only when the caller's epoch is the bind's current one and the row is
 * held by that bind at that epoch; SMSC ids (facts) are recorded regardless, and so are the held
 * receipts they match. Status changes raise their DLR events (dlr-events.ts) in the same transaction.
 */

interface ClaimRow {
  seq: number; attempts: number; id: string; client_id: string; route_id: string; sender: string; recipient: string;
  text: string; encoding: string; segments: number; priority: number; expires_at: number; dlr_requested: number; accepted_at: number;
}

interface HeldRow { seq: number; route_id: string; client_id: string; kannel_dlr_mask: number | null; state: string | null; bind_id: string | null; epoch: number | null; attempts: number | null }

type Verdict = 'apply' | 'stale' | 'none';

const submittedBit = kannelDlrBitOf.submitted ?? 0;

export class MtQueueSql {
  private readonly epochOf: Database.Statement<[string], { epoch: number }>;
  private readonly raiseEpoch: Database.Statement<[string], { epoch: number }>;
  private readonly readyRows: Database.Statement<[string, number, number], ClaimRow>;
  private readonly readyClients: Database.Statement<[string], { client_id: string }>;
  private readonly readyRowsOfClient: Database.Statement<[string, string, number, number], ClaimRow>;
  private readonly lease: Database.Statement<[string, string, number, number, number]>;
  private readonly held: Database.Statement<[string], HeldRow>;
  private readonly markProcessed: Database.Statement<[number, number]>;
  private readonly markSubmitted: Database.Statement<[number, number]>;
  private readonly markFinal: Database.Statement<[string, number | null, string, number, number]>;
  private readonly addEvent: Database.Statement<[number, number, string, string | null]>;
  private readonly requeue: Database.Statement<[string, number | null, number]>;
  private readonly toException: Database.Statement<[number, string, string, number, string, number]>;
  private readonly dropQueueRow: Database.Statement<[number]>;
  private readonly extendLease: Database.Statement<[number, number]>;
  private readonly inDoubtRows: Database.Statement<[string], { seq: number; id: string }>;
  private readonly resend: Database.Statement<[number]>;
  private readonly setStatus: Database.Statement<[string, number]>;

  constructor(
    db: Database.Database,
    private readonly settings: QueueSettings,
    private readonly receipts: ReceiptsSql,
    private readonly dlr: DlrEventsSql,
  ) {
    const sql = loadQueries('mt_queue');
    this.epochOf = db.prepare(sql('epochOf'));
    this.raiseEpoch = db.prepare(sql('raiseEpoch'));
    this.readyRows = db.prepare(sql('readyRows'));
    this.readyClients = db.prepare(sql('readyClients'));
    this.readyRowsOfClient = db.prepare(sql('readyRowsOfClient'));
    this.lease = db.prepare(sql('lease'));
    this.held = db.prepare(sql('held'));
    this.markProcessed = db.prepare(sql('markProcessed'));
    this.markSubmitted = db.prepare(sql('markSubmitted'));
    this.markFinal = db.prepare(sql('markFinal'));
    this.addEvent = db.prepare(sql('addEvent'));
    this.requeue = db.prepare(sql('requeue'));
    this.toException = db.prepare(sql('toException'));
    this.dropQueueRow = db.prepare(sql('dropQueueRow'));
    this.extendLease = db.prepare(sql('extendLease'));
    this.inDoubtRows = db.prepare(sql('inDoubtRows'));
    this.resend = db.prepare(sql('resend'));
    this.setStatus = db.prepare(sql('setStatus'));
  }

  currentEpoch(bindId: BindId): number {
    return this.epochOf.get(bindId)?.epoch ?? 0;
  }

  acquireEpoch(bindId: BindId): number {
    const row = this.raiseEpoch.get(bindId);
    if (!row) throw new Error(`bind_epochs: no row returned for ${bindId}`);
    return row.epoch;
  }

  claim(request: ClaimRequest, now: number): ClaimedMt[] {
    if (request.limit <= 0 || this.currentEpoch(request.bindId) !== request.epoch) return [];
    const leaseUntil = now + request.leaseMs;
    const rows = request.perClientLimit === undefined ? this.readyRows.all(request.routeId, now, request.limit) : this.fairRows(request, now);
    return rows.map((row): ClaimedMt => {
      this.lease.run(request.owner, request.bindId, request.epoch, leaseUntil, row.seq);
      return {
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
        dlrRequested: row.dlr_requested === 1,
        attempt: row.attempts + 1,
        acceptedAt: new Date(row.accepted_at),
      };
    });
  }

  /**
   * Each client's first rows (its share: perClientLimit less what the caller holds of it), taken
   * round by round across the clients (in each round by priority, then age) up to the limit.
   */
  private fairRows(request: ClaimRequest, now: number): ClaimRow[] {
    const perClient: ClaimRow[][] = [];
    for (const { client_id: clientId } of this.readyClients.all(request.routeId)) {
      const share = Math.min(request.limit, (request.perClientLimit ?? request.limit) - (request.heldByClient?.get(clientId as ClientId) ?? 0));
      if (share > 0) perClient.push(this.readyRowsOfClient.all(request.routeId, clientId, now, share));
    }
    const rows: ClaimRow[] = [];
    for (let round = 0; rows.length < request.limit; round++) {
      const roundRows = perClient.flatMap((list) => list.slice(round, round + 1));
      if (roundRows.length === 0) break;
      roundRows.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      rows.push(...roundRows.slice(0, request.limit - rows.length));
    }
    return rows;
  }

  ack(bindId: BindId, epoch: number, results: readonly SubmitResult[], now: number): QueueChangeResult {
    const current = this.currentEpoch(bindId);
    const applied: MessageId[] = [];
    const refused: MessageId[] = [];
    for (const result of results) {
      const row = this.held.get(result.id);
      if (!row) continue;
      this.receipts.recordSegments(row.seq, row.route_id, result, now);
      // A late ack of a message its own lease left IN_DOUBT still proves the submit: settle it rather than resend.
      const verdict = this.verdict(row, bindId, epoch, current, row.state === 'IN_FLIGHT' || row.state === 'IN_DOUBT');
      if (verdict === 'stale') refused.push(result.id);
      if (verdict === 'apply') {
        this.markProcessed.run(now, row.seq);
        this.markSubmitted.run(now, row.seq);
        this.addEvent.run(row.seq, now, 'submitted', result.smscIds.length > 0 ? `smsc id ${result.smscIds.join(' ')}` : null);
        // Only Kannel's dlr-mask asks to hear of the submit; skip the event lookup for everyone else.
        if (((row.kannel_dlr_mask ?? 0) & submittedBit) !== 0) {
          this.dlr.raise(row.seq, { status: 'submitted', stat: null, errorCode: null, doneAt: null, receiptText: 'ACK/', smscId: null }, now);
        }
        applied.push(result.id);
      }
      this.receipts.applyHeld(row.seq, row.route_id, result, now);
    }
    return { applied, refusedStaleEpoch: refused };
  }

  /** Facts about single segments: recorded whatever the epoch, the queue row left as it is. */
  recordSegmentIds(facts: readonly SegmentIdFact[], now: number): void {
    for (const fact of facts) {
      const row = this.held.get(fact.id);
      if (!row) continue;
      const keys = fact.smscMatchKeys ?? [fact.smscId];
      this.receipts.recordSegmentId(row.seq, row.route_id, fact.index, fact.parts, fact.smscId, keys, now);
      this.receipts.applyHeldOfSegment(row.seq, row.route_id, fact.index, keys, now);
    }
  }

  nack(bindId: BindId, epoch: number, nacks: readonly Nack[], now: number): QueueChangeResult {
    const current = this.currentEpoch(bindId);
    const applied: MessageId[] = [];
    const refused: MessageId[] = [];
    for (const nack of nacks) {
      const row = this.held.get(nack.id);
      if (!row) continue;
      const verdict = this.verdict(row, bindId, epoch, current, row.state === 'IN_FLIGHT');
      if (verdict === 'stale') refused.push(nack.id);
      if (verdict !== 'apply') continue;
      const disposition = nack.disposition;
      if (disposition.kind === 'fail') {
        this.markProcessed.run(now, row.seq);
        this.markFinal.run(disposition.status, disposition.errorCode, disposition.reason, now, row.seq);
        this.addEvent.run(row.seq, now, disposition.status, `${disposition.errorCode}: ${disposition.reason}`);
        this.dlr.raise(row.seq, {
          status: disposition.status, stat: null, errorCode: disposition.errorCode, doneAt: null,
          receiptText: `NACK/${disposition.errorCode}/${disposition.reason}`, smscId: null,
        }, now);
      } else if ((row.attempts ?? 0) > this.settings.maxRetries) {
        const reason = `gave up after ${row.attempts ?? 0} attempts (max_retries ${this.settings.maxRetries})`;
        this.toException.run(row.seq, row.route_id, row.client_id, row.attempts ?? 0, reason, now);
        this.dropQueueRow.run(row.seq);
        this.markFinal.run('failed', null, reason, now, row.seq);
        this.addEvent.run(row.seq, now, 'failed', reason);
        this.dlr.raise(row.seq, { status: 'failed', stat: null, errorCode: null, doneAt: null, receiptText: `NACK//${reason}`, smscId: null }, now);
      } else {
        const delayMs = disposition.delayMs ?? this.settings.retryDelayMs;
        if (delayMs > 0) this.requeue.run('WAITING', now + delayMs, row.seq);
        else this.requeue.run('READY', null, row.seq);
      }
      applied.push(nack.id);
    }
    return { applied, refusedStaleEpoch: refused };
  }

  renew(bindId: BindId, epoch: number, ids: readonly MessageId[], leaseMs: number, now: number): QueueChangeResult {
    const current = this.currentEpoch(bindId);
    const applied: MessageId[] = [];
    const refused: MessageId[] = [];
    for (const id of ids) {
      const row = this.held.get(id);
      if (!row) continue;
      const verdict = this.verdict(row, bindId, epoch, current, row.state === 'IN_FLIGHT');
      if (verdict === 'stale') refused.push(id);
      if (verdict !== 'apply') continue;
      this.extendLease.run(now + leaseMs, row.seq);
      applied.push(id);
    }
    return { applied, refusedStaleEpoch: refused };
  }

  resolveInDoubt(routeId: RouteId, policy: 'resend' | 'hold', now: number): MessageId[] {
    if (policy === 'hold') return [];
    const rows = this.inDoubtRows.all(routeId);
    for (const row of rows) {
      this.resend.run(row.seq);
      this.setStatus.run('accepted', row.seq);
      this.addEvent.run(row.seq, now, 'accepted', 'resent after an expired lease (route policy resend)');
    }
    return rows.map((row) => row.id as MessageId);
  }

  /** `holdable` says whether the row's state is one this change may act on. */
  private verdict(row: HeldRow, bindId: BindId, epoch: number, current: number, holdable: boolean): Verdict {
    if (epoch !== current) return 'stale';
    if (!holdable || row.bind_id !== bindId) return 'none';
    return row.epoch === epoch ? 'apply' : 'stale';
  }
}
