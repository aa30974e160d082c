/**
 * A client's bind limit (`smpp.maxBinds`, docs/smpp-server.md, "Binding"): how many sessions the
 * client may hold at once. With the local coordinator the node is the whole cluster and a count in
 * memory is the limit; with etcd each session holds a slot `client-binds/<clientId>/<n>` (n below
 * maxBinds) through the Coordinator, created if absent under the node's lease as bind ownership is,
 * so the limit holds across nodes and a dead node's slots vanish with its lease.
 */
import { CoordinatorUnavailableError, type Coordinator, type Ownership } from '../../cluster/coordinator/port.js';
import type { ClientId } from '../domain/ids.js';
import type { Logger } from '../log.js';

/** One admitted session's place within the limit; released when the session ends. */
export interface BindTicket {
  /** Frees the place (idempotent; any coordinator work goes on in the background). */
  release(): void;
}

export interface BindLimit {
  /** A place for one more session of the client, or null when it holds `maxBinds` already. */
  admit(clientId: ClientId, maxBinds: number): Promise<BindTicket | null>;
  /** After the sessions closed: waits for their releases to reach the coordinator, then stops following it. */
  close(): Promise<void>;
}

/** The limit on one node (the local coordinator): a count per client, checked and raised at once. */
export function localBindLimit(): BindLimit {
  const counts = new Map<ClientId, number>();
  return {
    admit(clientId, maxBinds) {
      const count = counts.get(clientId) ?? 0;
      if (count >= maxBinds) return Promise.resolve(null);
      counts.set(clientId, count + 1);
      let released = false;
      return Promise.resolve({
        release() {
          if (released) return;
          released = true;
          const left = (counts.get(clientId) ?? 1) - 1;
          if (left === 0) counts.delete(clientId);
          else counts.set(clientId, left);
        },
      });
    },
    close: () => Promise.resolve(),
  };
}

export const clientBindsPrefix = 'client-binds/';

export function slotResource(clientId: ClientId, slot: number): string {
  return `${clientBindsPrefix}${clientId}/${slot}`;
}

/**
 * While the coordinator cannot answer, each node admits the client's sessions up to its share of the
 * limit: maxBinds divided by the live nodes last known, rounded down, at least 1 (so that an etcd
 * outage refuses no client outright). Over n nodes the client then holds at most about maxBinds
 * (n × 1 when maxBinds < n), as the Redis limiter's fallback keeps about the client's rate.
 */
export function fallbackShare(maxBinds: number, liveNodes: number): number {
  return Math.max(1, Math.floor(maxBinds / Math.max(1, liveNodes)));
}

interface Ticket extends BindTicket {
  /** The slot this session holds; null while it holds none (admitted in a coordinator outage, or its slot lost with the lease). */
  slot: Ownership | null;
}

/**
 * The limit across the cluster, through the coordinator's slots. A client's admissions and releases
 * run one at a time on this node, so two of its sessions never race for one slot here. A session is
 * never closed because of the coordinator: one admitted during an outage, or whose slot went with a
 * fenced lease, keeps running and takes a free slot back when the coordinator's view shows one; until
 * then it counts towards this node's share, and a new session of the client is admitted only once
 * every session here holds a slot.
 */
