/**
 * Dispatch for one route on this node (docs/dispatch.md): one BindLoop per bind (local ownership:
 * this node owns every bind), and the route's in-doubt policy applied periodically.
 */
import { bindIdOf } from '../domain/ids.js';
import type { RouteRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import type { DeliverHandler } from '../smpp/esme-driver.js';
import type { BindEvents } from '../stats/metric-events.js';
import type { Store } from '../storage/port.js';
import { BindLoop, type BindLoopOptions, type BindStatus } from './bind-loop.js';
import type { ReservationLedger } from './reservation-ledger.js';

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

export class RouteDispatcher {
  private readonly options: RouteDispatcherOptions;
  private readonly binds: BindLoop[];
  private inDoubtTimer: NodeJS.Timeout | null = null;
  private resolving = false;

  constructor(private readonly deps: RouteDispatcherDeps) {
    this.options = { ...defaultRouteDispatcherOptions, ...deps.options };
    const { route } = deps;
    this.binds = Array.from(
      { length: route.binds },
      (_, index) =>
        new BindLoop({
          store: deps.store,
          route,
          bindIndex: index,
          bindId: bindIdOf(route.id, index),
          owner: deps.owner,
          ledger: deps.ledger,
          reservationOf: deps.reservationOf,
          onDeliver: deps.inbound(route, index),
          logger: deps.logger,
          options: this.options,
          events: deps.events,
        }),
    );
  }

  get route(): RouteRecord {
    return this.deps.route;
  }

  bindStatuses(): readonly BindStatus[] {
    return this.binds.map((bind) => bind.status());
  }

  async start(): Promise<void> {
    await Promise.all(this.binds.map((bind) => bind.start()));
    this.inDoubtTimer = setInterval(() => this.resolveInDoubt(), this.options.inDoubtIntervalMs);
  }

  /** Graceful: every bind stops claiming, finishes its window and unbinds. */
  async stop(): Promise<void> {
    if (this.inDoubtTimer !== null) clearInterval(this.inDoubtTimer);
    this.inDoubtTimer = null;
    await Promise.all(this.binds.map((bind) => bind.stop()));
  }

  private resolveInDoubt(): void {
    if (this.resolving) return;
    this.resolving = true;
    const { store, route, logger } = this.deps;
    store
      .resolveInDoubt(route.id, route.inDoubtPolicy)
      .then((ids) => {
        if (ids.length === 0) return;
        logger.warn({ routeId: route.id, resent: ids.length }, 'in-doubt messages made ready again (policy resend)');
        for (const bind of this.binds) bind.poke();
      })
      .catch((error: unknown) => logger.error({ err: error, routeId: route.id }, 'in-doubt resolution failed'))
      .finally(() => {
        this.resolving = false;
      });
  }
}
