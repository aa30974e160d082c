/**
 * The primary's side of the process model (docs/cluster.md, "Process model"): it forks
 * `cluster.workers` node:cluster workers that serve the client API on the shared port, restarts a
 * worker that dies, forwards SIGHUP, drains them on stop, and serves /metrics aggregated over itself
 * and every worker (prom-client's AggregatorRegistry.aggregate).
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { isMetricsResponse, metricsRequest, type MetricsRequest, type RegistryJson, type WorkerReady } from './worker-messages.js';

/** A worker that does not answer a metrics request within this long is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2000;
/** A worker that died before it served waits this long before its restart, so a broken start does not spin. */
const FAILED_START_DELAY_MS = 1000;
/** A worker that has not exited this long after its drain was asked is killed. */
const DRAIN_TIMEOUT_MS = 30_000;

export interface Supervisor {
  /** host:port of the client API the workers share. */
  readonly apiAddress: string;
  /** True while at least one worker serves the client API. */
  readonly serving: boolean;
  /** The primary's registry and the workers', aggregated, for the ops server. */
  readonly registry: Pick<Registry, 'contentType' | 'metrics'>;
  /** SIGHUP: every worker reloads provisioning. */
  reload(): void;
  /** Every worker stops accepting, finishes its requests and exits; no more restarts. */
  drain(): Promise<void>;
}

export async function startSupervisor(deps: { count: number; primaryRegistry: Registry; logger: Logger }): Promise<Supervisor> {
  const { count, primaryRegistry, logger } = deps;
  const listening = new Set<number>();
  let draining = false;
  let nextRequest = 0;
  let apiAddress = '';

  const fork = (): Promise<void> => {
    const worker = cluster.fork();
    return new Promise((resolve) => {
      worker.on('message', (message: WorkerReady | object) => {
        if ('type' in message && message.type === 'worker.ready') {
          apiAddress = (message as WorkerReady).api;
          logger.info({ worker: worker.process.pid, api: apiAddress }, 'worker serving');
          listening.add(worker.id);
          resolve();
        }
      });
      worker.once('exit', (code, signal) => {
        const served = listening.delete(worker.id);
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

  const workerMetrics = (worker: Worker): Promise<RegistryJson[]> => new Promise((resolve) => {
    const request: MetricsRequest = metricsRequest(nextRequest++);
    const timer = setTimeout(() => finish([]), METRICS_TIMEOUT_MS);
    function finish(metrics: RegistryJson[]): void {
      clearTimeout(timer);
      worker.off('message', onMessage);
      resolve(metrics);
    }
    function onMessage(message: unknown): void {
      if (isMetricsResponse(message, request.requestId)) finish(message.metrics);
    }
    worker.on('message', onMessage);
    try {
      worker.send(request);
    } catch {
      finish([]);
    }
  });

  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected());

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
    async drain() {
      draining = true;
      await Promise.all(live().map((worker) => new Promise<void>((resolve) => {
        const timer = setTimeout(() => worker.process.kill('SIGKILL'), DRAIN_TIMEOUT_MS);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.process.kill('SIGTERM');
      })));
    },
  };
}
