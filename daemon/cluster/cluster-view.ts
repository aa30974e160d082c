/**
 * The cluster as this node's coordinator sees it, for the operator dashboard (docs/web.md): live
 * nodes, the owner and epoch of every bind and pool role, pins, and the recent ownership changes.
 * Read from the coordinator the node already holds (no connection of its own); with workers the
 * primary sends the report to them with the node's bind list (worker-messages.ts), so it is plain JSON.
 *
 * An ownership change is seen when a resource's owner differs from the last owner this node saw
 * (the key may have vanished in between): a takeover when the previous owner was no longer a live
 * member (or was this node, which lost it without releasing: lease expiring or revoked), else a
 * handover (planned move, drain, pin). This node's takeovers count in `smsproc_failovers_total`.
 */
import type { Coordinator, CoordinatorStatus, NodeInfo, Ownership, OwnerRecord } from '../../cluster/coordinator/port.js';
import type { ClusterEvents } from '../stats/metric-events.js';
import { clientBindsPrefix } from '../smpp-server/bind-limit.js';
import { poolResource, type PoolSpec } from './pool-roles.js';

/** How many recent ownership changes the report keeps. */
const RECENT_CHANGES = 20;
/** Resources whose last owner is remembered (binds and pool roles: bounded by provisioning; a cap against routes come and gone). */
const REMEMBERED_RESOURCES = 10_000;

export interface OwnershipChange {
  /** When this node saw it (ms since the epoch). */
  readonly at: number;
  readonly resource: string;
  /** The previous owner this node saw; null when it saw none. */
  readonly from: string | null;
  readonly to: string;
  /** The new ownership's fencing epoch. */
  readonly epoch: number;
  readonly kind: 'takeover' | 'handover';
}

export interface PoolView {
  readonly name: string;
  readonly nodes: readonly string[];
  /** The live node holding the pool's active role, if any. */
  readonly active: string | null;
  readonly epoch: number | null;
}

/** One reading of the view; JSON as it is (it crosses IPC to the workers). */
export interface ClusterReport {
  /** When it was taken (ms since the epoch). */
  readonly takenAt: number;
  readonly coordinator: 'local' | 'etcd';
  readonly self: string;
  readonly phase: CoordinatorStatus['phase'];
  /** The last time the coordinator was seen live (ms), null if never: what the lists below are as of. */
  readonly liveAt: number | null;
  readonly nodes: readonly NodeInfo[];
  readonly owners: readonly OwnerRecord[];
  readonly pins: readonly { readonly resource: string; readonly nodeId: string }[];
  readonly pools: readonly PoolView[];
  /** Newest first. */
  readonly changes: readonly OwnershipChange[];
}

export class ClusterView {
  private readonly lastOwner = new Map<string, OwnerRecord>();
  /** Resources this node lost without releasing them: whoever has them next took them over. */
  private readonly lostHere = new Set<string>();
  private readonly followed = new WeakSet<Ownership>();
  private readonly changes: OwnershipChange[] = [];
  private liveAt: number | null = null;
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly coordinator: Coordinator,
    private readonly deps: {
      readonly kind: 'local' | 'etcd';
      readonly pools: readonly PoolSpec[];
      readonly events?: Pick<ClusterEvents, 'failover'>;
      readonly clock?: () => number;
    },
  ) {}

  private now(): number {
    return (this.deps.clock ?? Date.now)();
  }

  /** Follows the coordinator's changes and renewals until stop(). */
  start(): void {
    this.unsubscribe = [
      this.coordinator.watch(() => this.observe()),
      this.coordinator.onRenewed(() => this.noteLive()),
    ];
    this.observe();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
  }

  private noteLive(): void {
    if (this.coordinator.status().phase === 'live') this.liveAt = this.now();
  }

  /**
   * Owners of binds and pool roles as last known, with this node's own (the watch may not have shown
   * them yet). The SMPP clients' bind slots are left out: they change hands with every client
   * session, which is neither a failover nor what this view is for.
   */
  private owners(): Map<string, OwnerRecord> {
    const owners = new Map([...this.coordinator.owners()].filter(([resource]) => !resource.startsWith(clientBindsPrefix)));
    for (const ownership of this.coordinator.owned()) {
      if (ownership.resource.startsWith(clientBindsPrefix)) continue;
      owners.set(ownership.resource, { resource: ownership.resource, nodeId: this.coordinator.self.id, epoch: ownership.epoch });
    }
    return owners;
  }

  private observe(): void {
    this.noteLive();
    const self = this.coordinator.self.id;
    for (const ownership of this.coordinator.owned()) {
      if (this.followed.has(ownership) || ownership.resource.startsWith(clientBindsPrefix)) continue;
      this.followed.add(ownership);
      this.lostHere.delete(ownership.resource);
      ownership.lost.addEventListener('abort', () => {
        if (String(ownership.lost.reason) !== 'released') this.lostHere.add(ownership.resource);
      }, { once: true });
    }
    const live = new Set(this.coordinator.members().map((node) => node.id));
    for (const [resource, record] of this.owners()) {
      const before = this.lastOwner.get(resource);
      if (before !== undefined && record.epoch <= before.epoch) continue;
      if (before !== undefined && before.nodeId !== record.nodeId) {
        const takenOver = before.nodeId === self ? this.lostHere.has(resource) : !live.has(before.nodeId);
        this.changes.unshift({ at: this.now(), resource, from: before.nodeId, to: record.nodeId, epoch: record.epoch, kind: takenOver ? 'takeover' : 'handover' });
        this.changes.length = Math.min(this.changes.length, RECENT_CHANGES);
        if (takenOver && record.nodeId === self) this.deps.events?.failover();
      }
      if (record.nodeId !== self) this.lostHere.delete(resource);
      // Re-inserted so that the map's order is by last change and the cap drops the oldest.
      this.lastOwner.delete(resource);
      this.lastOwner.set(resource, record);
    }
    for (const resource of this.lastOwner.keys()) {
      if (this.lastOwner.size <= REMEMBERED_RESOURCES) break;
      this.lastOwner.delete(resource);
    }
  }

  report(): ClusterReport {
    this.observe();
    const owners = this.owners();
    const members = this.coordinator.members();
    const live = new Set(members.map((node) => node.id));
    return {
      takenAt: this.now(),
      coordinator: this.deps.kind,
      self: this.coordinator.self.id,
      phase: this.coordinator.status().phase,
      liveAt: this.liveAt,
      nodes: members.map((node) => ({ id: node.id, site: node.site, weight: node.weight })),
      owners: [...owners.values()].map((record) => ({ resource: record.resource, nodeId: record.nodeId, epoch: record.epoch })),
      pins: [...this.coordinator.pins()].map(([resource, nodeId]) => ({ resource, nodeId })),
      pools: this.deps.pools.map((pool) => {
        const owner = owners.get(poolResource(pool.name));
        const active = owner !== undefined && live.has(owner.nodeId) ? owner : undefined;
        return { name: pool.name, nodes: pool.nodes, active: active?.nodeId ?? null, epoch: active?.epoch ?? null };
      }),
      changes: [...this.changes],
    };
  }
}
