/**
 * A worker's side of bind hosting (docs/cluster.md, "Process model"): runs the binds the primary
 * hands it and answers each request once done (a start once the bind's store epoch is raised, a stop
 * or fence once the bind stopped). Each bind runs under the last lease deadline the worker heard of
 * (with the bind, or from a renewal); when the wall clock passes it, the worker fences the bind
 * itself, because the primary's own fence order can arrive late over IPC.
 */
import { bindName } from '../../cluster/planner.js';
import type { RouteRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import { fromWire, type BindAnswer, type BindEnd, type BindStart, type LeaseRenewed } from './worker-messages.js';

/** What runs the binds in this process (the worker's DeliveryService). */
export interface BindRunner {
  runBind(route: RouteRecord, index: number): Promise<void>;
  stopBind(routeId: string, index: number): Promise<void>;
  fenceBind(routeId: string, index: number): Promise<void>;
}

/** setTimeout's longest delay; a later deadline is checked again when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

interface RunningBind {
  readonly routeId: string;
  readonly index: number;
  validUntilMs: number;
  timer: NodeJS.Timeout | null;
}

export class WorkerBinds {
  private readonly running = new Map<string, RunningBind>();
  private readonly clock: () => number;

  constructor(private readonly deps: {
    readonly runner: BindRunner;
    readonly answer: (message: BindAnswer) => void;
    readonly logger: Logger;
    readonly clock?: () => number;
  }) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Binds running here now. */
  get binds(): readonly string[] {
    return [...this.running.keys()];
  }

  handle(message: BindStart | BindEnd | LeaseRenewed): void {
    if (message.type === 'lease.renewed') {
      const until = fromWire(message.validUntilMs);
      for (const bind of this.running.values()) bind.validUntilMs = Math.max(bind.validUntilMs, until);
      return;
    }
    if (message.type === 'bind.start') {
      void this.start(message);
      return;
    }
    const resource = bindName(message.routeId, message.index);
    this.forget(resource);
    const end = message.type === 'bind.stop' ? this.deps.runner.stopBind(message.routeId, message.index) : this.deps.runner.fenceBind(message.routeId, message.index);
    void this.answerWhen(message.requestId, end);
  }

  /** Stops the deadline timers (the worker is exiting and stops its binds itself). */
  close(): void {
    for (const resource of [...this.running.keys()]) this.forget(resource);
  }

  private async start(message: BindStart): Promise<void> {
    const { route, index, requestId } = message;
    const resource = bindName(route.id, index);
    const validUntilMs = fromWire(message.validUntilMs);
    if (this.clock() >= validUntilMs) {
      this.deps.answer({ type: 'bind.answer', requestId, error: 'the lease deadline passed before the bind started' });
      return;
    }
    this.forget(resource);
    const bind: RunningBind = { routeId: route.id, index, validUntilMs, timer: null };
    this.running.set(resource, bind);
    this.arm(resource, bind);
    const run = this.deps.runner.runBind(route, index);
    run.catch(() => {
      if (this.running.get(resource) === bind) this.forget(resource);
    });
    await this.answerWhen(requestId, run);
  }

  private arm(resource: string, bind: RunningBind): void {
    if (!Number.isFinite(bind.validUntilMs)) return;
    bind.timer = setTimeout(() => {
      bind.timer = null;
      if (this.running.get(resource) !== bind) return;
      if (this.clock() < bind.validUntilMs) {
        this.arm(resource, bind);
        return;
      }
      this.running.delete(resource);
      this.deps.logger.warn({ bind: resource, validUntilMs: bind.validUntilMs }, 'lease deadline passed without a renewal: fencing the bind');
      this.deps.runner.fenceBind(bind.routeId, bind.index).catch((error: unknown) => this.deps.logger.error({ err: error, bind: resource }, 'fenced bind did not stop cleanly'));
    }, Math.min(MAX_TIMER_MS, Math.max(0, bind.validUntilMs - this.clock())));
  }

  private forget(resource: string): void {
    const bind = this.running.get(resource);
    if (bind === undefined) return;
    if (bind.timer !== null) clearTimeout(bind.timer);
    this.running.delete(resource);
  }

  private async answerWhen(requestId: number, work: Promise<void>): Promise<void> {
    try {
      await work;
      this.deps.answer({ type: 'bind.answer', requestId });
    } catch (error) {
      this.deps.answer({ type: 'bind.answer', requestId, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
