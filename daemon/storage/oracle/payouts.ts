import type { ClientId } from '../../domain/ids.js';
import type { Payout, PayoutAttemptOutcome, PayoutBudget, PayoutRequest, PayoutRequestOutcome, PayoutState } from '../payout-port.js';
import type { OracleSession } from './aq-session.js';
import { isUniqueViolation, mergeRacing } from './oracle-errors.js';
import { oracleQueries } from './sql-files.js';

/**
 * The payout ledger and budgets (docs/payouts.md), with the SQLite store's rules
 * (daemon/storage/sqlite/payouts.ts). What SQLite's single writer gives for free is explicit here:
 * the client's budget row is locked (FOR UPDATE) before the budget check, so two requests on two
 * nodes are checked one after the other; workers take due payouts with SKIP LOCKED; leases and due
 * times are by SYSTIMESTAMP.
 */

interface PayoutRow {
  ID: string; CLIENT_ID: string; SUBSCRIBER: string; AMOUNT_MINOR: number; CURRENCY: string; REASON: string | null;
  SCENARIO_ID: string | null; MO_ID: string | null; STATE: string; ATTEMPTS: number; PROVIDER_REF: string | null;
  LAST_ERROR: string | null; CREATED_AT: Date; UPDATED_AT: Date;
}
interface ClaimRow extends PayoutRow { SEQ: number }
interface LockedRow { STATE: string; CLIENT_ID: string; CURRENCY: string; AMOUNT_MINOR: number }
interface BudgetRow { CURRENCY: string; BUDGET_MINOR: number }

const sql = oracleQueries('payouts');
/** last_error is VARCHAR2(4000) bytes: 1000 characters fit in any encoding of the BMP. */
const errorText = (error: string): string => error.slice(0, 1000);

function payoutOf(row: PayoutRow): Payout {
  return {
    id: row.ID,
    clientId: row.CLIENT_ID as ClientId,
    subscriber: row.SUBSCRIBER,
    amountMinor: row.AMOUNT_MINOR,
    currency: row.CURRENCY,
    reason: row.REASON ?? '',
    scenarioId: row.SCENARIO_ID,
    moId: row.MO_ID,
    state: row.STATE as PayoutState,
    attempts: row.ATTEMPTS,
    providerRef: row.PROVIDER_REF,
    lastError: row.LAST_ERROR,
    createdAt: row.CREATED_AT,
    updatedAt: row.UPDATED_AT,
  };
}

/** Locks the client's budget row, then checks it covers `amountMinor` on top of what is committed. */
async function covered(session: OracleSession, clientId: string, currency: string, amountMinor: number): Promise<boolean> {
  const budget = (await session.execute<BudgetRow>(sql('lockBudget'), { client_id: clientId })).rows[0];
  if (budget === undefined || budget.CURRENCY !== currency) return false;
  const committed = (await session.execute<{ TOTAL: number }>(sql('committed'), { client_id: clientId, currency })).rows[0]?.TOTAL ?? 0;
  return committed + amountMinor <= budget.BUDGET_MINOR;
}

async function stateOf(session: OracleSession, id: string): Promise<PayoutState | undefined> {
  return (await session.execute<PayoutRow>(sql('find'), { id })).rows[0]?.STATE as PayoutState | undefined;
}

export async function requestPayout(session: OracleSession, request: PayoutRequest): Promise<PayoutRequestOutcome> {
  const seen = await stateOf(session, request.id);
  if (seen !== undefined) return { kind: 'duplicate', state: seen };
  if (!Number.isInteger(request.amountMinor) || request.amountMinor <= 0) throw new RangeError('a payout amount is a positive whole number of minor units');
  const ok = await covered(session, request.clientId, request.currency, request.amountMinor);
  try {
    await session.execute(sql('insert'), {
      id: request.id, client_id: request.clientId, subscriber: request.subscriber, amount_minor: request.amountMinor, currency: request.currency,
      reason: request.reason, scenario_id: request.scenarioId, mo_id: request.moId, state: ok ? 'requested' : 'failed',
      last_error: ok ? null : 'over budget',
    });
  } catch (error) {
    // The same id requested on another node, committed between our look-up and our insert.
    const raced = isUniqueViolation(error) ? await stateOf(session, request.id) : undefined;
    if (raced === undefined) throw error;
    return { kind: 'duplicate', state: raced };
  }
  return ok ? { kind: 'requested' } : { kind: 'over-budget' };
}

