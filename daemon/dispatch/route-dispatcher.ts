/**
 * Dispatch for one route on this node (docs/dispatch.md): a BindLoop for each bind this node owns
 * (the bind ownership, daemon/dispatch/bind-ownership.ts, says which and when), and the route's
 * in-doubt policy applied periodically.
 */
import { bindIdOf } from '../domain/ids.js';
import type { RouteRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import type { DeliverHandler } from '../smpp/esme-driver.js';
import type { BindEvents } from '../stats/metric-events.js';
import type { Store } from '../storage/port.js';
import { BindLoop, type BindLoopOptions, type BindStatus } from './bind-loop.js';
import type { ReservationLedger } from './reservation-ledger.js';
import type { RouteBinds } from './route-binds.js';

export interface RouteDispatcherOptions extends BindLoopOptions {
  /** How often IN_DOUBT messages of the route are resolved by its policy. */
  readonly inDoubtIntervalMs: number;
}

export const defaultRouteDispatcherOptions: RouteDispatcherOptions = {
  leaseMs: 30_000,
  claimIdleMs: 200,
  ackBatchMs: 2,
  inDoubtIntervalMs: 5_000,
};

export interface RouteDispatcherDeps {
  readonly store: Store;
  readonly route: RouteRecord;
  readonly owner: string;
  readonly ledger: ReservationLedger;
  readonly reservationOf: (clientId: string) => number;
  /** The handler for deliver_sm / data_sm on the given bind. */
  readonly inbound: (route: RouteRecord, bindIndex: number) => DeliverHandler;
  readonly logger: Logger;
  readonly options?: Partial<RouteDispatcherOptions>;
  readonly events?: BindEvents;
}

export class RouteDispatcher implements RouteBinds {
  private readonly options: RouteDispatcherOptions;
  /** The bind loops running now, by bind index. */
  private readonly binds = new Map<number, BindLoop>();
  private inDoubtTimer: NodeJS.Timeout | null = null;
  private resolving = false;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: RouteDispatcherDeps) {
    this.options = { ...defaultRouteDispatcherOptions, ...deps.options };
  }

  get route(): RouteRecord {
    return this.deps.route;
  }

  bindStatuses(): readonly BindStatus[] {
    return [...this.binds.values()].map((bind) => bind.status());
  }

  /** Indexes of the binds running here. */
  get runningBinds(): readonly number[] {
    return [...this.binds.keys()];
  }

  start(): void {
    this.inDoubtTimer = setInterval(() => this.resolveInDoubt(), this.options.inDoubtIntervalMs);
    // Store wake-ups (PostgreSQL): an enqueue for this route, or the listener back after a loss, ends the idle wait.
    const id = this.deps.route.id;
    this.unsubscribe = this.deps.store.wakeups?.on('mt', (routeId) => {
      if (routeId === null || routeId === id) for (const bind of this.binds.values()) bind.poke();
    }) ?? null;
  }

  /**
   * Starts bind `index` (this node now owns it): raises the bind's epoch in the store, then binds and
   * submits. Resolves once the epoch is raised.
   */
  async startBind(index: number): Promise<void> {
    if (this.stopped || this.binds.has(index) || index >= this.deps.route.binds) return;
    const { deps } = this;
    const bind = new BindLoop({
      store: deps.store,
      route: deps.route,
      bindIndex: index,
      bindId: bindIdOf(deps.route.id, index),
      owner: deps.owner,
      ledger: deps.ledger,
      reservationOf: deps.reservationOf,
      onDeliver: deps.inbound(deps.route, index),
      logger: deps.logger,
      options: this.options,
      events: deps.events,
    });
    this.binds.set(index, bind);
    try {
      await bind.start();
    } catch (error) {
      this.binds.delete(index);
      throw error;
    }
  }

  /** Graceful: bind `index` stops claiming, finishes its window and unbinds. */
  async stopBind(index: number): Promise<void> {
    const bind = this.binds.get(index);
    if (bind === undefined) return;
    await bind.stop();
    this.binds.delete(index);
  }

  /** Ownership lost: bind `index` submits nothing more, then stops. */
  async fenceBind(index: number): Promise<void> {
    const bind = this.binds.get(index);
    if (bind === undefined) return;
    await bind.fence();
    this.binds.delete(index);
  }

  /** Graceful: every bind stops claiming, finishes its window and unbinds. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.inDoubtTimer !== null) clearInterval(this.inDoubtTimer);
    this.inDoubtTimer = null;
    await Promise.all([...this.binds.keys()].map((index) => this.stopBind(index)));
  }

  private resolveInDoubt(): void {
    // The route's owners resolve its in-doubt messages; a node running none of its binds leaves them.
    if (this.resolving || this.binds.size === 0) return;
    this.resolving = true;
    const { store, route, logger } = this.deps;
    store
      .resolveInDoubt(route.id, route.inDoubtPolicy)
      .then((ids) => {
        if (ids.length === 0) return;
        logger.warn({ routeId: route.id, resent: ids.length }, 'in-doubt messages made ready again (policy resend)');
        for (const bind of this.binds.values()) bind.poke();
      })
      .catch((error: unknown) => logger.error({ err: error, routeId: route.id }, 'in-doubt resolution failed'))
      .finally(() => {
        this.resolving = false;
      });
  }
}
