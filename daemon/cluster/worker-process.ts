/**
 * A node:cluster worker of the process model (docs/cluster.md, "Process model"): it serves the
 * client API (and the web pages) on the port it shares with the other workers, runs the operator
 * binds the primary hands it (their SMPP sessions, dispatch loops, receipts and MO) under the lease
 * deadline the primary forwards, sends the HTTP callbacks (the SMPP server's channel events, and the
 * dead-letter check of those no node claimed, are the primary's), takes part in the cluster's reservation counts (Redis), keeps its own metrics registry for the primary to
 * aggregate, reloads provisioning on SIGHUP, stops accepting on SIGTERM and exits when the primary
 * has handed its binds over. Client rates: through Redis when `limits.redisUrl` is set, else each
 * worker holds its share (rate divided by the workers), so that the node as a whole keeps the
 * client's rate. Failed web logins likewise: counted in Redis with `limits.redisUrl`, else (and while
 * Redis does not answer) this worker's share of the limit.
 */
import cluster from 'node:cluster';
import { intakeLimitOf } from '../api/intake-limiter.js';
import { startApiServer } from '../api/server.js';
import type { Config } from '../config/schema.js';
import { DeliveryService } from '../dispatch/delivery-service.js';
import { createInProcessLimiter, shareOfLimit, type Limiter } from '../limits/limiter.js';
import { createRedisLimiter } from '../limits/redis-limiter.js';
import { openReservationLedger } from '../limits/redis-reservations.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../stats/metrics.js';
import { openStore } from '../storage/open.js';
import { openProvisioningCache, type ProvisioningCache } from '../storage/provisioning-cache.js';
import type { DeliveryReadout } from '../web/dashboard.js';
import { webExtension } from '../web/web.js';
import { redisConnectionOf } from './node-cluster.js';
import { WorkerBinds } from './worker-binds.js';
import { isFromPrimary, type BindsReport, type MetricsResponse, type WorkerReady, type WorkerToPrimary } from './worker-messages.js';

/** How often a worker reports its binds to the primary (the dashboard's bind list). */
const REPORT_INTERVAL_MS = 1000;

/** `processes`: this worker and every other sharing the cluster's limits (live nodes × workers), for the Redis fallback. */
function workerLimiter(config: Config, provisioning: ProvisioningCache, processes: () => number, logger: ReturnType<typeof createLogger>): Limiter & { close?: () => Promise<void> } {
  const workers = config.cluster.workers;
  const { redisUrl } = config.limits;
  if (redisUrl !== null) {
    return createRedisLimiter({ connection: redisConnectionOf(redisUrl), limitOf: intakeLimitOf(provisioning), liveNodes: processes, log: logger });
  }
  return createInProcessLimiter(shareOfLimit(intakeLimitOf(provisioning), () => workers), Date.now);
}

