/**
 * Which binds this node runs (docs/cluster.md): a bind runs here only while this node owns its
 * resource `route/<id>/bind/<n>` through the Coordinator. Each planning round (every planIntervalMs
 * and after each membership or ownership change) asks the planner who should own what; this node
 * acquires the binds planned for it that have no live owner, takes any bind orphaned for the grace
 * period, and hands over (graceful stop, then release) the binds the plan moves elsewhere. When an
 * ownership is lost (the coordinator fenced itself, or the key was revoked) the bind stops submitting
 * at once. A route of a dedicated pool runs only on the pool's active node. stop() stops every bind gracefully and releases it, so another node binds at once.
 */
import { bindName, orphansToTake, plan } from '../../cluster/planner.js';
import type { Coordinator, Ownership } from '../../cluster/coordinator/port.js';
import { poolResource } from '../cluster/pool-roles.js';
import type { RouteRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import type { RouteBinds } from './route-binds.js';

export interface BindOwnershipOptions {
  readonly planIntervalMs: number;
  readonly maxMovesPerRound: number;
  readonly orphanGraceMs: number;
}

export interface BindOwnershipDeps {
  readonly coordinator: Coordinator;
  /** The routes to dispatch now (enabled, with binds). */
  readonly routes: () => readonly RouteRecord[];
  /** The route's binds on this node (in process, or handed to workers), if the route runs here. */
  readonly dispatcherOf: (routeId: string) => RouteBinds | undefined;
  /** The dedicated pool a route belongs to (config `cluster.poolRoutes`), if any. */
  readonly poolOf?: (routeId: string) => string | undefined;
  readonly logger: Logger;
  readonly options: BindOwnershipOptions;
  readonly clock?: () => number;
}

interface HeldBind {
  readonly routeId: string;
  readonly index: number;
  readonly ownership: Ownership;
  /** The dispatcher the bind runs on (a route change gives the route a new one). */
  dispatcher: RouteBinds;
  handingOver: boolean;
}

const bindResource = /^route\/(.+)\/bind\/(\d+)$/;

export class BindOwnership {
  private readonly held = new Map<string, HeldBind>();
  /**
   * Binds fenced and still stopping (window answers, unbind): the dispatcher runs one loop per bind
   * index, so an ownership acquired again meanwhile starts its bind only once the old loop is gone.
   */
  private readonly fencing = new Map<string, Promise<void>>();
  /** Since when (ms) each bind has had no live owner, for the orphan grace. */
  private readonly orphanSince = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private unwatch: (() => void) | null = null;
  private round: Promise<void> | null = null;
  private roundAgain = false;
  private stopped = false;
  private readonly clock: () => number;

  constructor(private readonly deps: BindOwnershipDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Resources of the binds this node owns and runs now. */
  get ownedBinds(): readonly string[] {
    return [...this.held.keys()];
  }

  /** Starts following the coordinator; resolves after the first planning round. */
  async start(): Promise<void> {
    this.unwatch = this.deps.coordinator.watch(() => void this.replan());
    this.timer = setInterval(() => void this.replan(), this.deps.options.planIntervalMs);
    await this.replan();
  }

  /** Runs a planning round now (or right after the one in progress); resolves when it is done. */
  replan(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.round !== null) {
      this.roundAgain = true;
      return this.round;
    }
    this.round = (async () => {
      do {
        this.roundAgain = false;
        try {
          await this.planRound();
        } catch (error) {
          this.deps.logger.error({ err: error }, 'bind planning round failed');
        }
      } while (this.roundAgain && !this.stopped);
    })().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  /** Stops every bind gracefully (window finished, unbind) and releases it; plans no more. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.unwatch?.();
    await this.round;
    await Promise.all([...this.held.keys()].map((resource) => this.handOver(resource)));
  }

  private async planRound(): Promise<void> {
    const { coordinator } = this.deps;
    const self = coordinator.self.id;
    const members = coordinator.members();
    // Not (or no longer) a member: the view is not ours to act on; lost ownerships stop by themselves.
    if (coordinator.status().phase !== 'live' || !members.some((m) => m.id === self)) return;
    const owners = new Map([...coordinator.owners()].map(([resource, record]) => [resource, record.nodeId]));
    for (const ownership of coordinator.owned()) owners.set(ownership.resource, self);
    const live = new Set(members.map((m) => m.id));
    // A pool's dedicated route is pinned to the pool's active node (over any operator pin), and is
    // planned nowhere while the pool has no live active node: the standby takes the role, then the binds.
    const pins = new Map(coordinator.pins());
    const poolPinned = new Set<string>();
    const routes = this.deps.routes().filter((route) => {
      const pool = this.deps.poolOf?.(route.id);
      if (pool === undefined) return true;
      const active = owners.get(poolResource(pool));
      if (active === undefined || !live.has(active)) return false;
      for (let i = 0; i < route.binds; i++) {
        pins.set(bindName(route.id, i), active);
        poolPinned.add(bindName(route.id, i));
      }
      return true;
    });
    const result = plan({
      routes: routes.map((route) => ({ routeId: route.id, binds: route.binds, preferredSite: null })),
      nodes: members,
      owners,
      maxMovesPerRound: this.deps.options.maxMovesPerRound,
      pins,
    });
    const now = this.clock();
    for (const bind of [...this.orphanSince.keys()]) if (!result.assignment.has(bind)) this.orphanSince.delete(bind);
    const unowned: string[] = [];
    for (const bind of result.assignment.keys()) {
      const owner = owners.get(bind);
      if (owner !== undefined && live.has(owner)) {
        this.orphanSince.delete(bind);
      } else {
        unowned.push(bind);
        if (!this.orphanSince.has(bind)) this.orphanSince.set(bind, now);
      }
    }
    const toAcquire = new Set(unowned.filter((bind) => result.assignment.get(bind) === self));
    // A draining node (weight 0) takes no orphan: it would only hand it over again.
    const draining = members.find((m) => m.id === self)?.weight === 0;
    // A pool's binds are not orphans for other nodes: only the pool's active node runs them.
    const orphans = unowned.filter((bind) => !poolPinned.has(bind));
    if (!draining) for (const bind of orphansToTake(orphans, owners, live, this.orphanSince, now, this.deps.options.orphanGraceMs)) toAcquire.add(bind);

    const work: Promise<void>[] = [];
    for (const [resource, bind] of this.held) {
      if (bind.handingOver) continue;
      if (result.assignment.get(resource) !== self) {
        work.push(this.handOver(resource));
        continue;
      }
      const dispatcher = this.deps.dispatcherOf(bind.routeId);
      if (dispatcher !== undefined && dispatcher !== bind.dispatcher) {
        // The route changed: its old dispatcher stopped the bind; it runs on the new one, same ownership.
        bind.dispatcher = dispatcher;
        work.push(this.startOn(resource, bind));
      }
    }
    for (const resource of toAcquire) if (!this.held.has(resource)) work.push(this.acquire(resource));
    await Promise.all(work);
  }

  private async acquire(resource: string): Promise<void> {
    const match = bindResource.exec(resource);
    if (match === null) return;
    const routeId = match[1]!;
    const index = Number(match[2]);
    let ownership: Ownership | null;
    try {
      ownership = await this.deps.coordinator.tryAcquire(resource);
    } catch (error) {
      this.deps.logger.warn({ err: error, bind: resource }, 'bind not acquired: coordinator unavailable');
      return;
    }
    if (ownership === null || this.held.has(resource)) return;
    const dispatcher = this.deps.dispatcherOf(routeId);
    if (dispatcher === undefined || this.stopped) {
      await ownership.release();
      return;
    }
    const bind: HeldBind = { routeId, index, ownership, dispatcher, handingOver: false };
    this.held.set(resource, bind);
    ownership.lost.addEventListener('abort', () => this.lost(resource, bind, String(ownership.lost.reason)), { once: true });
    this.deps.logger.info({ bind: resource, coordinatorEpoch: ownership.epoch }, 'bind owned');
    await this.fencing.get(resource);
    // Lost or handed over while the fenced loop was stopping: nothing to start.
    if (this.held.get(resource) !== bind || bind.handingOver) return;
    await this.startOn(resource, bind);
  }

  private async startOn(resource: string, bind: HeldBind): Promise<void> {
    try {
      await bind.dispatcher.startBind(bind.index, bind.ownership.validUntilMs());
    } catch (error) {
      this.deps.logger.error({ err: error, bind: resource }, 'bind not started; ownership released');
      await this.handOver(resource);
    }
  }

  /** The coordinator ended the ownership: the bind must not submit any more. */
  private lost(resource: string, bind: HeldBind, reason: string): void {
    if (this.held.get(resource) !== bind) return;
    this.held.delete(resource);
    if (reason === 'released') return;
    this.deps.logger.warn({ bind: resource, reason }, 'bind ownership lost: fencing');
    const stopped: Promise<void> = bind.dispatcher
      .fenceBind(bind.index)
      .catch((error: unknown) => this.deps.logger.error({ err: error, bind: resource }, 'fenced bind did not stop cleanly'))
      .finally(() => {
        if (this.fencing.get(resource) === stopped) this.fencing.delete(resource);
      });
    this.fencing.set(resource, stopped);
    void this.replan();
  }

  /** Graceful stop (window finished, unbind), then release so the next owner binds at once. */
  private async handOver(resource: string): Promise<void> {
    const bind = this.held.get(resource);
    if (bind === undefined || bind.handingOver) return;
    bind.handingOver = true;
    this.deps.logger.info({ bind: resource }, 'bind handing over');
    try {
      await bind.dispatcher.stopBind(bind.index);
    } finally {
      this.held.delete(resource);
      await bind.ownership.release().catch((error: unknown) => this.deps.logger.error({ err: error, bind: resource }, 'bind release failed (the lease will expire)'));
    }
  }
}
