import { HeldOwnerships } from '../held-ownerships.js';
import { Listeners } from '../listeners.js';
import type { Coordinator, NodeInfo, OwnerRecord } from '../port.js';

/**
 * The single-node coordinator: this node is the only member and owns every resource it asks for.
 * Ownership never expires (validUntilMs is +Infinity) and is lost only by release or close.
 * `acquireEpoch` raises and returns the resource's fencing epoch in durable storage (the Store's
 * acquireBindEpoch), so epochs stay monotonic across restarts.
 */
export function createLocalCoordinator(self: NodeInfo, acquireEpoch: (resource: string) => Promise<number>): Coordinator {
  const changes = new Listeners<[]>();
  const renewals = new Listeners<[number]>();
  const held = new HeldOwnerships(() => changes.emit());
  const acquiring = new Map<string, Promise<number>>();
  let closed = false;

  return {
    self,
    start: () => Promise.resolve(),
    async tryAcquire(resource) {
      if (closed) return null;
      const existing = held.get(resource);
      if (existing !== undefined) return existing;
      // Two concurrent calls for one resource must not raise its epoch twice.
      let pending = acquiring.get(resource);
      if (pending === undefined) {
        pending = acquireEpoch(resource).finally(() => acquiring.delete(resource));
        acquiring.set(resource, pending);
      }
      const epoch = await pending;
      if (closed) return null;
      return held.get(resource) ?? held.add({
        resource,
        epoch,
        validUntilMs: () => Number.POSITIVE_INFINITY,
        giveUp: () => Promise.resolve(),
      });
    },
    owned: () => held.all(),
    members: () => (closed ? [] : [self]),
    owners() {
      const records = new Map<string, OwnerRecord>();
      for (const ownership of held.all()) {
        records.set(ownership.resource, { resource: ownership.resource, nodeId: self.id, epoch: ownership.epoch });
      }
      return records;
    },
    // One node: nothing to pin a resource to but itself.
    pins: () => new Map<string, string>(),
    watch(listener) {
      const unsubscribe = changes.add(listener);
      queueMicrotask(listener);
      return unsubscribe;
    },
    onRenewed: (listener) => renewals.add(listener),
    status: () => (closed ? { phase: 'closed', validUntilMs: 0 } : { phase: 'live', validUntilMs: Number.POSITIVE_INFINITY }),
    close() {
      closed = true;
      held.endAll('released');
      return Promise.resolve();
    },
  };
}
