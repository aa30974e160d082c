/**
 * This node's part in the cluster (docs/cluster.md): its Coordinator (joined at start), the active
 * roles of its dedicated-server pools, the client intake limiter — cluster-wide through Redis
 * when `limits.redisUrl` is set (falling back to this node's share of each rate), in process otherwise —,
 * the SMPP clients' bind limit (slots through the etcd coordinator, a count on one node) and the view
 * of the cluster the operator dashboard shows (ClusterView).
 */
import type { Coordinator } from '../../cluster/coordinator/port.js';
import { createIntakeLimiter, intakeLimitOf } from '../api/intake-limiter.js';
import type { Config } from '../config/schema.js';
import type { Limiter } from '../limits/limiter.js';
import { createRedisLimiter } from '../limits/redis-limiter.js';
import type { Logger } from '../log.js';
import { clusterBindLimit, localBindLimit, type BindLimit } from '../smpp-server/bind-limit.js';
import type { ClusterEvents } from '../stats/metric-events.js';
import type { Store } from '../storage/port.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';
import { ClusterView } from './cluster-view.js';
import { openCoordinator } from './open-coordinator.js';
import { parsePool, PoolRoles } from './pool-roles.js';

export interface NodeCluster {
  readonly coordinator: Coordinator;
  readonly limiter: Limiter;
  /** A new bind limit for the SMPP server (which closes it). */
  bindLimit(): BindLimit;
  /** Nodes, owners, pools and recent ownership changes, as the coordinator sees them (the dashboard). */
  readonly view: ClusterView;
  /** `/health/pool/<name>`: true on the pool's active node; null for an unknown pool. */
  poolActive(name: string): boolean | null;
  /** Gives up the pools' active roles, leaves the cluster, closes Redis. Call after delivery stopped. */
  close(): Promise<void>;
}

export async function joinCluster(deps: { config: Config; store: Store; provisioning: ProvisioningCache; logger: Logger; events?: ClusterEvents }): Promise<NodeCluster> {
  const { config, store, provisioning, logger } = deps;
  const coordinator = openCoordinator(config, store, logger);
  await coordinator.start();
  const poolSpecs = config.cluster.pools.map(parsePool);
  const view = new ClusterView(coordinator, { kind: config.cluster.coordinator, pools: poolSpecs, ...(deps.events === undefined ? {} : { events: deps.events }) });
  view.start();
  const pools = new PoolRoles(
    coordinator,
    poolSpecs,
    { checkIntervalMs: config.cluster.planIntervalMs, standbyDelayMs: config.cluster.orphanGraceMs },
    logger,
  );
  pools.start();
  const { redisUrl } = config.limits;
  const redisLimiter = redisUrl === null
    ? null
    : createRedisLimiter({
      connection: redisConnectionOf(redisUrl),
      limitOf: intakeLimitOf(provisioning),
      liveNodes: () => coordinator.members().length,
      log: logger,
    });
  if (coordinator.self.weight === 0) logger.warn('cluster.weight is 0: this node owns no bind (drained)');
  logger.info({ coordinator: config.cluster.coordinator, site: config.node.site, pools: pools.mine.map((p) => p.name), redisLimits: redisLimiter !== null }, 'joined the cluster');
  return {
    coordinator,
    limiter: redisLimiter ?? createIntakeLimiter(provisioning, Date.now),
    bindLimit: () => bindLimitFor(config, coordinator, logger),
    view,
    poolActive: (name) => (pools.isKnown(name) ? pools.isActive(name) : null),
    async close() {
      await pools.stop();
      view.stop();
      await coordinator.close();
      await redisLimiter?.close();
    },
  };
}

/** With the local coordinator this node is the cluster: its own count is the limit, with no coordinator call per bind. */
export function bindLimitFor(config: Config, coordinator: Coordinator, logger: Logger): BindLimit {
  return config.cluster.coordinator === 'local' ? localBindLimit() : clusterBindLimit(coordinator, logger);
}

export function redisConnectionOf(url: string): { host: string; port: number; password?: string; username?: string; db?: number; tls?: object } {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === undefined || Number.isNaN(db) ? {} : { db }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
