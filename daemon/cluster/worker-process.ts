/**
 * A node:cluster worker of the process model (docs/cluster.md, "Process model"): it serves the
 * client API (and the web pages) on the port it shares with the other workers, keeps its own
 * metrics registry for the primary to aggregate, reloads provisioning on SIGHUP and drains on
 * SIGTERM (stop accepting, finish requests, exit 0). Dispatch, callbacks and the cluster are the
 * primary's. Client rates: through Redis when `limits.redisUrl` is set, else each worker holds its
 * share (rate divided by the workers), so that the node as a whole keeps the client's rate.
 */
import { createIntakeLimiter, intakeLimitOf } from '../api/intake-limiter.js';
import { startApiServer } from '../api/server.js';
import type { Config } from '../config/schema.js';
import type { ClientId } from '../domain/ids.js';
import { createInProcessLimiter, type Limiter } from '../limits/limiter.js';
import { createRedisLimiter } from '../limits/redis-limiter.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../stats/metrics.js';
import { openStore } from '../storage/open.js';
import { openProvisioningCache, type ProvisioningCache } from '../storage/provisioning-cache.js';
import { webExtension } from '../web/web.js';
import { redisConnectionOf } from './node-cluster.js';
import { isMetricsRequest, type MetricsResponse, type WorkerReady } from './worker-messages.js';

function workerLimiter(config: Config, provisioning: ProvisioningCache, logger: ReturnType<typeof createLogger>): Limiter & { close?: () => Promise<void> } {
  const workers = config.cluster.workers;
  const { redisUrl } = config.limits;
  if (redisUrl !== null) {
    return createRedisLimiter({ connection: redisConnectionOf(redisUrl), limitOf: intakeLimitOf(provisioning), liveNodes: () => workers, log: logger });
  }
  if (workers === 1) return createIntakeLimiter(provisioning, Date.now);
  return createInProcessLimiter((key) => {
    const maxTps = provisioning.clientById(key as ClientId)?.maxTps ?? null;
    if (maxTps === null) return null;
    const share = maxTps / workers;
    return { ratePerS: share, capacity: Math.max(1, share) };
  }, Date.now);
}

export async function runWorker(config: Config): Promise<void> {
  const logger = createLogger(config.log.level).child({ worker: process.pid });
  const store = await openStore(config);
  const provisioning = await openProvisioningCache(store, { pollIntervalMs: config.provisioning.pollIntervalMs, logger });
  const metrics = createMetrics({ config, store });
  const limiter = workerLimiter(config, provisioning, logger);
  const extensions = config.web.enabled ? [webExtension({ config, store, provisioning, logger, delivery: null })] : [];
  const api = await startApiServer({ config, store, provisioning, logger, limiter, events: metrics.acceptance, extensions });

  process.on('message', (message: unknown) => {
    if (!isMetricsRequest(message)) return;
    void metrics.registry.getMetricsAsJSON().then((json) => {
      // Gauges read from the store and bind states are the primary's: summing them over workers would count them again.
      const own = json.filter((m) => !(String(m.type) === 'gauge' && m.name.startsWith('smsproc_')));
      const response: MetricsResponse = { type: 'metrics.response', requestId: message.requestId, metrics: [own] };
      process.send?.(response);
    });
  });
  const ready: WorkerReady = { type: 'worker.ready', api: `${api.host.includes(':') ? `[${api.host}]` : api.host}:${api.port}` };
  process.send?.(ready);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      try {
        await api.close();
        await limiter.close?.();
        provisioning.close();
        await store.close();
      } catch (error) {
        logger.error({ err: error }, 'worker shutdown step failed');
      }
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  // Ctrl-C reaches the whole process group: the primary drains the workers itself, in its order.
  process.on('SIGINT', () => undefined);
  // The primary is gone (killed): nobody restarts or drains this worker any more.
  process.on('disconnect', stop);
  process.on('SIGHUP', () => {
    provisioning.refresh().catch((error: unknown) => logger.error({ err: error }, 'provisioning reload failed'));
  });
}
