/**
 * Failover benchmark (docs/cluster.md): three smsproc nodes in two sites as child processes over a
 * 3-member etcd on loopback, one PostgreSQL schema and the SMSC simulator, a route of one bind and
 * a light steady load. Measures:
 *   - takeover after kill -9 of the bind's owner: time to a new owner in etcd, and to the first
 *     submit_sm on the new owner's session (median and worst of --kills; the node is restarted);
 *   - handover on SIGTERM of the owner: the same two times.
 *
 *   npm run bench:failover                       (3 kills, TTL 2 s)
 *   node dist/ops/bench/failover.js --kills 10 --ttl-ms 5000
 *
 * Needs /usr/bin/etcd and PostgreSQL at SMSPROC_TEST_PG_URL (default the local trust login).
 */
import { parseArgs } from 'node:util';
import { waitFor } from '../../test/e2e/callback-harness.js';
import { simulator, submit } from '../../test/e2e/deliver-harness.js';
import { alive, OwnerReader, startClusterNode, stopNode, type ClusterNode } from '../../test/cluster/cluster-nodes.js';
import { startClusterRig } from './cluster-rig.js';
import { percentile } from './load.js';

/** Progress on stderr (the figures go to stdout). */
function progress(text: string): void {
  process.stderr.write(`${new Date().toISOString()} ${text}\n`);
}

const { values: args } = parseArgs({
  options: {
    kills: { type: 'string', default: '3' },
    'ttl-ms': { type: 'string', default: '2000' },
  },
});
const kills = Number(args.kills);
const ttlMs = Number(args['ttl-ms']);
const BIND = 'route/sim/bind/0';

const rig = await startClusterRig('fo');
const smsc = await simulator({ accounts: [{ systemId: 'smsproc', password: 'secret', maxBinds: 1 }] });
const owners = new OwnerReader(rig.etcd.endpoints, rig.prefix);
const sites: Record<string, string> = { n1: 'a', n2: 'b', n3: 'a' };
const options = (id: string): Parameters<typeof startClusterNode>[0] => ({
  dbPath: `${rig.dir}/shared`,
  smscPort: smsc.address().port,
  callbackUrl: 'http://127.0.0.1:9/unused',
  route: { binds: 1, windowSize: 10, tps: 200 },
  node: { id, site: sites[id]! },
  cluster: { coordinator: 'etcd', etcdEndpoints: [...rig.etcd.endpoints], etcdKeyPrefix: rig.prefix, leaseTtlMs: ttlMs, planIntervalMs: 300, orphanGraceMs: 500 },
});
const nodes = new Map<string, ClusterNode>();

/** Submits a message every 20 ms through a live node, until stopped. */
function steadyLoad(): () => Promise<void> {
  let stop = false;
  const loop = (async () => {
    for (let i = 0; !stop; i++) {
      const live = [...nodes.values()].filter(alive);
      const node = live[i % Math.max(1, live.length)];
      if (node !== undefined) await submit(node.baseUrl, { to: `7916${String(i % 10_000_000).padStart(7, '0')}`, text: `failover ${i}` }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return async () => {
    stop = true;
    await loop;
  };
}

/** Stops the bind's owner with the signal; returns ms to a new owner in etcd and to its first submit. */
async function failover(signal: 'SIGKILL' | 'SIGTERM'): Promise<{ owner: number; submit: number }> {
  // A restarted node may be taking the bind back (paced moves): start from a settled owner.
  let ownerId: string | null = null;
  await waitFor('a settled owner', async () => {
    ownerId = await owners.ownerOf(BIND);
    return ownerId !== null && smsc.stats().binds.open === 1 && alive(nodes.get(ownerId)!);
  }, 30_000);
  if (ownerId === null) throw new Error('no owner');
  progress(`${signal} ${ownerId}`);
  const sessionsBefore = smsc.stats().binds.list.length;
  const start = performance.now();
  const stopped = stopNode(nodes.get(ownerId)!, signal);
  let ownerMs = Number.NaN;
  await waitFor('a new owner', async () => {
    const owner = await owners.ownerOf(BIND);
    if (owner !== null && owner !== ownerId) ownerMs = performance.now() - start;
    return !Number.isNaN(ownerMs);
  }, 60_000);
  await waitFor('a submit on the new session', () => smsc.stats().binds.list.slice(sessionsBefore).some((b) => b.submits > 0), 60_000);
  const submitMs = performance.now() - start;
  await stopped;
  progress(`new owner after ${Math.round(ownerMs)} ms, first submit after ${Math.round(submitMs)} ms; restarting ${ownerId}`);
  nodes.set(ownerId, await startClusterNode(options(ownerId)));
  return { owner: ownerMs, submit: submitMs };
}

function line(name: string, samples: readonly number[]): string {
  const sorted = Float64Array.from(samples).sort();
  return `${name.padEnd(44)} median ${String(Math.round(percentile(sorted, 50))).padStart(6)} ms   worst ${String(Math.round(sorted.at(-1) ?? 0)).padStart(6)} ms   (n=${samples.length})`;
}

try {
  for (const id of Object.keys(sites)) nodes.set(id, await startClusterNode(options(id)));
  progress('nodes started');
  await waitFor('the bind owned and bound', async () => (await owners.ownerOf(BIND)) !== null && smsc.stats().binds.open === 1, 30_000);
  const stopLoad = steadyLoad();
  const killed: { owner: number; submit: number }[] = [];
  for (let i = 0; i < kills; i++) {
    progress(`kill -9 ${i + 1}/${kills}`);
    killed.push(await failover('SIGKILL'));
  }
  progress('SIGTERM');
  const drained = [await failover('SIGTERM'), await failover('SIGTERM')];
  await stopLoad();
  process.stdout.write(`failover, 3 nodes, etcd lease TTL ${ttlMs} ms (3-member etcd, PostgreSQL, SMSC simulator, all on loopback)\n`);
  process.stdout.write(`${line('kill -9 → new owner in etcd', killed.map((k) => k.owner))}\n`);
  process.stdout.write(`${line('kill -9 → first submit on the new owner', killed.map((k) => k.submit))}\n`);
  process.stdout.write(`${line('SIGTERM → new owner in etcd', drained.map((k) => k.owner))}\n`);
  process.stdout.write(`${line('SIGTERM → first submit on the new owner', drained.map((k) => k.submit))}\n`);
  process.stdout.write(`SMSC: ${smsc.stats().submits.total} submits, ${smsc.stats().duplicates.messages} duplicate messages, ${smsc.stats().binds.refused} refused binds\n`);
} finally {
  await Promise.all([...nodes.values()].map((node) => stopNode(node, 'SIGKILL')));
  owners.close();
  await smsc.close();
  await rig.close();
}
