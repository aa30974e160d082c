import { dropPgRun, startPgRun } from '../../test/e2e/deliver-store.js';
import { tempDir } from '../../test/e2e/deliver-harness.js';
import { killRunningNodes } from '../../test/cluster/cluster-nodes.js';
import { EtcdCluster } from '../../test/cluster/etcd-cluster.js';

/**
 * What the cluster benchmarks run their smsproc nodes on: a three-member etcd on loopback, a key
 * prefix and PostgreSQL schemas of this run (every node given the same dbPath opens the same schema),
 * and a temp dir. close() removes all of it; it runs once, also on SIGINT or SIGTERM of the benchmark.
 */
export interface ClusterRig {
  readonly etcd: EtcdCluster;
  /** etcd key prefix of this run's cluster. */
  readonly prefix: string;
  /** A dir for this run; a dbPath under it names one PostgreSQL schema of the run. */
  readonly dir: string;
  close(): Promise<void>;
}

export async function startClusterRig(tag: string): Promise<ClusterRig> {
  const run = startPgRun(tag);
  const temp = tempDir();
  const etcd = await EtcdCluster.start();
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await etcd.stop();
      temp.remove();
      await dropPgRun(run);
    })();
    return closing;
  };
  const interrupted = (signal: NodeJS.Signals): void => {
    process.stderr.write(`${signal}: cleaning up\n`);
    // Nodes first: their open transactions would hold up dropping the schemas.
    killRunningNodes();
    void close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return { etcd, prefix: `smsproc-${run}/`, dir: temp.dir, close };
}
