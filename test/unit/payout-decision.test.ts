import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { backoffMs, decidePayoutAttempt, type PayoutPolicy } from '../../daemon/scenarios/payout-decision.js';
import type { ProviderAnswer } from '../../daemon/scenarios/payout-provider.js';
import type { PayoutAttemptOutcome, PayoutState } from '../../daemon/storage/payout-port.js';

const policy: PayoutPolicy = { maxSendAttempts: 3, retryBaseMs: 100, retryMaxMs: 1000, recheckAfterMs: 5000 };

test('payout decisions: every answer in both states', () => {
  const rows: [PayoutState, number, ProviderAnswer, PayoutAttemptOutcome][] = [
    ['requested', 0, { kind: 'confirmed', providerRef: 'r' }, { kind: 'confirmed', providerRef: 'r' }],
    ['requested', 0, { kind: 'pending', providerRef: 'r' }, { kind: 'sent', providerRef: 'r', recheckAfterMs: 5000 }],
    ['requested', 0, { kind: 'rejected', error: 'no' }, { kind: 'failed', error: 'no' }],
    ['requested', 0, { kind: 'unavailable', error: 'HTTP 503' }, { kind: 'retry', delayMs: 100, error: 'HTTP 503' }],
    ['requested', 1, { kind: 'unavailable', error: 'HTTP 503' }, { kind: 'retry', delayMs: 200, error: 'HTTP 503' }],
    // The last send without a settling answer leaves it to reconciliation: it may have been paid.
    ['requested', 2, { kind: 'unavailable', error: 'timeout' }, { kind: 'sent', providerRef: null, recheckAfterMs: 5000 }],
    ['sent', 4, { kind: 'pending', providerRef: null }, { kind: 'sent', providerRef: null, recheckAfterMs: 5000 }],
    ['sent', 4, { kind: 'confirmed', providerRef: null }, { kind: 'confirmed', providerRef: null }],
    ['sent', 4, { kind: 'rejected', error: 'no' }, { kind: 'failed', error: 'no' }],
    ['sent', 4, { kind: 'unknown' }, { kind: 'failed', error: 'the provider has no record of this payout' }],
    ['sent', 9, { kind: 'unavailable', error: 'down' }, { kind: 'retry', delayMs: 1000, error: 'down' }],
  ];
  for (const [state, attempts, answer, expected] of rows) {
    assert.deepEqual(decidePayoutAttempt({ state, attempts }, answer, policy), expected, `${state} after ${attempts}: ${answer.kind}`);
  }
  assert.deepEqual([0, 1, 2, 3, 4, 50].map((n) => backoffMs(n, policy)), [100, 200, 400, 800, 1000, 1000]);
});
