import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api/api-context.js';
import type { Config } from '../config/schema.js';
import type { ClientId } from '../domain/ids.js';
import type { Logger } from '../log.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';
import type { Store } from '../storage/port.js';
import { registerAdminWeb } from './admin-routes.js';
import { parseAdmins } from './admins.js';
import { registerAssets } from './assets.js';
import { ClientStats } from './client-stats.js';
import { registerClientWeb } from './client-routes.js';
import { Dashboard, type ClusterReadout, type DeliveryReadout } from './dashboard.js';
import { LiveFeed } from './live-feed.js';
import { redisConnectionOf } from '../cluster/node-cluster.js';
import { inProcessLoginGuard, LOGIN_FAILURE_LIMIT, loginLimitShare, LoginThrottle, MAX_THROTTLED_ADDRESSES, type LoginGuard } from './login-throttle.js';
import { createRedisLoginGuard } from './redis-login-guard.js';
import { SessionStore } from './sessions.js';
import { setSecurityHeaders, type WebContext } from './web-context.js';

/**
 * Client statistics (/stats) and the operator dashboard (/admin), served by the client API server
 * on its host, port and TLS (docs/web.md). `register` is given to the API server as an extension;
 * the live streams end when the server closes.
 */
export interface WebDeps {
  readonly config: Config;
  readonly store: Store;
  readonly provisioning: ProvisioningCache;
  readonly logger: Logger;
  /** The delivery service of this node, for the dashboard's binds; null when this process delivers nothing. */
  readonly delivery: DeliveryReadout | null;
  /** The cluster as the node's coordinator reports it (in a worker: the primary's last report). */
  readonly cluster: ClusterReadout;
  /**
   * The part of the login throttle this process holds when failures are counted in memory (default
   * 1): 1 / `cluster.workers` in a worker, since node:cluster spreads an address's connections over
   * the workers and the node as a whole should keep the documented limit.
   */
  readonly loginThrottleShare?: number;
  /**
   * The live nodes (default 1). With `limits.redisUrl` failures are counted in Redis for the whole
   * cluster; while Redis does not answer, this process holds its node's share divided by them.
   */
  readonly liveNodes?: () => number;
  readonly clock?: () => number;
}

/** Failed logins counted in Redis when `limits.redisUrl` is set (cluster-wide), else in this process. */
function openLoginGuard(deps: WebDeps, clock: () => number): LoginGuard {
  const share = deps.loginThrottleShare ?? 1;
  const { redisUrl } = deps.config.limits;
  if (redisUrl === null) return inProcessLoginGuard(new LoginThrottle(() => loginLimitShare(1 / share), MAX_THROTTLED_ADDRESSES), clock);
  const liveNodes = deps.liveNodes ?? (() => 1);
  return createRedisLoginGuard({
    connection: redisConnectionOf(redisUrl),
    limit: LOGIN_FAILURE_LIMIT,
    fallback: new LoginThrottle(() => loginLimitShare(Math.max(1, liveNodes()) / share), MAX_THROTTLED_ADDRESSES),
    log: deps.logger,
    clock,
  });
}

export function webExtension(deps: WebDeps): (app: FastifyInstance, api: ApiContext) => void {
  const clock = deps.clock ?? Date.now;
  const startedAt = clock();
  return (app, api) => {
    const context: WebContext = { config: deps.config, store: deps.store, provisioning: deps.provisioning, logger: deps.logger, clock, api };
    const { web } = deps.config;
    const clientSessions = new SessionStore<ClientId>(deps.store, 'stats', web.sessionTtlMs);
    const adminSessions = new SessionStore<string>(deps.store, 'admin', web.sessionTtlMs);
    const stats = new ClientStats(context);
    const dashboard = new Dashboard(context, deps.delivery, deps.cluster, startedAt);
    const clientFeed = new LiveFeed(stats, web.liveIntervalMs, deps.logger);
    const adminFeed = new LiveFeed(dashboard, web.liveIntervalMs, deps.logger);
    const throttle = openLoginGuard(deps, clock);
    app.addHook('preClose', async () => {
      clientFeed.close();
      adminFeed.close();
    });
    // After the last request: a login in flight still asks the guard.
    app.addHook('onClose', async () => throttle.close());
    void app.register(async (scope) => {
      scope.addHook('onRequest', async (_request, reply) => setSecurityHeaders(reply));
      registerAssets(scope, '/stats');
      registerAssets(scope, '/admin');
      registerClientWeb(scope, { context, sessions: clientSessions, stats, feed: clientFeed, throttle });
      registerAdminWeb(scope, { context, admins: parseAdmins(web.admins), sessions: adminSessions, dashboard, feed: adminFeed, throttle });
    });
  };
}
