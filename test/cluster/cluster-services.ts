import { dropPgRun, startPgRun } from '../e2e/deliver-store.js';
import { startReceiver } from '../e2e/callback-harness.js';
import { simulator, tempDir, type NodeOptions } from '../e2e/deliver-harness.js';
import { pgUnreachable } from '../support/postgres.js';
import { OwnerReader, startClusterNode, stopNode, type ClusterNode } from './cluster-nodes.js';
import { EtcdCluster, etcdAvailable, etcdBinary } from './etcd-cluster.js';

/**
 * What the cluster tests run smsproc nodes over: a 3-member etcd, one PostgreSQL schema, the SMSC
 * simulator and a callback receiver, started together and torn down together with the nodes.
 */
export interface ClusterServices {
  readonly etcd: EtcdCluster;
  readonly smsc: Awaited<ReturnType<typeof simulator>>;
  readonly owners: OwnerReader;
  /** The etcd key prefix of this test's cluster. */
  readonly prefix: string;
  /** Every node started so far (killed at the end). */
  readonly nodes: ClusterNode[];
  /**
   * Starts a node on these services: the shared store, the simulator, the receiver, the etcd
   * coordinator with a 2 s lease; `options` override (their `cluster` merged into that default).
   */
  startNode(id: string, site: string, options?: Partial<NodeOptions>): Promise<ClusterNode>;
}

/** Why the cluster tests cannot run here (etcd or PostgreSQL missing), or null. */
export async function clusterServicesMissing(): Promise<string | null> {
  if (!etcdAvailable()) return `${etcdBinary} is missing (test/services.sh installs etcd-server as root)`;
  const unreachable = await pgUnreachable();
  return unreachable === null ? null : `no PostgreSQL at the test URL: ${unreachable}`;
}

/**
 * Runs `body` over fresh services; the simulator's account allows `maxBinds` binds at once (the
 * route's count in these tests, so a refused bind means two sessions of one bind were open at once).
 */
export async function withClusterServices<T>(tag: string, maxBinds: number, body: (services: ClusterServices) => Promise<T>): Promise<T> {
  const run = startPgRun(tag);
  const etcd = await EtcdCluster.start();
  const smsc = await simulator({ accounts: [{ systemId: 'smsproc', password: 'secret', maxBinds }] });
  const receiver = await startReceiver(() => ({ status: 200 }));
  const temp = tempDir();
  const prefix = `smsproc-${run}/`;
  const owners = new OwnerReader(etcd.endpoints, prefix);
  const nodes: ClusterNode[] = [];
  const startNode = async (id: string, site: string, options: Partial<NodeOptions> = {}): Promise<ClusterNode> => {
    const node = await startClusterNode({
      dbPath: `${temp.dir}/shared`,
      smscPort: smsc.address().port,
      callbackUrl: receiver.url,
      route: { binds: maxBinds, windowSize: 10, tps: 200 },
      ...options,
      cluster: {
        coordinator: 'etcd', etcdEndpoints: [...etcd.endpoints], etcdKeyPrefix: prefix,
        leaseTtlMs: 2000, planIntervalMs: 300, orphanGraceMs: 500,
        ...options.cluster,
      },
      node: { id, site },
    });
    nodes.push(node);
    return node;
  };
  try {
    return await body({ etcd, smsc, owners, prefix, nodes, startNode });
  } finally {
    await Promise.all(nodes.map((n) => stopNode(n, 'SIGKILL')));
    owners.close();
    await smsc.close();
    await receiver.close();
    await etcd.stop();
    temp.remove();
    await dropPgRun(run);
  }
}
