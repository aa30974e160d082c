import type { Database, Sql } from './database.js';

/**
 * Retention without mass DELETEs: the ledger (messages) and its children (message_events, smsc_ids,
 * receipt_keys) are partitioned by the UTC day a message was accepted. The sweep keeps partitions
 * made a few days ahead, and drops a day's four partitions whole once the day ended more than the
 * retention ago, none of its messages is still queued, and its last message became final more than
 * the retention ago. A retention shorter than a day (tests) cannot wait for whole days: then final
 * messages past retention are deleted row by row instead.
 * Partition DDL runs under an advisory lock and a short lock_timeout, so that every node may sweep at
 * once and a sweep never stalls the message path behind a table lock.
 */

export const dayMs = 24 * 60 * 60 * 1000;
const partitioned = ['messages', 'message_events', 'smsc_ids', 'receipt_keys'] as const;
const daysAhead = 3;
const partitionName = /^messages_d(\d+)$/;
const ddlLock = `pg_advisory_xact_lock(hashtextextended('smsproc.partitions.' || current_schema(), 0))`;

export function dayOf(ms: number): number {
  return Math.floor(ms / dayMs);
}

/** The days that have a partition of their own, oldest first. */
async function partitionDays(sql: Sql): Promise<number[]> {
  const rows = await sql.rows<{ relname: string }>(
    `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass`,
  );
  return rows.map((row) => partitionName.exec(row.relname)?.[1]).filter((day): day is string => day !== undefined).map(Number).sort((a, b) => a - b);
}

/** Makes the partitions of today and the next days that do not exist yet. */
export async function ensureDayPartitions(db: Database): Promise<void> {
  await db.transaction(async (sql, now) => {
    await sql.rows(`SELECT ${ddlLock}`);
    await sql.rows(`SET LOCAL lock_timeout = '2s'`);
    const have = new Set(await partitionDays(sql));
    for (let day = dayOf(now); day <= dayOf(now) + daysAhead; day += 1) {
      if (have.has(day)) continue;
      for (const table of partitioned) {
        await sql.rows(`CREATE TABLE ${table}_d${day} PARTITION OF ${table} FOR VALUES FROM (${day}) TO (${day + 1})`);
      }
    }
  });
}

/**
 * Drops the day partitions retention no longer keeps; returns how many messages went with them.
 * A day whose drop waits on a lock is left for the next sweep.
 */
export async function dropExpiredDays(db: Database, retentionMs: number): Promise<number> {
  const { days, now } = await db.transaction(async (sql, at) => ({ days: await partitionDays(sql), now: at }));
  let purged = 0;
  for (const day of days.filter((candidate) => (candidate + 1) * dayMs + retentionMs <= now)) {
    const dropped = await db.transaction(async (sql, at) => {
      await sql.rows(`SELECT ${ddlLock}`);
      const queued = await sql.rows('SELECT 1 FROM mt_queue WHERE day = $1 LIMIT 1', [day]);
      if (queued.length > 0) return null;
      const [last] = await sql.rows<{ done: number | null; n: number }>(`SELECT MAX(queue_done_at) AS done, COUNT(*) AS n FROM messages_d${day}`);
      if (last !== undefined && last.done !== null && last.done > at - retentionMs) return null;
      await sql.rows(`SET LOCAL lock_timeout = '200ms'`);
      for (const table of partitioned) await sql.rows(`DROP TABLE ${table}_d${day}`);
      return last?.n ?? 0;
    }).catch((error: unknown) => {
      // 55P03 lock_not_available: the table is busy; the next sweep tries again.
      if ((error as { code?: unknown }).code === '55P03') return null;
      throw error;
    });
    purged += dropped ?? 0;
  }
  return purged;
}