export function clusterBindLimit(coordinator: Coordinator, logger: Logger): BindLimit {
  const log = logger.child({ component: 'bind-limit' });
  const sessions = new Map<ClientId, Set<Ticket>>();
  const queues = new Map<ClientId, Promise<unknown>>();
  const refilling = new Set<ClientId>();
  /** The client's maxBinds at its last admission here, for the background refill. */
  const limits = new Map<ClientId, number>();

  /** Runs `work` after the client's earlier admissions and releases on this node. */
  function serially<T>(clientId: ClientId, work: () => Promise<T>): Promise<T> {
    const result = (queues.get(clientId) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    queues.set(clientId, tail);
    void tail.then(() => {
      if (queues.get(clientId) === tail) queues.delete(clientId);
    });
    return result;
  }

  /**
   * Takes a slot of the client not held by a session here: the free ones in the last known view
   * first; with `viewOnly` (the background refill) no others, else every slot is tried, since the
   * view may lag a release. Null when none is free; throws CoordinatorUnavailableError.
   */
  async function takeSlot(clientId: ClientId, maxBinds: number, viewOnly: boolean): Promise<Ownership | null> {
    const mine = new Set<string>();
    for (const ticket of sessions.get(clientId) ?? []) if (ticket.slot !== null) mine.add(ticket.slot.resource);
    const owners = coordinator.owners();
    const free: string[] = [];
    const taken: string[] = [];
    for (let slot = 0; slot < maxBinds; slot++) {
      const resource = slotResource(clientId, slot);
      if (mine.has(resource)) continue;
      (owners.has(resource) ? taken : free).push(resource);
    }
    for (const resource of viewOnly ? free : [...free, ...taken]) {
      const ownership = await coordinator.tryAcquire(resource);
      if (ownership !== null) return ownership;
    }
    return null;
  }

  function hold(clientId: ClientId, ticket: Ticket, ownership: Ownership): void {
    ticket.slot = ownership;
    ownership.lost.addEventListener('abort', () => {
      if (ticket.slot !== ownership || ownership.lost.reason === 'released') return;
      ticket.slot = null;
      log.warn({ clientId, slot: ownership.resource, reason: String(ownership.lost.reason) }, 'bind slot lost with the coordinator lease; the session goes on and takes a slot again when one is free');
    }, { once: true });
  }

  /** Gives a slot to every session here that holds none; false when one is left without. */
  async function refill(clientId: ClientId, maxBinds: number, viewOnly: boolean): Promise<boolean> {
    for (const ticket of sessions.get(clientId) ?? []) {
      if (ticket.slot !== null) continue;
      const ownership = await takeSlot(clientId, maxBinds, viewOnly);
      if (ownership === null) return false;
      hold(clientId, ticket, ownership);
    }
    return true;
  }

  const live = () => coordinator.status().phase === 'live';

  /** The background refill after a coordinator change, at most one per client at a time. */
  const unwatch = coordinator.watch(() => {
    if (!live()) return;
    for (const [clientId, tickets] of sessions) {
      if (refilling.has(clientId) || [...tickets].every((ticket) => ticket.slot !== null)) continue;
      refilling.add(clientId);
      void serially(clientId, () => refill(clientId, limits.get(clientId) ?? tickets.size, true))
        .catch(() => false)
        .finally(() => refilling.delete(clientId));
    }
  });

  return {
    admit(clientId, maxBinds) {
      return serially(clientId, async () => {
        const tickets = sessions.get(clientId) ?? new Set<Ticket>();
        if (tickets.size >= maxBinds) return null;
        let slot: Ownership | null = null;
        if (live()) {
          try {
            if (!(await refill(clientId, maxBinds, false))) return null;
            slot = await takeSlot(clientId, maxBinds, false);
            if (slot === null) return null;
          } catch (error) {
            if (!(error instanceof CoordinatorUnavailableError)) throw error;
            log.warn({ clientId, err: error }, 'bind slot not taken: coordinator unavailable; this node admits its share of the limit');
          }
        }
        if (slot === null && tickets.size >= fallbackShare(maxBinds, coordinator.members().length)) return null;
        const ticket: Ticket = {
          slot: null,
          release() {
            void serially(clientId, async () => {
              if (!tickets.delete(ticket)) return;
              if (tickets.size === 0 && sessions.get(clientId) === tickets) {
                sessions.delete(clientId);
                limits.delete(clientId);
              }
              const held = ticket.slot;
              ticket.slot = null;
              await held?.release();
            }).catch((error: unknown) => log.warn({ clientId, err: error }, 'bind slot not released'));
          },
        };
        if (slot !== null) hold(clientId, ticket, slot);
        tickets.add(ticket);
        sessions.set(clientId, tickets);
        limits.set(clientId, maxBinds);
        return ticket;
      });
    },
    async close() {
      await Promise.all([...queues.values()]);
      unwatch();
    },
  };
}
