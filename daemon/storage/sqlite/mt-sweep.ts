import type Database from 'better-sqlite3';
import type { QueueSettings, SweepResult } from '../port.js';

/**
 * The MT queue's maintenance sweep, as a few set-based statements over the partial indexes: expire,
 * promote, turn lapsed leases IN_DOUBT, purge what retention no longer keeps. Runs inside a
 * group-commit job; running it on several nodes at once is harmless (each step re-selects by state).
 */
export class MtSweepSql {
  private readonly expireLedger: readonly Database.Statement[];
  private readonly expire: Database.Statement;
  private readonly promoteLedger: readonly Database.Statement[];
  private readonly promote: Database.Statement;
  private readonly leaseLedger: readonly Database.Statement[];
  private readonly lapse: Database.Statement;
  private readonly purgeFinal: Database.Statement;
  private readonly purgeExceptions: Database.Statement;
  private readonly purgeKeys: Database.Statement;

  constructor(db: Database.Database, private readonly settings: QueueSettings) {
    // Ledger and history first, then the queue rows whose state selected them.
    const expiring = `SELECT seq FROM mt_queue WHERE state IN ('READY', 'WAITING') AND expires_at <= @now`;
    const due = `SELECT seq FROM mt_queue WHERE state = 'WAITING' AND not_before <= @now`;
    const lapsed = `SELECT seq FROM mt_queue WHERE state = 'IN_FLIGHT' AND lease_until <= @now`;
    this.expireLedger = [
      db.prepare(`INSERT INTO message_events (message_seq, at, status, detail) SELECT seq, @now, 'expired', 'validity period ended' FROM (${expiring})`),
      db.prepare(`UPDATE messages SET status = 'expired', done_at = @now WHERE seq IN (${expiring})`),
    ];
    this.expire = db.prepare(`UPDATE mt_queue SET state = 'EXPIRED', done_at = @now WHERE seq IN (${expiring})`);
    this.promote = db.prepare(`UPDATE mt_queue SET state = 'READY' WHERE seq IN (${due})`);
    this.lapse = db.prepare(`UPDATE mt_queue SET state = 'IN_DOUBT' WHERE seq IN (${lapsed})`);
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

  sweep(now: number): SweepResult {
    const at = { now };
    for (const step of this.expireLedger) step.run(at);
    const expired = this.expire.run(at).changes;
    for (const step of this.promoteLedger) step.run(at);
    const promoted = this.promote.run(at).changes;
    for (const step of this.leaseLedger) step.run(at);
    const inDoubt = this.lapse.run(at).changes;
    const cutoff = { cutoff: now - this.settings.retentionMs };
    const purged = this.purgeFinal.run(cutoff).changes + this.purgeExceptions.run(cutoff).changes + this.purgeKeys.run(at).changes;
    return { promoted, expired, inDoubt, purged };
  }
}
