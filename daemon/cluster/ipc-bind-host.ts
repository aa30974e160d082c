/**
 * The primary's bind host (docs/cluster.md, "Process model"): with `cluster.workers` > 1 the binds
 * this node owns run in its node:cluster workers. Each bind goes to the live worker that runs the
 * fewest, with the coordinator's lease deadline; every renewal is forwarded to every worker (which
 * fences a bind by itself once the last deadline it heard of has passed). A stop or fence resolves
 * when the worker holding the bind answers, or dies; one that does not answer a stop within
 * `answerTimeoutMs` is killed, so that a released bind never still runs. When a worker dies its binds
 * go at once to the other live workers (or to the next one that joins): the ownership stays with the
 * node, and the new worker raises the bind's store epoch, which fences whatever the dead one left.
 * No I/O of its own: it talks to workers through WorkerChannel, and the supervisor feeds it events.
 */
import { bindName } from '../../cluster/planner.js';
import type { BindStatus } from '../dispatch/bind-loop.js';
import type { RemoteBindHost, RouteBinds } from '../dispatch/route-binds.js';
import type { RouteRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import { toWire, type BindAnswer, type BindsReport, type PrimaryToWorker } from './worker-messages.js';

/** One worker as the host sees it. */
export interface WorkerChannel {
  readonly id: number;
  /** Sends a message; false when the channel is already closed (the worker's exit follows). */
  send(message: PrimaryToWorker): boolean;
  /** Ends the worker at once (it did not answer in time); its exit is reported as for any death. */
  kill(): void;
}

export interface IpcBindHostOptions {
  /** A worker that has not answered a stop or fence this long after it was asked is killed. */
  readonly answerTimeoutMs: number;
  /** A bind that a worker failed to start after a reassignment is placed again after this long. */
  readonly retryDelayMs: number;
}

export const defaultIpcBindHostOptions: IpcBindHostOptions = { answerTimeoutMs: 60_000, retryDelayMs: 1000 };

interface HostedBind {
  readonly resource: string;
  readonly route: RouteRecord;
  readonly index: number;
  validUntilMs: number;
  /** The worker running it (or starting it); null while it waits for a worker. */
  worker: number | null;
  /** Resolves when a worker first reports it started; rejects if that first start failed. */
  readonly started: Promise<void>;
  settleStarted(error?: Error): void;
  everStarted: boolean;
}

interface PendingRequest {
  readonly worker: number;
  answered(error: string | undefined): void;
  /** The worker died before it answered. */
  gone(): void;
}

export class IpcBindHost implements RemoteBindHost {
  private readonly options: IpcBindHostOptions;
  private readonly workers = new Map<number, WorkerChannel>();
  private readonly binds = new Map<string, HostedBind>();
  private readonly requests = new Map<number, PendingRequest>();
  private readonly reports = new Map<number, BindsReport>();
  private nextRequest = 0;
  private closed = false;

  constructor(private readonly deps: { readonly logger: Logger; readonly options?: Partial<IpcBindHostOptions> }) {
    this.options = { ...defaultIpcBindHostOptions, ...deps.options };
  }

  /** A worker serves: it takes binds from now on, first those waiting for a worker. */
  workerJoined(channel: WorkerChannel): void {
    this.workers.set(channel.id, channel);
    for (const bind of this.binds.values()) if (bind.worker === null) this.place(bind);
  }

  /** A worker died (or exited): requests to it are over, its binds go to the other workers. */
  workerLeft(id: number): void {
    if (!this.workers.delete(id)) return;
    this.reports.delete(id);
    for (const [requestId, request] of this.requests) {
      if (request.worker !== id) continue;
      this.requests.delete(requestId);
      request.gone();
    }
    const orphaned = [...this.binds.values()].filter((bind) => bind.worker === id);
    for (const bind of orphaned) bind.worker = null;
    if (orphaned.length > 0 && !this.closed) this.deps.logger.warn({ worker: id, binds: orphaned.map((b) => b.resource) }, 'worker died: its binds go to other workers');
    for (const bind of orphaned) this.place(bind);
  }

  /** A message a worker sent. */
  received(worker: number, message: BindAnswer | BindsReport): void {
    if (message.type === 'binds.report') {
      if (this.workers.has(worker)) this.reports.set(worker, message);
      return;
    }
    const request = this.requests.get(message.requestId);
    if (request === undefined || request.worker !== worker) return;
    this.requests.delete(message.requestId);
    request.answered(message.error);
  }

  /** The coordinator confirmed the node's lease until `validUntilMs`: every worker hears it. */
  renewed(validUntilMs: number): void {
    for (const bind of this.binds.values()) bind.validUntilMs = Math.max(bind.validUntilMs, validUntilMs);
    for (const channel of this.workers.values()) channel.send({ type: 'lease.renewed', validUntilMs: toWire(validUntilMs) });
  }

  /** No bind is placed any more (the node is stopping and has handed every bind over). */
  close(): void {
    this.closed = true;
  }

  routeBinds(route: RouteRecord): RouteBinds {
    return {
      route,
      startBind: (index, validUntilMs) => this.startBind(route, index, validUntilMs),
      stopBind: (index) => this.endBind('bind.stop', route.id, index),
      fenceBind: (index) => this.endBind('bind.fence', route.id, index),
      start: () => undefined,
      stop: async () => {
        await Promise.all([...this.binds.values()].filter((bind) => bind.route === route).map((bind) => this.endBind('bind.stop', route.id, bind.index)));
      },
      bindStatuses: () => this.bindStatuses().filter((status) => status.routeId === route.id),
    };
  }

  bindStatuses(): readonly BindStatus[] {
    return [...this.reports.values()].flatMap((report) => report.statuses);
  }

  get callbacksInFlight(): number {
    return [...this.reports.values()].reduce((sum, report) => sum + report.callbacksInFlight, 0);
  }

  /** Which worker runs each bind now (null: waiting for one), for logs and tests. */
  placement(): ReadonlyMap<string, number | null> {
    return new Map([...this.binds].map(([resource, bind]) => [resource, bind.worker]));
  }

  /**
   * Resolves once a worker has raised the bind's store epoch, or at once when no worker serves (it
   * waits for the next); rejects if the first worker it was sent to could not start it.
   */
  startBind(route: RouteRecord, index: number, validUntilMs: number): Promise<void> {
    const resource = bindName(route.id, index);
    const existing = this.binds.get(resource);
    if (existing !== undefined) return existing.started;
    let settle: (error?: Error) => void = () => undefined;
    const started = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    const bind: HostedBind = { resource, route, index, validUntilMs, worker: null, started, settleStarted: settle, everStarted: false };
    this.binds.set(resource, bind);
    this.place(bind);
    return started;
  }

  private endBind(type: 'bind.stop' | 'bind.fence', routeId: string, index: number): Promise<void> {
    const bind = this.binds.get(bindName(routeId, index));
    if (bind === undefined) return Promise.resolve();
    this.binds.delete(bind.resource);
    // A start still waiting ends with the bind: the ownership that asked for it is being given up.
    bind.settleStarted();
    const channel = bind.worker === null ? undefined : this.workers.get(bind.worker);
    if (channel === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.deps.logger.error({ worker: channel.id, bind: bind.resource, request: type }, 'worker did not answer in time: killing it');
        channel.kill();
      }, this.options.answerTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.request(channel, (requestId) => ({ type, requestId, routeId, index }), {
        answered: done,
        gone: done,
      });
    });
  }

  /** Sends the bind to the live worker with the fewest binds (the first joined on a tie), or leaves it waiting. */
  private place(bind: HostedBind): void {
    if (this.closed || this.binds.get(bind.resource) !== bind) return;
    const load = new Map([...this.workers.keys()].map((id) => [id, 0]));
    for (const other of this.binds.values()) if (other.worker !== null && load.has(other.worker)) load.set(other.worker, load.get(other.worker)! + 1);
    let chosen: WorkerChannel | undefined;
    for (const [id, count] of load) if (chosen === undefined || count < load.get(chosen.id)!) chosen = this.workers.get(id);
    if (chosen === undefined) {
      bind.worker = null;
      // The planning round that acquired it does not wait for a worker (a drain would wait for the round):
      // it counts as started, and the next worker to join runs it (retrying if that start fails).
      bind.everStarted = true;
      bind.settleStarted();
      return;
    }
    const channel = chosen;
    bind.worker = channel.id;
    this.request(channel, (requestId) => ({ type: 'bind.start', requestId, route: bind.route, index: bind.index, validUntilMs: toWire(bind.validUntilMs) }), {
      answered: (error) => {
        if (this.binds.get(bind.resource) !== bind || bind.worker !== channel.id) return;
        if (error === undefined) {
          bind.everStarted = true;
          bind.settleStarted();
          this.deps.logger.info({ bind: bind.resource, worker: channel.id }, 'bind runs in a worker');
          return;
        }
        if (!bind.everStarted) {
          this.binds.delete(bind.resource);
          bind.settleStarted(new Error(error));
          return;
        }
        // The node still owns it: another try soon, on whichever worker has the fewest binds then.
        this.deps.logger.error({ bind: bind.resource, worker: channel.id, error }, 'bind not started in its new worker; trying again');
        bind.worker = null;
        setTimeout(() => this.place(bind), this.options.retryDelayMs).unref();
      },
      // The worker died before it answered: workerLeft places the bind again.
      gone: () => undefined,
    });
  }

  private request(channel: WorkerChannel, build: (requestId: number) => PrimaryToWorker, pending: Omit<PendingRequest, 'worker'>): void {
    const requestId = this.nextRequest++;
    this.requests.set(requestId, { worker: channel.id, ...pending });
    // A closed channel means the worker is exiting: workerLeft settles the request.
    channel.send(build(requestId));
  }
}
