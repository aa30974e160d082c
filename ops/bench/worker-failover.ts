/**
 * Worker failover benchmark (docs/cluster.md, "Process model"): one smsprocd with `cluster.workers: 2`
 * on a PostgreSQL schema, the SMSC simulator in this process, a route of two binds (one per worker)
 * and a light steady load. Kills -9 the worker that runs bind 0, --kills times, and measures from the
 * signal to: the bind's new store epoch raised in the other worker, the bind bound again at the SMSC,
 * and the killed worker serving again (restarted by the primary). Prints median and worst of each,
 * and the duplicates the simulator saw over the run.
 *
 *   node dist/ops/bench/worker-failover.js --kills 5
 *
 * Needs PostgreSQL at SMSPROC_TEST_PG_URL (default the local trust login). Progress on stderr.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { startWorkerNode, submitOrNull, type LogEntry } from '../../test/cluster/worker-node.js';
import { waitFor } from '../../test/e2e/callback-harness.js';
import { percentile } from './load.js';

const { values: args } = parseArgs({ options: { kills: { type: 'string', default: '5' } } });
const kills = Number(args.kills);

function progress(text: string): void {
  process.stderr.write(`${new Date().toISOString()} ${text}\n`);
}

async function main(): Promise<void> {
  const node = await startWorkerNode({
    node: { id: 'bench-workers' },
    callbackUrl: 'http://127.0.0.1:9',
    route: { binds: 2, tps: 200 },
    config: { dispatch: { leaseMs: 2000, inDoubtIntervalMs: 300 } },
    schemaPrefix: 'smsproc_bench_workers',
  });
  const { log, smsc } = node;
  const find = (since: number, match: (e: LogEntry) => boolean): LogEntry | undefined => log.find((e) => e.readAt >= since && match(e));
  let loading = true;
  const load = (async () => {
    for (let i = 0; loading; i++) {
      await submitOrNull(node.baseUrl, { to: `7916${String(i).padStart(7, '0')}`, text: `bench ${i}` });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const toEpoch: number[] = [];
  const toBound: number[] = [];
  const toRestart: number[] = [];
  try {
    await waitFor('both binds bound', () => smsc.stats().binds.open === 2, 20_000);
    for (let k = 0; k < kills; k++) {
      const victim = log.findLast((e) => e.msg === 'bind acquired' && e.bind === 0)?.pid;
      if (victim === undefined) throw new Error('no worker runs bind 0');
      const killedAt = performance.now();
      process.kill(victim, 'SIGKILL');
      const moved = (e: LogEntry): boolean => e.routeId === 'sim' && e.bind === 0 && e.pid !== victim;
      await waitFor('bind 0 bound in another worker', () => find(killedAt, (e) => moved(e) && e.msg === 'bound') !== undefined, 20_000);
      await waitFor('the killed worker restarted', () => find(killedAt, (e) => e.msg === 'worker serving') !== undefined, 60_000);
      toEpoch.push(find(killedAt, (e) => moved(e) && e.msg === 'bind acquired')!.readAt - killedAt);
      toBound.push(find(killedAt, (e) => moved(e) && e.msg === 'bound')!.readAt - killedAt);
      toRestart.push(find(killedAt, (e) => e.msg === 'worker serving')!.readAt - killedAt);
      progress(`kill ${k + 1}: epoch ${toEpoch.at(-1)!.toFixed(0)} ms, bound ${toBound.at(-1)!.toFixed(0)} ms, restarted ${toRestart.at(-1)!.toFixed(0)} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    loading = false;
    await load;
    await node.stop();
    await node.close();
  }
  const figure = (values: number[]): string => {
    const sorted = Float64Array.from(values).sort();
    return `${percentile(sorted, 50).toFixed(0)} / ${sorted[sorted.length - 1]!.toFixed(0)} ms`;
  };
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}; node ${process.version}; PostgreSQL, simulator and daemon on the same machine`);
  console.log(`kills -9 of the worker running bind 0: ${kills} (cluster.workers 2, route of 2 binds, light load)`);
  console.log(`kill → bind's new epoch in the other worker (median / worst): ${figure(toEpoch)}`);
  console.log(`kill → bind bound again at the SMSC (median / worst):        ${figure(toBound)}`);
  console.log(`kill → killed worker serving again (median / worst):         ${figure(toRestart)}`);
  console.log(`duplicates at the simulator over the run: ${smsc.stats().duplicates.messages} of ${smsc.stats().submits.total} submits`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
