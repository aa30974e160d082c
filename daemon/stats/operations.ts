/**
 * The node's operations side, started once the API listens: the ops HTTP server (metrics, health)
 * and the systemd notifications (ready, watchdog, stopping). Readiness: the store answers, the
 * client API listens, and every enabled route is dispatched.
 */
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Store } from '../storage/port.js';
import { createSystemdNotifier } from '../systemd-notify.js';
import type { Metrics } from './metrics.js';
import { startOpsServer, type ReadinessCheck } from './ops-server.js';

export interface OperationsDeps {
  readonly config: Config;
  readonly store: Pick<Store, 'provisioningVersion'>;
  readonly metrics: Metrics;
  /** What /metrics serves when not this process's registry alone (the primary's aggregate over its workers). */
  readonly registry?: Pick<Registry, 'contentType' | 'metrics'>;
  readonly logger: Logger;
  readonly apiListening: () => boolean;
  readonly dispatching: () => boolean;
  /** `/health/pool/<name>`: this node holds the pool's active role; null: no such pool. */
  readonly poolActive?: (name: string) => boolean | null;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Operations {
  /** Where the ops server listens (the real port when ops.port is 0). */
  readonly address: string;
  /** Tells systemd the node is stopping, then closes the ops server. */
  close(): Promise<void>;
}

export function readinessChecks(deps: Pick<OperationsDeps, 'store' | 'apiListening' | 'dispatching'>): ReadinessCheck[] {
  return [
    { name: 'store', check: async () => (await deps.store.provisioningVersion()) >= 0 },
    { name: 'api', check: deps.apiListening },
    { name: 'dispatch', check: deps.dispatching },
  ];
}

export async function startOperations(deps: OperationsDeps): Promise<Operations> {
  const readiness = readinessChecks(deps);
  const server = await startOpsServer({ host: deps.config.ops.host, port: deps.config.ops.port, registry: deps.registry ?? deps.metrics.registry, readiness, logger: deps.logger, ...(deps.poolActive === undefined ? {} : { poolActive: deps.poolActive }) });
  const address = `${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
  const systemd = createSystemdNotifier({
    env: deps.env ?? process.env,
    logger: deps.logger,
    healthy: async () => (await Promise.all(readiness.map(async (check) => check.check()))).every(Boolean),
  });
  await systemd.ready(`serving; ops on ${address}`);
  return {
    address,
    async close(): Promise<void> {
      systemd.close();
      await systemd.stopping();
      await server.close();
    },
  };
}
