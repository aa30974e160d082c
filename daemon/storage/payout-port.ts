/**
 * The payout part of the Store port (docs/payouts.md): a ledger of payouts to subscribers' mobile
 * accounts (requested → sent → confirmed, or failed), amounts in minor units, a budget per client,
 * and leases for the worker that talks to the provider. Store extends this interface.
 */
import type { ClientId } from '../domain/ids.js';

export const PayoutState = { requested: 'requested', sent: 'sent', confirmed: 'confirmed', failed: 'failed' } as const;
export type PayoutState = (typeof PayoutState)[keyof typeof PayoutState];

export interface PayoutRequest {
  /** The idempotency key: the same id is one payout, also at the provider. */
  readonly id: string;
  readonly clientId: ClientId;
  readonly subscriber: string;
  /** Minor units (kopecks, cents); positive. */
  readonly amountMinor: number;
  /** ISO 4217, e.g. RUB. */
  readonly currency: string;
  readonly reason: string;
  readonly scenarioId: string | null;
  readonly moId: string | null;
}

export interface Payout extends PayoutRequest {
  readonly state: PayoutState;
  readonly attempts: number;
  readonly providerRef: string | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type PayoutRequestOutcome =
  | { readonly kind: 'requested' }
  /** This id was requested before: nothing changed. */
  | { readonly kind: 'duplicate'; readonly state: PayoutState }
  /** Recorded as failed: the client's budget (in this currency) does not cover it. */
  | { readonly kind: 'over-budget' };

/** What one attempt with the provider came to. */
export type PayoutAttemptOutcome =
  /** The provider has it and has not settled it: check again after recheckAfterMs. */
  | { readonly kind: 'sent'; readonly providerRef: string | null; readonly recheckAfterMs: number }
  | { readonly kind: 'confirmed'; readonly providerRef: string | null }
  | { readonly kind: 'failed'; readonly error: string }
  /** No answer that settles anything: the same step again after delayMs (attempts + 1). */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: string };

export interface PayoutBudget {
  readonly clientId: ClientId;
  readonly currency: string;
  readonly budgetMinor: number;
  /** Requested, sent and confirmed payouts together. */
  readonly committedMinor: number;
}

export interface PayoutStore {
  /**
   * Records a payout as `requested` when the client's budget in its currency covers it together with
   * every requested, sent and confirmed payout; otherwise as `failed` (over budget). Atomic with the
   * budget check. An id seen before is a `duplicate`.
   */
  requestPayout(request: PayoutRequest): Promise<PayoutRequestOutcome>;
  /** Sets a client's payout budget (replacing the previous one). */
  setPayoutBudget(clientId: ClientId, currency: string, budgetMinor: number): Promise<void>;
  payoutBudget(clientId: ClientId): Promise<PayoutBudget | null>;
  /**
   * Leases up to `limit` payouts due for work (requested to send, sent to reconcile), oldest first,
   * for `leaseMs`; a lease that lapses (its worker died) makes them due again.
   */
  claimPayouts(request: { readonly owner: string; readonly limit: number; readonly leaseMs: number }): Promise<readonly Payout[]>;
  /** Applies one attempt's outcome to a payout leased by `owner`; false when the lease is not owner's. */
  completePayoutAttempt(id: string, owner: string, outcome: PayoutAttemptOutcome): Promise<boolean>;
  listPayouts(filter: { readonly clientId?: ClientId; readonly state?: PayoutState; readonly limit: number }): Promise<readonly Payout[]>;
  /**
   * Makes a failed payout `requested` again (attempts reset) if the budget covers it now; returns
   * what it did.
   */
  retryPayout(id: string): Promise<'requested' | 'not-failed' | 'over-budget' | 'not-found'>;
}
