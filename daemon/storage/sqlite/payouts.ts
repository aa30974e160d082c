import type Database from 'better-sqlite3';
import type { ClientId } from '../../domain/ids.js';
import type { Payout, PayoutAttemptOutcome, PayoutBudget, PayoutRequest, PayoutRequestOutcome, PayoutState } from '../payout-port.js';
import { loadQueries } from './sql-files.js';

/** The payout ledger and budgets (docs/payouts.md). Writes run inside group-commit jobs. */

interface PayoutRow {
  id: string; client_id: string; subscriber: string; amount_minor: number; currency: string; reason: string; scenario_id: string | null;
  mo_id: string | null; state: string; attempts: number; provider_ref: string | null; last_error: string | null; created_at: number; updated_at: number;
}

type InsertArgs = [string, string, string, number, string, string, string | null, string | null, string, string | null, number, number, number];

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
  private readonly find: Database.Statement<[string], PayoutRow>;
  private readonly budgetOf: Database.Statement<[string], { currency: string; budget_minor: number }>;
  private readonly committed: Database.Statement<[string, string], { total: number }>;
  private readonly insert: Database.Statement<InsertArgs>;
  private readonly setBudget: Database.Statement<[string, string, number]>;
  private readonly due: Database.Statement<[number, number, number], { id: string }>;
  private readonly lease: Database.Statement<[string, number, string]>;
  private readonly complete: Database.Statement<[string, number, number, string | null, string | null, number, string, string]>;
  private readonly list: Database.Statement<[string | null, string | null, string | null, string | null, number], PayoutRow>;
  private readonly requeue: Database.Statement<[number, number, string]>;

  constructor(db: Database.Database) {
    const sql = loadQueries('payouts');
    this.find = db.prepare(sql('find'));
    this.budgetOf = db.prepare(sql('budgetOf'));
    this.committed = db.prepare(sql('committed'));
    this.insert = db.prepare(sql('insert'));
    this.setBudget = db.prepare(sql('setBudget'));
    this.due = db.prepare(sql('due'));
    this.lease = db.prepare(sql('lease'));
    this.complete = db.prepare(sql('complete'));
    this.list = db.prepare(sql('list'));
    this.requeue = db.prepare(sql('requeue'));
  }

  private covered(clientId: string, currency: string, amountMinor: number): boolean {
    const budget = this.budgetOf.get(clientId);
    if (budget === undefined || budget.currency !== currency) return false;
    return (this.committed.get(clientId, currency)?.total ?? 0) + amountMinor <= budget.budget_minor;
  }

  request(request: PayoutRequest, now: number): PayoutRequestOutcome {
    const seen = this.find.get(request.id);
    if (seen) return { kind: 'duplicate', state: seen.state as PayoutState };
    if (!Number.isInteger(request.amountMinor) || request.amountMinor <= 0) throw new RangeError('a payout amount is a positive whole number of minor units');
    const covered = this.covered(request.clientId, request.currency, request.amountMinor);
    this.insert.run(
      request.id, request.clientId, request.subscriber, request.amountMinor, request.currency, request.reason, request.scenarioId, request.moId,
      covered ? 'requested' : 'failed', covered ? null : 'over budget', now, now, now,
    );
    return covered ? { kind: 'requested' } : { kind: 'over-budget' };
  }

  budget(clientId: ClientId, currency: string, budgetMinor: number): void {
    this.setBudget.run(clientId, currency, budgetMinor);
  }

  budgetView(clientId: ClientId): PayoutBudget | null {
    const budget = this.budgetOf.get(clientId);
    if (budget === undefined) return null;
    return { clientId, currency: budget.currency, budgetMinor: budget.budget_minor, committedMinor: this.committed.get(clientId, budget.currency)?.total ?? 0 };
  }

  claim(owner: string, limit: number, leaseMs: number, now: number): Payout[] {
    const claimed: Payout[] = [];
    for (const { id } of this.due.all(now, now, limit)) {
      this.lease.run(owner, now + leaseMs, id);
      const row = this.find.get(id);
      if (row) claimed.push(payoutOf(row));
    }
    return claimed;
  }

  completeAttempt(id: string, owner: string, outcome: PayoutAttemptOutcome, now: number): boolean {
    const current = this.find.get(id);
    if (!current) return false;
    const run = (state: string, attempts: number, nextAt: number, ref: string | null, error: string | null): boolean =>
      this.complete.run(state, attempts, nextAt, ref, error, now, id, owner).changes === 1;
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

  listAll(filter: { readonly clientId?: ClientId; readonly state?: PayoutState; readonly limit: number }): Payout[] {
    const client = filter.clientId ?? null;
    const state = filter.state ?? null;
    return this.list.all(client, client, state, state, filter.limit).map(payoutOf);
  }

  retry(id: string, now: number): 'requested' | 'not-failed' | 'over-budget' | 'not-found' {
    const row = this.find.get(id);
    if (!row) return 'not-found';
    if (row.state !== 'failed') return 'not-failed';
    if (!this.covered(row.client_id, row.currency, row.amount_minor)) return 'over-budget';
    this.requeue.run(now, now, id);
    return 'requested';
  }
}
