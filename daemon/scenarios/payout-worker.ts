/**
 * The payout worker (docs/payouts.md): leases due payouts from the store, sends requested ones to the
 * provider and reconciles sent ones, and records each answer. Safe on every node at once: leases keep
 * two workers off one payout, and the idempotency key keeps a resend from paying twice.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { PayoutStore } from '../storage/payout-port.js';
import { decidePayoutAttempt, type PayoutPolicy } from './payout-decision.js';
import { createHttpPayoutProvider, type PayoutProvider } from './payout-provider.js';

export interface PayoutWorkerOptions extends PayoutPolicy {
  readonly pollIntervalMs: number;
  readonly batch: number;
  readonly leaseMs: number;
}

export interface PayoutWorkerDeps {
  readonly store: PayoutStore;
  readonly provider: PayoutProvider;
  readonly owner: string;
  readonly logger: Logger;
  readonly options: PayoutWorkerOptions;
}

export class PayoutWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly deps: PayoutWorkerDeps) {
    this.log = deps.logger.child({ payouts: true });
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => void (await this.tick())).catch((error: unknown) => this.log.error({ err: error }, 'payout tick failed'));
    }, this.deps.options.pollIntervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round: every due payout (up to `batch`) gets one attempt. Returns how many were worked. */
  async tick(): Promise<number> {
    const { store, provider, owner, options } = this.deps;
    const due = await store.claimPayouts({ owner, limit: options.batch, leaseMs: options.leaseMs });
    await Promise.all(due.map(async (payout) => {
      const answer = payout.state === 'requested' ? await provider.send(payout) : await provider.status(payout.id);
      const outcome = decidePayoutAttempt(payout, answer, options);
      const applied = await store.completePayoutAttempt(payout.id, owner, outcome);
      if (!applied) this.log.warn({ payoutId: payout.id }, 'payout lease lost before its outcome was recorded');
      else if (outcome.kind === 'failed') this.log.warn({ payoutId: payout.id, error: outcome.error }, 'payout failed');
    }));
    return due.length;
  }
}

/** The node's worker when a provider is configured (payouts.providerUrl), started; null otherwise. */
export function startPayoutWorker(config: Config, store: PayoutStore, logger: Logger): PayoutWorker | null {
  const { providerUrl, requestTimeoutMs, ...policy } = config.payouts;
  if (providerUrl === null) return null;
  const worker = new PayoutWorker({
    store,
    provider: createHttpPayoutProvider(providerUrl, requestTimeoutMs),
    owner: config.node.id,
    logger,
    options: { ...policy, batch: 50, leaseMs: Math.max(60_000, requestTimeoutMs * 3) },
  });
  worker.start();
  return worker;
}
