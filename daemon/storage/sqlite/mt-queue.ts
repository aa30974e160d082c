import type Database from 'better-sqlite3';
import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { TextEncoding, ClaimRequest, ClaimedMt, Nack, QueueChangeResult, QueueSettings, SubmitResult, SweepResult } from '../port.js';

/**
 * The MT queue's state changes after acceptance: claim under a lease, ack, nack, lease renewal,
 * IN_DOUBT resolution and the maintenance sweep. Every method runs inside a group-commit job.
 * Fencing: a change is applied only when the caller's epoch is the bind's current one and the row is
 * held by that bind at that epoch; SMSC ids (facts) are recorded regardless.
 */

interface ClaimRow {
  seq: number; attempts: number; id: string; client_id: string; route_id: string; sender: string; recipient: string;
  text: string; encoding: string; segments: number; priority: number; expires_at: number; dlr_requested: number; accepted_at: number;
}

interface HeldRow { seq: number; route_id: string; client_id: string; state: string | null; bind_id: string | null; epoch: number | null; attempts: number | null }

type Verdict = 'apply' | 'stale' | 'none';

export class MtQueueSql {
  private readonly epochOf: Database.Statement<[string], { epoch: number }>;
  private readonly raiseEpoch: Database.Statement<[string], { epoch: number }>;
  private readonly readyRows: Database.Statement<[string, number, number], ClaimRow>;
  private readonly lease: Database.Statement<[string, string, number, number, number]>;
  private readonly held: Database.Statement<[string], HeldRow>;
  private readonly recordSmscId: Database.Statement<[number, number, string, string]>;
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
  private readonly sweepSteps: readonly Database.Statement[];
  private readonly sweepExpire: Database.Statement;
  private readonly promoteLedger: readonly Database.Statement[];
  private readonly leaseLedger: readonly Database.Statement[];
  private readonly sweepPromote: Database.Statement;
  private readonly sweepLeases: Database.Statement;
  private readonly purgeFinal: Database.Statement;
  private readonly purgeExceptions: Database.Statement;
  private readonly purgeKeys: Database.Statement;

