import type Database from 'better-sqlite3';
import type { QueueSettings, SweepResult } from '../port.js';
import type { DlrEventsSql } from './dlr-events.js';
import { loadQueries } from './sql-files.js';

/**
 * The MT queue's maintenance sweep, as a few set-based statements over the partial indexes: expire,
 * promote, turn lapsed leases IN_DOUBT, purge what retention no longer keeps. Runs inside a
 * group-commit job; running it on several nodes at once is harmless (each step re-selects by state).
 * Each step writes the ledger and history before the queue rows whose state selected them; expiry
 * raises the DLR events of the messages whose clients are told, a lapse those a Kannel dlr-mask asks for.
 */
type Step = readonly [events: Database.Statement, ledger: Database.Statement, queue: Database.Statement];

export class MtSweepSql {
  private readonly expire: Step;
  private readonly promote: Step;
  private readonly lapse: Step;
  private readonly purgeFinal: Database.Statement;
  private readonly purgeExceptions: Database.Statement;
  private readonly purgeKeys: Database.Statement;
  private readonly expiringNotified: Database.Statement<[{ now: number }], { seq: number }>;
  private readonly lapsingKannel: Database.Statement<[{ now: number }], { seq: number }>;

  constructor(db: Database.Database, private readonly settings: QueueSettings, private readonly dlr: DlrEventsSql) {
    const sql = loadQueries('mt_sweep');
    const step = (name: string): Step => [db.prepare(sql(`${name}Events`)), db.prepare(sql(`${name}Ledger`)), db.prepare(sql(name))];
    this.expire = step('expire');
    this.promote = step('promote');
    this.lapse = step('lapse');
    this.purgeFinal = db.prepare(sql('purgeFinal'));
    this.purgeExceptions = db.prepare(sql('purgeExceptions'));
    this.purgeKeys = db.prepare(sql('purgeKeys'));
    this.expiringNotified = db.prepare(sql('expiringNotified'));
    this.lapsingKannel = db.prepare(sql('lapsingKannel'));
  }

  sweep(now: number): Omit<SweepResult, 'receiptsUnmatched'> {
    const at = { now };
    const run = ([events, ledger, queue]: Step): number => {
      events.run(at);
      ledger.run(at);
      return queue.run(at).changes;
    };
    const notified = this.expiringNotified.all(at);
    const expired = run(this.expire);
    for (const { seq } of notified) {
      this.dlr.raise(seq, { status: 'expired', stat: null, errorCode: null, doneAt: null, receiptText: 'EXPIRED', smscId: null }, now);
    }
    const promoted = run(this.promote);
    const lapsing = this.lapsingKannel.all(at);
    const inDoubt = run(this.lapse);
    for (const { seq } of lapsing) {
      this.dlr.raise(seq, { status: 'in_doubt', stat: null, errorCode: null, doneAt: null, receiptText: 'BUFFERED', smscId: null }, now);
    }
    const cutoff = { cutoff: now - this.settings.retentionMs };
    const purged = this.purgeFinal.run(cutoff).changes + this.purgeExceptions.run(cutoff).changes + this.purgeKeys.run(at).changes;
    return { promoted, expired, inDoubt, purged };
  }
}
