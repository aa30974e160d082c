import type { ClientId } from '../domain/ids.js';
import type { Store } from '../storage/port.js';

/**
 * Approximate count of each client's waiting messages, for the max-queue check: the store's count,
 * refreshed at most every `refreshMs`, plus what this process accepted since that count was taken.
 */
export interface QueueGauge {
  queued(clientId: ClientId): Promise<number>;
  accepted(clientId: ClientId, messages: number): void;
}

export function createQueueGauge(store: Store, clock: () => number, refreshMs = 1000): QueueGauge {
  let counts: ReadonlyMap<ClientId, number> = new Map();
  let acceptedSince = new Map<ClientId, number>();
  let takenAtMs = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | null = null;

  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      const pendingSince = new Map<ClientId, number>();
      const previous = acceptedSince;
      acceptedSince = pendingSince;
      try {
        counts = await store.queuedByClient();
        takenAtMs = clock();
      } catch (error) {
        // Keep what this process counted while the store did not answer.
        for (const [id, n] of previous) pendingSince.set(id, (pendingSince.get(id) ?? 0) + n);
        throw error;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  return {
    async queued(clientId) {
      if (clock() - takenAtMs >= refreshMs) await refresh();
      return (counts.get(clientId) ?? 0) + (acceptedSince.get(clientId) ?? 0);
    },
    accepted(clientId, messages) {
      acceptedSince.set(clientId, (acceptedSince.get(clientId) ?? 0) + messages);
    },
  };
}
