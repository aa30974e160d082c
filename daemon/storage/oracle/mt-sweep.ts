import type { MessageStatus } from '../../domain/status.js';
import type { QueueSettings, SweepResult } from '../port.js';
import type { OracleSession } from './aq-session.js';
import { raiseDlr } from './dlr-events.js';
import { purgeProblems } from './inbound-problems.js';
import { purgeMo } from './mo.js';
import { purgeDelivered } from './outbox.js';
import { expireHeld } from './receipts.js';
import { oracleQueries } from './sql-files.js';
import { purgeSessions } from './web-sessions.js';

/**
 * The ledger's maintenance sweep, safe on every node at once: each step locks up to 1000 rows
 * with SKIP LOCKED, so two nodes sweep disjoint rows. AQ itself promotes delayed messages (WAITING
 * → READY) and moves messages whose AQ expiration passed to the exception queue; the sweep keeps
 * the ledger in step: ready_at passed → ready (scheduled → accepted), QUEUED past expires_at → EXPIRED, IN_FLIGHT past its
 * lease (by SYSTIMESTAMP) → IN_DOUBT, and purges what retention no longer keeps. Expiry and lapse
 * raise the DLR events their clients asked for (dlr-events.ts decides); held receipts past their
 * hold time become inbound problems; delivered callback events, MO and problems past retention go,
 * and so do expired web sessions.
 */
const sql = oracleQueries('mt');

type Row = Record<string, unknown> & { ID: string };

/**
 * Locks the rows `select` finds, changes each with `change`, and records in the history what
 * `event` says of each changed row (null: nothing); returns the ids changed.
 */
async function step(
  session: OracleSession,
  select: string,
  change: string,
  event: (row: Row) => { readonly status: MessageStatus; readonly detail: string } | null,
): Promise<string[]> {
  const rows = (await session.execute<Row>(sql(select), {})).rows;
  const counts = await session.executeMany(sql(change), rows.map((row) => ({ id: row.ID })));
  const changed = rows.filter((_, index) => (counts[index] ?? 0) > 0);
  const events = changed.flatMap((row) => {
    const happened = event(row);
    return happened === null ? [] : [{ message_id: row.ID, status: happened.status, detail: happened.detail }];
  });
  await session.executeMany(sql('addEvent'), events);
  return changed.map((row) => row.ID);
}

export async function sweep(session: OracleSession, settings: QueueSettings, now: Date): Promise<SweepResult> {
  const expired = await step(session, 'expiring', 'expire', () => ({ status: 'expired', detail: 'validity period ended' }));
  for (const id of expired) {
    await raiseDlr(session, id, { status: 'expired', stat: null, errorCode: null, doneAt: null, receiptText: 'EXPIRED', smscId: null }, now);
  }
  // A retried message's promotion is no news to its client; a scheduled one's is.
  const promoted = await step(session, 'promotable', 'promote', (row) => (row.STATUS === 'scheduled' ? { status: 'accepted', detail: 'scheduled time reached' } : null));
  const inDoubt = await step(session, 'lapsing', 'lapse', (row) => ({ status: 'in_doubt', detail: `lease of ${String(row.OWNER)} on ${String(row.BIND_ID)} expired` }));
  for (const id of inDoubt) {
    await raiseDlr(session, id, { status: 'in_doubt', stat: null, errorCode: null, doneAt: null, receiptText: 'BUFFERED', smscId: null }, now);
  }
  const receiptsUnmatched = await expireHeld(session);
  const retentionS = Math.ceil(settings.retentionMs / 1000);
  const purged = (await session.execute(sql('purgeFinal'), { retention_s: retentionS })).rowsAffected
    + (await session.execute(sql('purgeKeys'), {})).rowsAffected
    + await purgeDelivered(session, retentionS) + await purgeMo(session, retentionS) + await purgeProblems(session, retentionS)
    + await purgeSessions(session);
  return { promoted: promoted.length, expired: expired.length, inDoubt: inDoubt.length, purged, receiptsUnmatched };
}
