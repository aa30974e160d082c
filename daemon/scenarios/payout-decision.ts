/**
 * What one provider answer does to a payout (docs/payouts.md, "States"). Pure. A `requested` payout
 * is being sent; a `sent` one is being reconciled (its status asked). Sending gives up after
 * maxSendAttempts without a settling answer by moving to `sent`: the provider may have it, and only
 * reconciliation can tell, so the payout is never failed while it might have been paid.
 */
import type { PayoutAttemptOutcome, PayoutState } from '../storage/payout-port.js';
import type { ProviderAnswer } from './payout-provider.js';

export interface PayoutPolicy {
  readonly maxSendAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How long after a pending answer the status is asked. */
  readonly recheckAfterMs: number;
}

export function backoffMs(attempts: number, policy: PayoutPolicy): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempts, 30));
}

export function decidePayoutAttempt(payout: { readonly state: PayoutState; readonly attempts: number }, answer: ProviderAnswer, policy: PayoutPolicy): PayoutAttemptOutcome {
  switch (answer.kind) {
    case 'confirmed':
      return { kind: 'confirmed', providerRef: answer.providerRef };
    case 'pending':
      return { kind: 'sent', providerRef: answer.providerRef, recheckAfterMs: policy.recheckAfterMs };
    case 'rejected':
      return { kind: 'failed', error: answer.error };
    case 'unknown':
      return payout.state === 'sent'
        ? { kind: 'failed', error: 'the provider has no record of this payout' }
        : { kind: 'retry', delayMs: backoffMs(payout.attempts, policy), error: 'unknown answer to a send' };
    case 'unavailable':
      if (payout.state === 'requested' && payout.attempts + 1 >= policy.maxSendAttempts) {
        return { kind: 'sent', providerRef: null, recheckAfterMs: policy.recheckAfterMs };
      }
      return { kind: 'retry', delayMs: backoffMs(payout.attempts, policy), error: answer.error };
  }
}
