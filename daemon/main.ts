#!/usr/bin/env node
/**
 * smsprocd: one node. By default one process (the embedded default: the SQLite store needs one
 * writer): it serves the client API, keeps the queue maintained and delivers (every bind of every
 * enabled route, receipts, MO, callbacks). With `cluster.workers` > 1 on a shared store, node:cluster
 * workers serve the client API and run the binds this primary owns and hands them over IPC; the
 * primary keeps the coordinator, the queue sweep and the SMPP server (docs/cluster.md, "Process model").
 * With --seed-demo it also runs the built-in SMSC simulator the demo route uses.
 */
import nodeCluster from 'node:cluster';
import { Command } from 'commander';
import { SINGLE_PROCESS } from './cluster/connection-shares.js';
import { IpcBindHost } from './cluster/ipc-bind-host.js';
import { joinCluster } from './cluster/node-cluster.js';
import { startSupervisor, type Supervisor } from './cluster/supervisor.js';
import { runWorker } from './cluster/worker-process.js';
import { ConfigError, loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { startApiServer, type ApiServer } from './api/server.js';
import { DeliveryService } from './dispatch/delivery-service.js';
import { seedEmbeddedDemo, startDemoSimulator, type DemoCredentials } from './embedded-demo.js';
import { openReservationLedger } from './limits/redis-reservations.js';
import { createLogger, type Logger } from './log.js';
import { startSmppServer } from './smpp-server/smpp-server.js';
import { createMetrics } from './stats/metrics.js';
import { startOperations } from './stats/operations.js';
import { startPayoutWorker } from './scenarios/payout-worker.js';
import { openStore } from './storage/open.js';
import { openProvisioningCache } from './storage/provisioning-cache.js';
import { webExtension } from './web/web.js';
import type { Store } from './storage/port.js';

const EX_CONFIG = 78;
/** Where the built-in SMSC simulator listens with --seed-demo; the demo route points there. */
const SIMULATOR_PORT = 2775;

function printDemoHelp(config: Config, api: ApiServer, credentials: DemoCredentials): void {
  const host = api.host.includes(':') ? `[${api.host}]` : api.host;
  const base = `${api.tls ? 'https' : 'http'}://${host}:${api.port}`;
  process.stderr.write(
    [
      '',
      'smsproc is running on its embedded default (SQLite store, one node).',
      `Demo account: login ${credentials.login}, password ${credentials.password} (100 free SMS segments, sender "${config.demo.senderName}").`,
      'Send a first SMS:',
      `  curl -s -H 'Authorization: Bearer ${credentials.apiToken}' -d to=79161234567 -d 'text=Hello from smsproc' ${base}/api/v1/sms`,
      'See its status (put the id from the answer):',
      `  curl -s -H 'Authorization: Bearer ${credentials.apiToken}' ${base}/api/v1/messages/<id>`,
      ...(config.web.enabled ? [`Statistics (log in with the demo login and password): ${base}/stats`] : []),
      `Messages go over SMPP to the built-in SMSC simulator on 127.0.0.1:${SIMULATOR_PORT}; it sends a delivery`,
      'receipt after 100 ms and the status becomes "delivered".',
      'Ctrl-C stops smsproc.',
      '',
    ].join('\n'),
  );
}

async function shutdown(logger: Logger, steps: ReadonlyArray<[string, () => Promise<void>]>): Promise<void> {
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      logger.error({ err: error, step: name }, 'shutdown step failed');
    }
  }
}

