import type { QueueSettings, SweepResult } from '../port.js';
import type { Database } from './database.js';
import { dayMs, dropExpiredDays, ensureDayPartitions } from './day-partitions.js';
import type { DlrEventsSql } from './dlr-events.js';
import { loadQueries } from './sql-files.js';

/**
 * The MT queue's maintenance sweep: expire, promote, turn lapsed leases IN_DOUBT, each one short
 * statement in its own transaction with the DLR events it raises; then retention (day partitions,
 * made ahead and dropped whole; rows only below a day of retention) and idempotency keys.
 * Safe to run on every node at once: each step takes its rows FOR UPDATE SKIP LOCKED.
 */
export class MtSweepSql {
  private readonly sql = loadQueries('mt_sweep');

  constructor(private readonly db: Database, private readonly settings: QueueSettings, private readonly dlr: DlrEventsSql) {}

  async sweep(): Promise<Omit<SweepResult, 'receiptsUnmatched'>> {
    const expired = await this.db.transaction(async (sql, now) => {
      const rows = await sql.rows<{ seq: number; notify: boolean }>(this.sql('expire'), [now]);
      for (const row of rows.filter((r) => r.notify)) {
        await this.dlr.raise(sql, row.seq, { status: 'expired', stat: null, errorCode: null, doneAt: null, receiptText: 'EXPIRED', smscId: null }, now);
      }
      return rows.length;
    });
    const promoted = await this.db.transaction(async (sql, now) => (await sql.rows<{ promoted: number }>(this.sql('promote'), [now]))[0]?.promoted ?? 0);
    const inDoubt = await this.db.transaction(async (sql, now) => {
      const rows = await sql.rows<{ seq: number; kannel_buffered: boolean }>(this.sql('lapse'), [now]);
      for (const row of rows.filter((r) => r.kannel_buffered)) {
        await this.dlr.raise(sql, row.seq, { status: 'in_doubt', stat: null, errorCode: null, doneAt: null, receiptText: 'BUFFERED', smscId: null }, now);
      }
      return rows.length;
    });
    const purged = await this.purge();
    await this.freshenQueueStats();
    return { promoted, expired, inDoubt, purged };
  }

  /** Keeps the hot table's statistics fresh between autovacuum's rounds (a minute apart by default). */
  private async freshenQueueStats(): Promise<void> {
    const [row] = await this.db.rows<{ stale: boolean }>(this.sql('queueStatsStale'));
    if (row?.stale !== true) return;
    await this.db.transaction(async (sql) => {
      const [lock] = await sql.rows<{ mine: boolean }>(this.sql('claimAnalyze'));
      if (lock?.mine === true) await sql.rows('ANALYZE mt_queue');
    });
  }

  private async purge(): Promise<number> {
    const retentionMs = this.settings.retentionMs;
    await ensureDayPartitions(this.db);
    let purged = await dropExpiredDays(this.db, retentionMs);
    if (retentionMs < dayMs) {
      purged += await this.db.transaction(async (sql, now) => (await sql.rows<{ purged: number }>(this.sql('purgeFinalRows'), [now - retentionMs]))[0]?.purged ?? 0);
    }
    purged += await this.db.transaction(async (sql, now) => sql.count(this.sql('purgeKeys'), [now]));
    return purged;
  }
}
