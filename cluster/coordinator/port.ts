/**
 * The Coordinator port: which nodes are alive (membership), and which node owns each named resource
 * (ownership with a fencing epoch). Resources are named `route/<routeId>/bind/<n>` (an operator bind),
 * `pool/<name>/active` (a dedicated-server pool's active role) and `client-binds/<clientId>/<n>` (one
 * of an SMPP client's bind slots, daemon/smpp-server/bind-limit.ts).
 *
 * Guarantee every adapter keeps: at any instant at most one node believes it owns a resource. An owner
 * learns it must stop through its ownership's `lost` signal, and that signal fires BEFORE any other
 * node can acquire the resource (the adapter fences itself on its own timer, not on the server's word).
 * Time is the local wall clock (`Date.now()`), so that deadlines can be handed to worker processes of
 * the same machine over IPC.
 */

/** A node as the cluster sees it. */
export interface NodeInfo {
  /** Unique in the cluster, stable across restarts of the node (a slug: safe in keys and labels). */
  readonly id: string;
  /** The data centre the node runs in. */
  readonly site: string;
  /** Relative capacity (> 0): a node of weight 2 should own about twice the binds of weight 1. */
  readonly weight: number;
}

/** Who owns a resource, as seen through the watch. */
export interface OwnerRecord {
  readonly resource: string;
  readonly nodeId: string;
  readonly epoch: number;
}

/** Why an ownership ended. */
export type LossReason =
  /** The node's lease could not be confirmed in time: the owner fenced itself before it can expire. */
  | 'lease-expiring'
  /** The coordinator's server said the lease or the key is gone (an operator removed it, say). */
  | 'revoked'
  /** The owner released it (`release()` or `close()`). */
  | 'released';

/** A resource this node owns, from a successful `tryAcquire` until `lost` fires. */
export interface Ownership {
  readonly resource: string;
  /**
   * Fencing epoch: strictly greater than the epoch of every earlier ownership of the same resource,
   * by any node, also across restarts. Stamp it on every state change the owner makes (the Store
   * refuses queue changes carrying an older epoch).
   */
  readonly epoch: number;
  /**
   * Aborted when this node no longer owns the resource; `reason` is a LossReason. For 'lease-expiring'
   * it fires before any other node can acquire the resource; for 'revoked' it fires as soon as the
   * adapter learns of it (an operator's forced removal is not pre-emptive).
   */
  readonly lost: AbortSignal;
  /**
   * Wall-clock time (ms) until which the owner may act without hearing more from the coordinator:
   * a process that runs the resource (a worker) stops by itself at this time if no later deadline has
   * reached it, because the signal can arrive late over IPC. Grows with each confirmed lease renewal.
   */
  validUntilMs(): number;
  /** Gives the resource up at once so another node can acquire it (fires `lost` with 'released'). */
  release(): Promise<void>;
}

/** Where a coordinator stands, for health checks and metrics. */
export interface CoordinatorStatus {
  /** idle: not started · live: may own resources · fenced: lease lost, rejoining · closed. */
  readonly phase: 'idle' | 'live' | 'fenced' | 'closed';
  /** Until when (wall-clock ms) the node's ownerships are valid; 0 unless live. */
  readonly validUntilMs: number;
}

/** Thrown when the coordinator cannot answer within its call deadline (no quorum, no server). */
export class CoordinatorUnavailableError extends Error {
  override readonly name = 'CoordinatorUnavailableError';
}

export interface Coordinator {
  /** This node. */
  readonly self: NodeInfo;
  /**
   * Joins the cluster: registers this node in membership and starts the lease that backs ownership.
   * Resolves when the node is registered; rejects with CoordinatorUnavailableError past the deadline
   * (then call close() to stop what was set up, or create a new coordinator to try again).
   */
  start(): Promise<void>;
  /**
   * Tries to become the owner of `resource`. Resolves with the ownership, or null when another node
   * owns it. If this node already owns it, resolves with the same ownership (idempotent; a call that
   * timed out after the server applied it is adopted on the next try). Rejects with
   * CoordinatorUnavailableError when the server cannot answer within the deadline, or while this node
   * is fenced (its lease is being replaced).
   */
  tryAcquire(resource: string): Promise<Ownership | null>;
  /** Resources this node owns now (their signals not aborted). */
  owned(): readonly Ownership[];
  /** Live nodes (this one included once registered), last known. */
  members(): readonly NodeInfo[];
  /** Owners of every resource, last known (including other nodes' resources). */
  owners(): ReadonlyMap<string, OwnerRecord>;
  /** Resource → node id an operator pinned it to (`smsprocctl cluster move`), last known; changes are watched. */
  pins(): ReadonlyMap<string, string>;
  /**
   * Calls `listener` after each change of membership or ownership (and once soon after subscribing),
   * so a supervisor can re-plan. Returns the unsubscribe function. Changes may be coalesced.
   */
  watch(listener: () => void): () => void;
  /**
   * Calls `listener` with the new `validUntilMs` each time the lease is confirmed, so the supervisor
   * can push the deadline to its workers. Returns the unsubscribe function.
   */
  onRenewed(listener: (validUntilMs: number) => void): () => void;
  status(): CoordinatorStatus;
  /** Releases everything this node owns, leaves membership and stops timers. Idempotent. */
  close(): Promise<void>;
}
