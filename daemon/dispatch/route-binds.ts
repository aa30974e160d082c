/**
 * What bind ownership (bind-ownership.ts) asks of a route on this node: run, stop or fence one of
 * its binds. In one process the RouteDispatcher runs them itself; with `cluster.workers` > 1 the
 * primary's HostedRouteBinds hands them to worker processes (daemon/cluster/ipc-bind-host.ts).
 */
import type { RouteRecord } from '../domain/provisioning.js';
import type { BindStatus } from './bind-loop.js';

export interface RouteBinds {
  readonly route: RouteRecord;
  /**
   * Runs bind `index` (this node now owns it) with a fresh store epoch; resolves once that epoch is
   * raised. `validUntilMs`: the coordinator's lease deadline, which a process other than the
   * coordinator's holds itself to (IPC can lag); a RouteDispatcher in the coordinator's own process
   * needs no copy of it (the ownership's `lost` signal reaches it directly).
   */
  startBind(index: number, validUntilMs: number): Promise<void>;
  /** Graceful: bind `index` stops claiming, finishes its window and unbinds. */
  stopBind(index: number): Promise<void>;
  /** Ownership lost: bind `index` submits nothing more, then stops. */
  fenceBind(index: number): Promise<void>;
  /** Periodic work of the route (the in-doubt policy of a RouteDispatcher). */
  start(): void;
  /** Stops every bind of the route gracefully. */
  stop(): Promise<void>;
  /** The binds of the route running now (the operator dashboard). */
  bindStatuses(): readonly BindStatus[];
}

/**
 * Runs this node's binds outside this process (the primary's IPC host, daemon/cluster/ipc-bind-host.ts):
 * a route's binds as RouteBinds, and what its workers report, for the dashboard.
 */
export interface RemoteBindHost {
  routeBinds(route: RouteRecord): RouteBinds;
  bindStatuses(): readonly BindStatus[];
  /** Callback requests in flight in the workers, as last reported. */
  readonly callbacksInFlight: number;
}
