import type { ClientId } from '../../domain/ids.js';
import type { Payout, PayoutAttemptOutcome, PayoutBudget, PayoutRequest, PayoutRequestOutcome, PayoutState } from '../payout-port.js';
import type { Sql } from './database.js';
import { loadQueries } from './sql-files.js';

/**
 * The payout ledger and budgets (docs/payouts.md); the same rules as the SQLite adapter's
 * payouts.ts. A request or retry locks the client's budget row first, so that concurrent requests
 * on several nodes check the budget one at a time; claims skip rows another worker is leasing.
 */

interface PayoutRow {
  id: string; client_id: string; subscriber: string; amount_minor: number; currency: string; reason: string; scenario_id: string | null;
  mo_id: string | null; state: string; attempts: number; next_attempt_at: number; seq: number; provider_ref: string | null;
  last_error: string | null; created_at: number; updated_at: number;
}

interface BudgetRow { currency: string; budget_minor: number }

function payoutOf(row: PayoutRow): Payout {
  return {
    id: row.id,
    clientId: row.client_id as ClientId,
    subscriber: row.subscriber,
    amountMinor: row.amount_minor,
    currency: row.currency,
    reason: row.reason,
    scenarioId: row.scenario_id,
    moId: row.mo_id,
    state: row.state as PayoutState,
    attempts: row.attempts,
    providerRef: row.provider_ref,
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class PayoutsSql {
  private readonly sql = loadQueries('payouts');

  private async find(db: Sql, id: string): Promise<PayoutRow | undefined> {
    return (await db.rows<PayoutRow>(this.sql('find'), [id]))[0];
  }

  private async committed(db: Sql, clientId: string, currency: string): Promise<number> {
    return (await db.rows<{ total: number }>(this.sql('committed'), [clientId, currency]))[0]?.total ?? 0;
  }

  /** Inside a transaction: locks the client's budget row, then checks that it covers the amount too. */
  private async covered(db: Sql, clientId: string, currency: string, amountMinor: number): Promise<boolean> {
    const [budget] = await db.rows<BudgetRow>(this.sql('lockBudget'), [clientId]);
    if (budget === undefined || budget.currency !== currency) return false;
    return (await this.committed(db, clientId, currency)) + amountMinor <= budget.budget_minor;
  }

  async request(db: Sql, request: PayoutRequest, now: number): Promise<PayoutRequestOutcome> {
    const seen = await this.find(db, request.id);
    if (seen) return { kind: 'duplicate', state: seen.state as PayoutState };
    if (!Number.isInteger(request.amountMinor) || request.amountMinor <= 0) throw new RangeError('a payout amount is a positive whole number of minor units');
    const covered = await this.covered(db, request.clientId, request.currency, request.amountMinor);
    const inserted = await db.count(this.sql('insert'), [
      request.id, request.clientId, request.subscriber, request.amountMinor, request.currency, request.reason, request.scenarioId, request.moId,
      covered ? 'requested' : 'failed', covered ? null : 'over budget', now,
    ]);
    if (inserted === 0) {
      // The same id committed by a concurrent request since our first look.
      const other = await this.find(db, request.id);
      if (!other) throw new Error(`payout ${request.id}: insert skipped but no row found`);
      return { kind: 'duplicate', state: other.state as PayoutState };
    }
    return covered ? { kind: 'requested' } : { kind: 'over-budget' };
  }

  async setBudget(db: Sql, clientId: ClientId, currency: string, budgetMinor: number): Promise<void> {
    await db.count(this.sql('setBudget'), [clientId, currency, budgetMinor]);
  }

  async budgetView(db: Sql, clientId: ClientId): Promise<PayoutBudget | null> {
    const [budget] = await db.rows<BudgetRow>(this.sql('budgetOf'), [clientId]);
    if (budget === undefined) return null;
    return { clientId, currency: budget.currency, budgetMinor: budget.budget_minor, committedMinor: await this.committed(db, clientId, budget.currency) };
  }

  async claim(db: Sql, owner: string, limit: number, leaseMs: number, now: number): Promise<Payout[]> {
    if (limit <= 0) return [];
    const rows = await db.rows<PayoutRow>(this.sql('claim'), [owner, now + leaseMs, now, limit]);
    // RETURNING keeps no order: oldest first, as the claim chose them.
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.seq - b.seq).map(payoutOf);
  }

  async completeAttempt(db: Sql, id: string, owner: string, outcome: PayoutAttemptOutcome, now: number): Promise<boolean> {
    const current = await this.find(db, id);
    if (!current) return false;
    const run = async (state: string, attempts: number, nextAt: number, ref: string | null, error: string | null): Promise<boolean> =>
      (await db.count(this.sql('complete'), [state, attempts, nextAt, ref, error, now, id, owner])) === 1;
    switch (outcome.kind) {
      case 'sent':
        return run('sent', 1, now + outcome.recheckAfterMs, outcome.providerRef, null);
      case 'confirmed':
        return run('confirmed', current.state === 'requested' ? 1 : 0, now, outcome.providerRef, null);
      case 'failed':
        return run('failed', 1, now, null, outcome.error);
      case 'retry':
        return run(current.state, 1, now + outcome.delayMs, null, outcome.error);
    }
  }

  async list(db: Sql, filter: { readonly clientId?: ClientId; readonly state?: PayoutState; readonly limit: number }): Promise<Payout[]> {
    const rows = await db.rows<PayoutRow>(this.sql('list'), [filter.clientId ?? null, filter.state ?? null, filter.limit]);
    return rows.map(payoutOf);
  }

  async retry(db: Sql, id: string, now: number): Promise<'requested' | 'not-failed' | 'over-budget' | 'not-found'> {
    const row = await this.find(db, id);
    if (!row) return 'not-found';
    if (row.state !== 'failed') return 'not-failed';
    if (!(await this.covered(db, row.client_id, row.currency, row.amount_minor))) return 'over-budget';
    // A concurrent retry of the same payout requeued it first: it is not failed any more.
    return (await db.count(this.sql('requeue'), [now, id])) === 1 ? 'requested' : 'not-failed';
  }
}
