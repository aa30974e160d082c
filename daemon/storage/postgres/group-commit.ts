import { isDatabaseUnavailable } from './database.js';
import type { SmsprocError } from '../../domain/errors.js';

/**
 * Group commit over PostgreSQL: calls arriving while earlier groups are in flight are merged into one
 * unit of work (one transaction or one statement) of up to `maxBatch` items, with at most
 * `maxInFlight` groups at once. Each call still gets its own results, in order, only after its group
 * committed. When a group fails for a reason of one call (a duplicate id, say), its halves are
 * retried, down to that call alone, so that only that one rejects; when the database is unavailable,
 * every call of the group rejects with STORE_UNAVAILABLE, as a lone call would. Used for enqueues
 * (one transaction per group) and callback completions (one statement per group).
 */
export type GroupRun<T, R> = (items: readonly T[]) => Promise<R[]>;

interface Call<T, R> {
  readonly items: readonly T[];
  readonly resolve: (results: R[]) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  private pending: Call<T, R>[] = [];
  private inFlight = 0;

  constructor(private readonly run: GroupRun<T, R>, private readonly maxBatch: number, private readonly maxInFlight: number) {}

  /** Resolves with one result per item, in order, once the group carrying them committed. */
  submit(items: readonly T[]): Promise<R[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
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

  private take(): Call<T, R>[] {
    let count = 0;
    let items = 0;
    while (count < this.pending.length && (count === 0 || items + (this.pending[count]?.items.length ?? 0) <= this.maxBatch)) {
      items += this.pending[count]?.items.length ?? 0;
      count += 1;
    }
    return this.pending.splice(0, count);
  }

  private async flush(group: readonly Call<T, R>[]): Promise<void> {
    try {
      const results = await this.run(group.flatMap((call) => call.items));
      let offset = 0;
      for (const call of group) {
        call.resolve(results.slice(offset, offset + call.items.length));
        offset += call.items.length;
      }
    } catch (error) {
      if (group.length === 1 || isUnavailable(error)) {
        for (const call of group) call.reject(error);
        return;
      }
      // Halves until the failing call stands alone: a few more round trips, not one per call.
      const half = Math.ceil(group.length / 2);
      await this.flush(group.slice(0, half));
      await this.flush(group.slice(half));
    }
  }
}

function isUnavailable(error: unknown): boolean {
  return (error as Partial<SmsprocError>).definition?.name === 'STORE_UNAVAILABLE' || isDatabaseUnavailable(error);
}