export async function setBudget(session: OracleSession, clientId: ClientId, currency: string, budgetMinor: number): Promise<void> {
  await mergeRacing(() => session.execute(sql('setBudget'), { client_id: clientId, currency, budget_minor: budgetMinor }));
}

export async function budgetView(session: OracleSession, clientId: ClientId): Promise<PayoutBudget | null> {
  const budget = (await session.execute<BudgetRow>(sql('budgetOf'), { client_id: clientId })).rows[0];
  if (budget === undefined) return null;
  const committed = (await session.execute<{ TOTAL: number }>(sql('committed'), { client_id: clientId, currency: budget.CURRENCY })).rows[0]?.TOTAL ?? 0;
  return { clientId, currency: budget.CURRENCY, budgetMinor: budget.BUDGET_MINOR, committedMinor: committed };
}

export async function claim(session: OracleSession, owner: string, limit: number, leaseMs: number): Promise<Payout[]> {
  if (limit <= 0) return [];
  const rows = (await session.execute<ClaimRow>(sql('due'), { max_rows: limit })).rows;
  await session.executeMany(sql('lease'), rows.map((row) => ({ owner, lease_ms: Math.max(0, leaseMs), seq: row.SEQ })));
  return rows.map(payoutOf);
}

export async function completeAttempt(session: OracleSession, id: string, owner: string, outcome: PayoutAttemptOutcome): Promise<boolean> {
  const current = (await session.execute<LockedRow>(sql('lockPayout'), { id })).rows[0];
  if (current === undefined) return false;
  const run = async (state: string, attemptIncrement: number, delayMs: number, providerRef: string | null, lastError: string | null): Promise<boolean> => {
    const binds = {
      state, attempt_increment: attemptIncrement, delay_ms: Math.max(0, delayMs), provider_ref: providerRef,
      last_error: lastError === null ? null : errorText(lastError), id, owner,
    };
    return (await session.execute(sql('complete'), binds)).rowsAffected === 1;
  };
  switch (outcome.kind) {
    case 'sent':
      return run('sent', 1, outcome.recheckAfterMs, outcome.providerRef, null);
    case 'confirmed':
      return run('confirmed', current.STATE === 'requested' ? 1 : 0, 0, outcome.providerRef, null);
    case 'failed':
      return run('failed', 1, 0, null, outcome.error);
    case 'retry':
      return run(current.STATE, 1, outcome.delayMs, null, outcome.error);
  }
}

export async function listAll(
  session: OracleSession,
  filter: { readonly clientId?: ClientId; readonly state?: PayoutState; readonly limit: number },
): Promise<Payout[]> {
  const binds = { client_id: filter.clientId ?? null, state: filter.state ?? null, max_rows: Math.max(0, filter.limit) };
  return (await session.execute<PayoutRow>(sql('list'), binds)).rows.map(payoutOf);
}

export async function retry(session: OracleSession, id: string): Promise<'requested' | 'not-failed' | 'over-budget' | 'not-found'> {
  const row = (await session.execute<LockedRow>(sql('lockPayout'), { id })).rows[0];
  if (row === undefined) return 'not-found';
  if (row.STATE !== 'failed') return 'not-failed';
  if (!(await covered(session, row.CLIENT_ID, row.CURRENCY, row.AMOUNT_MINOR))) return 'over-budget';
  await session.execute(sql('requeue'), { id });
  return 'requested';
}
