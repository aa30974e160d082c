import type { EnqueueOutcome, EnqueueRequest } from '../port.js';
import { isDatabaseUnavailable } from './database.js';
import type { SmsprocError } from '../../domain/errors.js';

/**
 * Group commit for enqueues over PostgreSQL: enqueueMt calls arriving while earlier groups are in
 * flight are merged into one transaction (one set-based insert, one commit) of up to `maxBatch`
 * requests, with at most `maxInFlight` groups at once. Each call still gets its own outcomes, in
 * order, only after its group committed. When a group fails for a reason of one call (a duplicate
 * id, say), its halves are retried, down to that call alone, so that only that one rejects; when the database is
 * unavailable, every call of the group rejects with STORE_UNAVAILABLE and nothing of it was stored.
 */
export type EnqueueGroup = (requests: readonly EnqueueRequest[]) => Promise<EnqueueOutcome[]>;

interface Call {
  readonly requests: readonly EnqueueRequest[];
  readonly resolve: (outcomes: EnqueueOutcome[]) => void;
  readonly reject: (error: unknown) => void;
}

export class EnqueueBatcher {
  private pending: Call[] = [];
  private inFlight = 0;

  constructor(private readonly run: EnqueueGroup, private readonly maxBatch: number, private readonly maxInFlight: number) {}

  submit(requests: readonly EnqueueRequest[]): Promise<EnqueueOutcome[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ requests, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const group = this.take();
      this.inFlight += 1;
      void this.flush(group).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private take(): Call[] {
    let count = 0;
    let requests = 0;
    while (count < this.pending.length && (count === 0 || requests + (this.pending[count]?.requests.length ?? 0) <= this.maxBatch)) {
      requests += this.pending[count]?.requests.length ?? 0;
      count += 1;
    }
    return this.pending.splice(0, count);
  }

  private async flush(group: readonly Call[]): Promise<void> {
    try {
      const outcomes = await this.run(group.flatMap((call) => call.requests));
      let offset = 0;
      for (const call of group) {
        call.resolve(outcomes.slice(offset, offset + call.requests.length));
        offset += call.requests.length;
      }
    } catch (error) {
      if (group.length === 1 || isUnavailable(error)) {
        for (const call of group) call.reject(error);
        return;
      }
      // Halves until the failing call stands alone: a few more transactions, not one per call.
      const half = Math.ceil(group.length / 2);
      await this.flush(group.slice(0, half));
      await this.flush(group.slice(half));
    }
  }
}

function isUnavailable(error: unknown): boolean {
  return (error as Partial<SmsprocError>).definition?.name === 'STORE_UNAVAILABLE' || isDatabaseUnavailable(error);
}