async function run(options: { config?: string; seedDemo?: boolean }): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({ file: options.config, env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`smsprocd: ${error.message}\n`);
      process.exit(EX_CONFIG);
    }
    throw error;
  }
  // With cluster.workers > 1 (docs/cluster.md, "Process model") workers serve the client API and run the binds this primary owns.
  const workers = config.cluster.workers > 1;
  if (workers && config.store.kind === 'sqlite') {
    process.stderr.write('smsprocd: cluster.workers > 1 needs a shared store (store.kind postgres or oracle), not sqlite\n');
    process.exit(EX_CONFIG);
  }
  if (workers && nodeCluster.isWorker) return runWorker(config);
  const logger = createLogger(config.log.level);
  // With workers the node's connections are split between the processes (docs/cluster.md, "Process model").
  const store: Store = await openStore(config, workers ? { role: 'primary' } : SINGLE_PROCESS);
  const credentials = options.seedDemo === true ? await seedEmbeddedDemo(store, config, SIMULATOR_PORT) : null;
  const provisioning = await openProvisioningCache(store, { pollIntervalMs: config.provisioning.pollIntervalMs, logger });
  const simulator = options.seedDemo === true
    ? await startDemoSimulator(SIMULATOR_PORT, logger).catch((error: unknown) => {
      // Another simulator may already listen there; the demo route binds to whichever answers.
      logger.warn({ err: error, port: SIMULATOR_PORT }, 'built-in SMSC simulator not started');
      return null;
    })
    : null;

  // Metrics, the ops port (/metrics, /health/*) and systemd readiness: docs/metrics.md, docs/deploy-systemd.md.
  const metrics = createMetrics({ config, store });
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    store
      .sweepMt()
      .then((result) => {
        metrics.swept(result);
        if (result.expired + result.inDoubt + result.promoted + result.receiptsUnmatched > 0) logger.info({ sweep: result }, 'queue sweep');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'queue sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  }, config.queue.sweepIntervalMs);

  // The cluster (docs/cluster.md): who owns which bind, pool roles, cluster-wide client limits.
  const cluster = await joinCluster({ config, store, provisioning, logger, events: metrics.cluster });
  // SMPP access for clients (off by default); HTTP and SMPP share one intake ceiling per client.
  const limiter = cluster.limiter;
  const smppServer = config.smppServer.enabled ? await startSmppServer({ config, store, provisioning, logger, limiter, bindLimit: cluster.bindLimit() }) : null;
  // Client reservations across nodes (docs/scheduling.md): counted in Redis when limits.redisUrl is set;
  // with workers each worker that runs binds takes part instead.
  const reservations = workers ? null : openReservationLedger(config, { liveNodes: () => cluster.coordinator.members().length, onReachable: (up) => metrics.cluster.dependencyUp('redis', up), log: logger });
  // With workers, the binds this node owns run in them: the workers serve before the first planning round hands them binds.
  const host = workers ? new IpcBindHost({ logger }) : null;
  if (host !== null) cluster.coordinator.onRenewed((validUntilMs) => host.renewed(validUntilMs));
  let delivery: DeliveryService | null = null;
  const supervisor: Supervisor | null = host === null ? null : await startSupervisor({
    count: config.cluster.workers,
    primaryRegistry: metrics.registry,
    host,
    nodeBinds: () => ({
      type: 'binds.report',
      statuses: host.bindStatuses(),
      callbacksInFlight: delivery?.callbacksInFlight ?? 0,
      liveNodes: cluster.coordinator.members().length,
      cluster: cluster.view.report(),
    }),
    logger,
  });
  delivery = new DeliveryService({
    config,
    store,
    provisioning,
    logger,
    events: metrics.delivery,
    coordinator: cluster.coordinator,
    ...(reservations === null ? {} : { ledger: reservations.ledger }),
    ...(smppServer === null ? {} : { smppChannel: smppServer.channel }),
    ...(host === null ? {} : { placement: { runs: 'in-workers', host } }),
    // With workers they send the HTTP callbacks; the SMPP server's channel events are sent here.
    sendsHttpCallbacks: host === null,
  });
  await delivery.start();
  const payouts = startPayoutWorker(config, store, logger);
  // Client statistics (/stats) and the operator dashboard (/admin) on the API's port (docs/web.md).
  const extensions = config.web.enabled ? [webExtension({ config, store, provisioning, logger, delivery, cluster: () => cluster.view.report(), liveNodes: () => cluster.coordinator.members().length })] : [];
  const api: ApiServer | null = supervisor === null ? await startApiServer({ config, store, provisioning, logger, limiter, events: metrics.acceptance, extensions }) : null;
  const operations = await startOperations({
    config,
    store,
    logger,
    metrics,
    ...(supervisor === null ? {} : { registry: supervisor.registry }),
    apiListening: () => supervisor?.serving ?? api?.app.server.listening ?? false,
    dispatching: () => delivery.dispatching,
    poolActive: (name) => cluster.poolActive(name),
  });
  logger.info({ node: config.node.id, api: api === null ? supervisor?.apiAddress : `${api.host}:${api.port}`, workers: config.cluster.workers, ops: operations.address, tls: config.api.tlsCertFile !== null, store: config.store.kind }, 'smsprocd ready');
  if (credentials !== null && api !== null) printDemoHelp(config, api, credentials);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    void shutdown(logger, [
      ['operations', () => operations.close()],
      ['api', async () => (supervisor === null ? api?.close() : supervisor.stopAccepting())],
      ['smpp-server', async () => smppServer?.close()],
      // Binds hand over (window finished, unbind, release), in this process or in the workers.
      ['delivery', () => delivery.stop()],
      ['workers', async () => {
        host?.close();
        await supervisor?.drain();
      }],
      ['reservations', async () => reservations?.close()],
      ['cluster', () => cluster.close()],
      ['payouts', async () => payouts?.stop()],
      ['sweeper', async () => clearInterval(sweeper)],
      ['provisioning', async () => provisioning.close()],
      ['store', () => store.close()],
      ['simulator', async () => simulator?.close()],
    ]).then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading provisioning');
    supervisor?.reload();
    provisioning.refresh().catch((error: unknown) => logger.error({ err: error }, 'provisioning reload failed'));
  });
}

const program = new Command()
  .name('smsprocd')
  .description('smsproc node: client API, durable queues, SMPP delivery')
  .option('-c, --config <file>', 'node config file (YAML); without it the embedded default')
  .option('--seed-demo', 'on an empty store, create a demo client and a route to the built-in simulator')
  .action(run);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`smsprocd: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
