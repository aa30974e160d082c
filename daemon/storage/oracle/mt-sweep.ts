import type { QueueSettings, SweepResult } from '../port.js';
import type { OracleSession } from './aq-session.js';
import { oracleQueries } from './sql-files.js';

/**
 * The ledger's maintenance sweep, safe on every node at once: each step locks up to 1000 rows
 * with SKIP LOCKED, so two nodes sweep disjoint rows. AQ itself promotes delayed messages (WAITING
 * → READY) and moves messages whose AQ expiration passed to the exception queue; the sweep keeps
 * the ledger in step: scheduled → accepted, QUEUED past expires_at → EXPIRED, IN_FLIGHT past its
 * lease (by SYSTIMESTAMP) → IN_DOUBT, and purges what retention no longer keeps.
 */
const sql = oracleQueries('mt');

async function step(session: OracleSession, select: string, change: string, status: string, detail: (row: Record<string, unknown>) => string): Promise<number> {
  const rows = (await session.execute<Record<string, unknown> & { ID: string }>(sql(select), {})).rows;
  const counts = await session.executeMany(sql(change), rows.map((row) => ({ id: row.ID })));
  const changed = rows.filter((_, index) => (counts[index] ?? 0) > 0);
  await session.executeMany(sql('addEvent'), changed.map((row) => ({ message_id: row.ID, status, detail: detail(row) })));
  return changed.length;
}

export async function sweep(session: OracleSession, settings: QueueSettings): Promise<SweepResult> {
  const expired = await step(session, 'expiring', 'expire', 'expired', () => 'validity period ended');
  const promoted = await step(session, 'promotable', 'promote', 'accepted', () => 'scheduled time reached');
  const inDoubt = await step(session, 'lapsing', 'lapse', 'in_doubt', (row) => `lease of ${String(row.OWNER)} on ${String(row.BIND_ID)} expired`);
  const retentionS = Math.ceil(settings.retentionMs / 1000);
  const purged = (await session.execute(sql('purgeFinal'), { retention_s: retentionS })).rowsAffected
    + (await session.execute(sql('purgeKeys'), {})).rowsAffected;
  return { promoted, expired, inDoubt, purged, receiptsUnmatched: 0 };
}