  constructor(db: Database.Database, private readonly settings: QueueSettings) {
    this.epochOf = db.prepare('SELECT epoch FROM bind_epochs WHERE bind_id = ?');
    this.raiseEpoch = db.prepare(`INSERT INTO bind_epochs (bind_id, epoch) VALUES (?, 1)
      ON CONFLICT (bind_id) DO UPDATE SET epoch = epoch + 1 RETURNING epoch`);
    this.readyRows = db.prepare(`SELECT q.seq, q.attempts, m.id, m.client_id, m.route_id, m.sender, m.recipient, m.text, m.encoding,
        m.segments, m.priority, m.expires_at, m.dlr_requested, m.accepted_at
      FROM mt_queue q INDEXED BY mt_queue_ready JOIN messages m ON m.seq = q.seq
      WHERE q.route_id = ? AND q.state = 'READY' AND q.expires_at > ? ORDER BY q.priority, q.seq LIMIT ?`);
    this.lease = db.prepare(`UPDATE mt_queue SET state = 'IN_FLIGHT', owner = ?, bind_id = ?, epoch = ?, lease_until = ?,
      attempts = attempts + 1 WHERE seq = ?`);
    this.held = db.prepare(`SELECT m.seq, m.route_id, m.client_id, q.state, q.bind_id, q.epoch, q.attempts
      FROM messages m LEFT JOIN mt_queue q ON q.seq = m.seq WHERE m.id = ?`);
    this.recordSmscId = db.prepare('INSERT OR REPLACE INTO smsc_ids (message_seq, segment_index, route_id, smsc_id) VALUES (?, ?, ?, ?)');
    this.markProcessed = db.prepare(`UPDATE mt_queue SET state = 'PROCESSED', done_at = ?, lease_until = NULL WHERE seq = ?`);
    this.markSubmitted = db.prepare(`UPDATE messages SET status = 'submitted', submitted_at = ? WHERE seq = ?`);
    this.markFinal = db.prepare('UPDATE messages SET status = ?, error_code = ?, reason = ?, done_at = ? WHERE seq = ?');
    this.addEvent = db.prepare('INSERT INTO message_events (message_seq, at, status, detail) VALUES (?, ?, ?, ?)');
    this.requeue = db.prepare(`UPDATE mt_queue SET state = ?, not_before = ?, owner = NULL, bind_id = NULL, epoch = NULL,
      lease_until = NULL WHERE seq = ?`);
    this.toException = db.prepare('INSERT INTO mt_exception (seq, route_id, client_id, attempts, reason, moved_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.dropQueueRow = db.prepare('DELETE FROM mt_queue WHERE seq = ?');
    this.extendLease = db.prepare('UPDATE mt_queue SET lease_until = ? WHERE seq = ?');
    this.inDoubtRows = db.prepare(`SELECT q.seq, m.id FROM mt_queue q JOIN messages m ON m.seq = q.seq
      WHERE q.route_id = ? AND q.state = 'IN_DOUBT' ORDER BY q.seq`);
    this.resend = db.prepare(`UPDATE mt_queue SET state = 'READY', owner = NULL, bind_id = NULL, epoch = NULL, lease_until = NULL
      WHERE seq = ?`);
    this.setStatus = db.prepare('UPDATE messages SET status = ? WHERE seq = ?');

    // Sweep: ledger and history first, then the queue rows whose state selected them.
    const expiring = `SELECT seq FROM mt_queue WHERE state IN ('READY', 'WAITING') AND expires_at <= @now`;
    const due = `SELECT seq FROM mt_queue WHERE state = 'WAITING' AND not_before <= @now`;
    const lapsed = `SELECT seq FROM mt_queue WHERE state = 'IN_FLIGHT' AND lease_until <= @now`;
    this.sweepSteps = [
      db.prepare(`INSERT INTO message_events (message_seq, at, status, detail) SELECT seq, @now, 'expired', 'validity period ended' FROM (${expiring})`),
      db.prepare(`UPDATE messages SET status = 'expired', done_at = @now WHERE seq IN (${expiring})`),
    ];
    this.sweepExpire = db.prepare(`UPDATE mt_queue SET state = 'EXPIRED', done_at = @now WHERE seq IN (${expiring})`);
    this.sweepPromote = db.prepare(`UPDATE mt_queue SET state = 'READY' WHERE seq IN (${due})`);
    this.sweepLeases = db.prepare(`UPDATE mt_queue SET state = 'IN_DOUBT' WHERE seq IN (${lapsed})`);
    this.promoteLedger = [
      db.prepare(`INSERT INTO message_events (message_seq, at, status, detail)
        SELECT seq, @now, 'accepted', 'scheduled time reached' FROM messages WHERE seq IN (${due}) AND status = 'scheduled'`),
      db.prepare(`UPDATE messages SET status = 'accepted' WHERE seq IN (${due}) AND status = 'scheduled'`),
    ];
    this.leaseLedger = [
      db.prepare(`INSERT INTO message_events (message_seq, at, status, detail)
        SELECT seq, @now, 'in_doubt', 'lease of ' || owner || ' on ' || bind_id || ' expired' FROM mt_queue WHERE seq IN (${lapsed})`),
      db.prepare(`UPDATE messages SET status = 'in_doubt' WHERE seq IN (${lapsed})`),
    ];
    this.purgeFinal = db.prepare(`DELETE FROM messages WHERE seq IN
      (SELECT seq FROM mt_queue WHERE state IN ('PROCESSED', 'EXPIRED') AND done_at <= @cutoff)`);
    this.purgeExceptions = db.prepare('DELETE FROM messages WHERE seq IN (SELECT seq FROM mt_exception WHERE moved_at <= @cutoff)');
    this.purgeKeys = db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= @now');
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
    const rows = this.readyRows.all(request.routeId, now, request.limit);
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

  ack(bindId: BindId, epoch: number, results: readonly SubmitResult[], now: number): QueueChangeResult {
    const current = this.currentEpoch(bindId);
    const applied: MessageId[] = [];
    const refused: MessageId[] = [];
    for (const result of results) {
      const row = this.held.get(result.id);
      if (!row) continue;
      result.smscIds.forEach((smscId, index) => this.recordSmscId.run(row.seq, index, row.route_id, smscId));
      // A late ack of a message its own lease left IN_DOUBT still proves the submit: settle it rather than resend.
      const verdict = this.verdict(row, bindId, epoch, current, row.state === 'IN_FLIGHT' || row.state === 'IN_DOUBT');
      if (verdict === 'stale') refused.push(result.id);
      if (verdict !== 'apply') continue;
      this.markProcessed.run(now, row.seq);
      this.markSubmitted.run(now, row.seq);
      this.addEvent.run(row.seq, now, 'submitted', result.smscIds.length > 0 ? `smsc id ${result.smscIds.join(' ')}` : null);
      applied.push(result.id);
    }
    return { applied, refusedStaleEpoch: refused };
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
      } else if ((row.attempts ?? 0) > this.settings.maxRetries) {
        const reason = `gave up after ${row.attempts ?? 0} attempts (max_retries ${this.settings.maxRetries})`;
        this.toException.run(row.seq, row.route_id, row.client_id, row.attempts ?? 0, reason, now);
        this.dropQueueRow.run(row.seq);
        this.markFinal.run('failed', null, reason, now, row.seq);
        this.addEvent.run(row.seq, now, 'failed', reason);
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

  sweep(now: number): SweepResult {
    const at = { now };
    for (const step of this.sweepSteps) step.run(at);
    const expired = this.sweepExpire.run(at).changes;
    for (const step of this.promoteLedger) step.run(at);
    const promoted = this.sweepPromote.run(at).changes;
    for (const step of this.leaseLedger) step.run(at);
    const inDoubt = this.sweepLeases.run(at).changes;
    const cutoff = { cutoff: now - this.settings.retentionMs };
    const purged = this.purgeFinal.run(cutoff).changes + this.purgeExceptions.run(cutoff).changes + this.purgeKeys.run(at).changes;
    return { promoted, expired, inDoubt, purged };
  }

  /** `holdable` says whether the row's state is one this change may act on. */
  private verdict(row: HeldRow, bindId: BindId, epoch: number, current: number, holdable: boolean): Verdict {
    if (epoch !== current) return 'stale';
    if (!holdable || row.bind_id !== bindId) return 'none';
    return row.epoch === epoch ? 'apply' : 'stale';
  }
}
