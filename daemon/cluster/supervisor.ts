/**
 * The primary's side of the process model (docs/cluster.md, "Process model"): it forks
 * `cluster.workers` node:cluster workers that serve the client API on the shared port and run the
 * binds the IPC bind host hands them, restarts a worker that dies (the host gives its binds to the
 * other workers at once), forwards SIGHUP, sends every worker the node's bind list each second (the
 * dashboard), drains them on stop (stop accepting first; exit once the binds are handed over), and
 * serves /metrics aggregated over itself and every worker (prom-client's AggregatorRegistry.aggregate).
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../log.js';
import type { IpcBindHost } from './ipc-bind-host.js';
import { isFromWorker, isMetricsResponse, metricsRequest, type BindsReport, type MetricsRequest, type PrimaryToWorker, type RegistryJson } from './worker-messages.js';

/** A worker that does not answer a metrics request within this long is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2000;
/** A worker that died before it served waits this long before its restart, so a broken start does not spin. */
const FAILED_START_DELAY_MS = 1000;
/** A worker that has not closed its API, or exited, this long after it was asked is killed. */
const DRAIN_TIMEOUT_MS = 30_000;
/** How often every worker is sent the node's bind list. */
const BINDS_BROADCAST_MS = 1000;

export interface Supervisor {
  /** host:port of the client API the workers share. */
  readonly apiAddress: string;
  /** True while at least one worker serves the client API. */
  readonly serving: boolean;
  /** The primary's registry and the workers', aggregated, for the ops server. */
  readonly registry: Pick<Registry, 'contentType' | 'metrics'>;
  /** SIGHUP: every worker reloads provisioning. */
  reload(): void;
  /** Every worker stops accepting (closes the client API, finishes its requests); their binds run on. */
  stopAccepting(): Promise<void>;
  /** Every worker exits (after the binds were handed over); no more restarts. */
  drain(): Promise<void>;
}

export interface SupervisorDeps {
  readonly count: number;
  readonly primaryRegistry: Registry;
  readonly host: IpcBindHost;
  /** The node's bind list and callbacks in flight, sent to every worker for its dashboard. */
  readonly nodeBinds: () => BindsReport;
  readonly logger: Logger;
}

function sendTo(worker: Worker, message: PrimaryToWorker): boolean {
  if (!worker.isConnected()) return false;
  try {
    return worker.send(message);
  } catch {
    // The channel closed under us: the worker's exit follows.
    return false;
  }
}

export async function startSupervisor(deps: SupervisorDeps): Promise<Supervisor> {
  const { count, primaryRegistry, host, logger } = deps;
  const listening = new Set<number>();
  let draining = false;
  let nextRequest = 0;
  let apiAddress = '';

  const fork = (): Promise<void> => {
    const worker = cluster.fork();
    return new Promise((resolve) => {
      worker.on('message', (message: unknown) => {
        if (!isFromWorker(message)) return;
        if (message.type === 'worker.ready') {
          apiAddress = message.api;
          logger.info({ worker: worker.process.pid, workerId: worker.id, api: apiAddress }, 'worker serving');
          listening.add(worker.id);
          host.workerJoined({ id: worker.id, send: (m) => sendTo(worker, m), kill: () => worker.process.kill('SIGKILL') });
          resolve();
        } else if (message.type === 'bind.answer' || message.type === 'binds.report') {
          host.received(worker.id, message);
        }
      });
      worker.once('exit', (code, signal) => {
        const served = listening.delete(worker.id);
        host.workerLeft(worker.id);
        resolve();
        if (draining) return;
        logger.error({ worker: worker.process.pid, code, signal }, 'worker died: restarting it');
        if (served) void fork();
        else setTimeout(() => {
          if (!draining) void fork();
        }, FAILED_START_DELAY_MS);
      });
    });
  };
  await Promise.all(Array.from({ length: count }, fork));
  logger.info({ workers: count }, 'workers serving the client API');

  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected());
  const broadcast = setInterval(() => {
    const report = deps.nodeBinds();
    for (const worker of live()) sendTo(worker, report);
  }, BINDS_BROADCAST_MS);
  broadcast.unref();

  /**
   * Sends `request` to `worker` and resolves with the first answer `answerOf` recognises. A worker
   * that cannot be sent to, or exits, gives `fallback`; one that does not answer within `late.afterMs`
   * gives it too (a scrape goes on without it) or, with `late.kill`, is killed, and so exits.
   */
  const ask = <T>(worker: Worker, request: PrimaryToWorker, answerOf: (answer: unknown) => T | undefined, fallback: T, late: { afterMs: number; kill: boolean }): Promise<T> => new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (!late.kill) return finish(fallback);
      logger.error({ worker: worker.process.pid, request: request.type }, 'worker did not answer in time: killing it');
      worker.process.kill('SIGKILL');
    }, late.afterMs);
    function finish(answer: T): void {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', exited);
      resolve(answer);
    }
    function onMessage(message: unknown): void {
      const answer = answerOf(message);
      if (answer !== undefined) finish(answer);
    }
    function exited(): void {
      finish(fallback);
    }
    worker.on('message', onMessage);
    worker.once('exit', exited);
    if (!sendTo(worker, request)) finish(fallback);
  });

  const workerMetrics = (worker: Worker): Promise<RegistryJson[]> => {
    const request: MetricsRequest = metricsRequest(nextRequest++);
    return ask(worker, request, (answer) => (isMetricsResponse(answer, request.requestId) ? answer.metrics : undefined), [], { afterMs: METRICS_TIMEOUT_MS, kill: false });
  };

  /** Sends `message` to every live worker and waits until each passes `done` (or exits, or the drain timeout kills it). */
  const askAll = async (message: PrimaryToWorker, done: (answer: unknown) => boolean): Promise<void> => {
    await Promise.all(live().map((worker) => ask(worker, message, (answer) => (done(answer) ? true : undefined), true, { afterMs: DRAIN_TIMEOUT_MS, kill: true })));
  };

  return {
    get apiAddress() {
      return apiAddress;
    },
    get serving() {
      return listening.size > 0;
    },
    registry: {
      contentType: primaryRegistry.contentType,
      async metrics() {
        const perWorker = await Promise.all(live().map(workerMetrics));
        const all = [await primaryRegistry.getMetricsAsJSON(), ...perWorker.flat()];
        return AggregatorRegistry.aggregate(all).metrics();
      },
    },
    reload() {
      for (const worker of live()) worker.process.kill('SIGHUP');
    },
    async stopAccepting() {
      // A worker that dies from now on is not replaced: its binds go to the others, or end with it.
      draining = true;
      await askAll({ type: 'api.close' }, (answer) => isFromWorker(answer) && answer.type === 'api.closed');
      listening.clear();
    },
    async drain() {
      draining = true;
      clearInterval(broadcast);
      await askAll({ type: 'worker.exit' }, () => false);
    },
  };
}
