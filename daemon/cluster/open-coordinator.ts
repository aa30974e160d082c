/**
 * The node's Coordinator after the `cluster` config (docs/cluster.md): the local one (this node owns
 * every bind; epochs from the Store) or the etcd one (binds shared among nodes). Not started.
 */
import { createEtcdCoordinator } from '../../cluster/coordinator/etcd/etcd-coordinator.js';
import { createLocalCoordinator } from '../../cluster/coordinator/local/local-coordinator.js';
import type { Coordinator, NodeInfo } from '../../cluster/coordinator/port.js';
import type { Config } from '../config/schema.js';
import type { BindId } from '../domain/ids.js';
import type { Logger } from '../log.js';
import type { Store } from '../storage/port.js';

export class ClusterConfigError extends Error {
  override readonly name = 'ClusterConfigError';
}

export function openCoordinator(config: Config, store: Pick<Store, 'acquireBindEpoch'>, logger: Logger): Coordinator {
  const { cluster } = config;
  const self: NodeInfo = { id: config.node.id, site: config.node.site, weight: cluster.weight };
  if (cluster.coordinator === 'local') return createLocalCoordinator(self, (resource) => store.acquireBindEpoch(resource as BindId));
  if (cluster.etcdEndpoints.length === 0) throw new ClusterConfigError('cluster.coordinator etcd needs cluster.etcdEndpoints');
  if (config.store.kind === 'sqlite') throw new ClusterConfigError('cluster.coordinator etcd needs a shared store (postgres or oracle), not sqlite');
  return createEtcdCoordinator({
    endpoints: cluster.etcdEndpoints,
    self,
    keyPrefix: cluster.etcdKeyPrefix,
    leaseTtlS: cluster.leaseTtlMs / 1000,
    ...(cluster.fenceMarginMs === null ? {} : { fenceMarginMs: cluster.fenceMarginMs }),
    callTimeoutMs: cluster.callTimeoutMs,
    log: logger,
  });
}