export async function runWorker(config: Config): Promise<void> {
  const logger = createLogger(config.log.level).child({ worker: process.pid });
  const send = (message: WorkerToPrimary): void => {
    if (process.connected) process.send?.(message);
  };
  // This worker's share of the node's connections, named after it (node:cluster's id, new on each restart).
  const store = await openStore(config, { role: 'worker', id: cluster.worker?.id ?? process.pid });
  const provisioning = await openProvisioningCache(store, { pollIntervalMs: config.provisioning.pollIntervalMs, logger });
  // The store-read gauges come once from the primary; a bind's gauge from the worker that runs it.
  const metrics = createMetrics({ config, store, storeGauges: false });
  // While Redis does not answer, each process keeps its share of a cluster-wide rate: live nodes (as the
  // primary last reported them) times this node's workers.
  let liveNodes = 1;
  const processes = (): number => liveNodes * config.cluster.workers;
  const limiter = workerLimiter(config, provisioning, processes, logger);
  // Every worker running binds takes part in the cluster's reservation counts.
  const reservations = openReservationLedger(config, { liveNodes: processes, onReachable: (up) => metrics.cluster.dependencyUp('redis', up), log: logger });
  const delivery = new DeliveryService({
    config,
    store,
    provisioning,
    logger,
    events: metrics.delivery,
    placement: { runs: 'when-told' },
    ledger: reservations.ledger,
    // HTTP callbacks only (no SMPP channel here: the primary sends those); leases name their holder, each worker its own.
    callbackOwner: `${config.node.id}/${process.pid}`,
  });
  await delivery.start();
  const binds = new WorkerBinds({
    runner: {
      runBind: (route, index) => delivery.runBind(route, index),
      stopBind: (routeId, index) => delivery.stopRunningBind(routeId, index),
      fenceBind: (routeId, index) => delivery.fenceRunningBind(routeId, index),
    },
    answer: send,
    logger,
  });
  // The dashboard lists the node's binds, whichever worker runs them, and the cluster: the primary's last report of them all.
  let nodeBinds: BindsReport = { type: 'binds.report', statuses: [], callbacksInFlight: 0 };
  const readout: DeliveryReadout = {
    bindStatuses: () => nodeBinds.statuses,
    get callbacksInFlight() {
      return nodeBinds.callbacksInFlight;
    },
  };
  const extensions = config.web.enabled ? [webExtension({ config, store, provisioning, logger, delivery: readout, cluster: () => nodeBinds.cluster ?? null, loginThrottleShare: 1 / config.cluster.workers, liveNodes: () => liveNodes })] : [];
  const api = await startApiServer({ config, store, provisioning, logger, limiter, events: metrics.acceptance, extensions });
  const reporter = setInterval(() => {
    send({ type: 'binds.report', statuses: delivery.bindStatuses(), callbacksInFlight: delivery.callbacksInFlight });
  }, REPORT_INTERVAL_MS);

  let apiClosing: Promise<void> | null = null;
  const closeApi = (): Promise<void> => {
    apiClosing ??= api.close().catch((error: unknown) => logger.error({ err: error }, 'client API did not close cleanly'));
    return apiClosing;
  };
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(reporter);
    void (async () => {
      try {
        await closeApi();
        // Binds the primary did not hand over (it died) stop gracefully here, still under their deadlines.
        await delivery.stop();
        binds.close();
        await limiter.close?.();
        await reservations.close();
        provisioning.close();
        await store.close();
      } catch (error) {
        logger.error({ err: error }, 'worker shutdown step failed');
      }
      process.exit(0);
    })();
  };

  process.on('message', (message: unknown) => {
    if (!isFromPrimary(message)) return;
    switch (message.type) {
      case 'metrics.request':
        void metrics.registry.getMetricsAsJSON().then((json) => {
          const response: MetricsResponse = { type: 'metrics.response', requestId: message.requestId, metrics: [json] };
          send(response);
        });
        return;
      case 'bind.start':
      case 'bind.stop':
      case 'bind.fence':
      case 'lease.renewed':
        binds.handle(message);
        return;
      case 'binds.report':
        nodeBinds = message;
        liveNodes = Math.max(1, message.liveNodes ?? liveNodes);
        return;
      case 'api.close':
        void closeApi().then(() => send({ type: 'api.closed' }));
        return;
      case 'worker.exit':
        stop();
        return;
    }
  });
  const ready: WorkerReady = { type: 'worker.ready', api: `${api.host.includes(':') ? `[${api.host}]` : api.host}:${api.port}` };
  send(ready);

  // systemd signals the whole control group: stop accepting, and leave the binds to the primary's drain.
  process.on('SIGTERM', () => void closeApi());
  // Ctrl-C reaches the whole process group: the primary drains the workers itself, in its order.
  process.on('SIGINT', () => undefined);
  // The primary is gone (killed): nobody forwards deadlines, restarts or drains this worker any more.
  process.on('disconnect', stop);
  process.on('SIGHUP', () => {
    provisioning.refresh().catch((error: unknown) => logger.error({ err: error }, 'provisioning reload failed'));
  });
}
