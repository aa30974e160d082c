/**
 * The cost of clustering (docs/cluster.md): the end-to-end rate of four smsproc nodes in two sites
 * (a three-member etcd on loopback, one PostgreSQL schema, the SMSC simulator in its own process)
 * next to one node on the same machine and store, at the same offered load. Each setup gets a fresh
 * schema and simulator; the load generator spreads 10-message HTTP batches with `dlr` round robin
 * over the nodes, and a receiver in this process takes the receipt callbacks: a message counts once
 * its final state reached the client (accept → submit_sm → receipt → callback).
 *
 * Everything shares this machine's cores, so four nodes cannot be faster than one here: the figure
 * is what clustering costs (etcd, ownership, four processes' overhead), not how a cluster scales.
 *
 *   npm run bench:cluster                                   (60 s at 400 msg/s: one node, then four)
 *   node dist/ops/bench/cluster.js --seconds 60 --rate 800
 *   node dist/ops/bench/cluster.js --minutes 10 --rate 200  (four nodes: each one's RSS every 5 s)
 *
 * Memory mode (--minutes) runs the four nodes only and prints each node's (and etcd member's) peak
 * RSS and growth per minute after the warm-up (least-squares slope). Needs /usr/bin/etcd and
 * PostgreSQL at SMSPROC_TEST_PG_URL (default the local trust login). Progress goes to stderr, and
 * only on a terminal; the figures go to stdout.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { Config } from '../../daemon/config/schema.js';
import { TOKEN } from '../../test/e2e/deliver-harness.js';
import { OwnerReader, startClusterNode, stopNode, type ClusterNode } from '../../test/cluster/cluster-nodes.js';
import { newCallbackTally, startCallbackReceiver } from './callback-receiver.js';
import { startClusterRig, type ClusterRig } from './cluster-rig.js';
import { percentile } from './load.js';
import { growthText, summarise, type RssSample } from './memory-samples.js';
import { offerPaced } from './paced-load.js';
import { cpuSeconds, progress, rssMiB } from './processes.js';
import { startSimulatorProcess } from './simulator-process.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '400' },
    'per-request': { type: 'string', default: '10' },
    /** Concurrent requests at most, per node. */
    connections: { type: 'string', default: '8' },
    binds: { type: 'string', default: '4' },
    window: { type: 'string', default: '100' },
    /** Segments per second per bind. */
    tps: { type: 'string', default: '1000' },
    'receipt-delay-ms': { type: 'string', default: '100' },
    'drain-seconds': { type: 'string', default: '60' },
    minutes: { type: 'string' },
    'sample-seconds': { type: 'string', default: '5' },
    'warmup-seconds': { type: 'string', default: '120' },
    /** Which setups the rate comparison runs: both (one node, then four), one or four. */
    setups: { type: 'string', default: 'both' },
  },
});
const memoryMinutes = args.minutes === undefined ? null : Number(args.minutes);
const seconds = memoryMinutes === null ? Number(args.seconds) : memoryMinutes * 60;
const offeredRate = Number(args.rate);
const perRequest = Number(args['per-request']);
const binds = Number(args.binds);
const warmupSeconds = Number(args['warmup-seconds']);
/** Settling the four nodes' binds (plan rounds, paced moves) must not take longer than this. */
const settleTimeoutMs = 60_000;
/** The binds' owners unchanged for this long: the plan has settled. */
const settledForMs = 3_000;

interface Setup {
  readonly name: string;
  /** Names the setup's PostgreSQL schema and marks its message texts. */
  readonly key: string;
  readonly nodes: readonly { readonly id: string; readonly site: string }[];
  readonly cluster: (rig: ClusterRig) => Partial<Config['cluster']>;
}

const oneNode: Setup = { name: '1 node', key: 'one', nodes: [{ id: 'solo', site: 'a' }], cluster: () => ({ coordinator: 'local' }) };
const fourNodes: Setup = {
  name: '4 nodes, 2 sites, etcd',
  key: 'four',
  nodes: [{ id: 'a1', site: 'a' }, { id: 'a2', site: 'a' }, { id: 'b1', site: 'b' }, { id: 'b2', site: 'b' }],
  cluster: (rig) => ({ coordinator: 'etcd', etcdEndpoints: [...rig.etcd.endpoints], etcdKeyPrefix: rig.prefix }),
};

interface PhaseResult {
  readonly setup: Setup;
  /** 1-minute load average at the start and the end of the load. */
  readonly loadAverage: readonly [number, number];
  readonly accepted: number;
  readonly refused: number;
  readonly errorSamples: readonly string[];
  readonly loadSeconds: number;
  readonly submitsDuringLoad: number;
  readonly finalDuringLoad: number;
  readonly final: number;
  /** Callbacks per final status. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Seconds from the first request to the last final state (or the end of the drain). */
  readonly endSeconds: number;
  readonly acceptToFinal: Float64Array;
  readonly acceptToSubmit: Float64Array;
  readonly lost: number;
  readonly duplicatesAtSmsc: number;
  readonly duplicateCallbacks: number;
  readonly refusedBinds: number;
  /** CPU seconds over the load and drain, per node and of the etcd members together. */
  readonly nodeCpu: ReadonlyMap<string, number>;
  readonly etcdCpu: number;
  readonly bindsPerNode: string;
  readonly memory: readonly RssSample[];
}

const bindIds = Array.from({ length: binds }, (_, n) => `route/sim/bind/${n}`);

/** Who owns each bind, e.g. "a1 1, a2 1, b1 1, b2 1"; null while a bind has no owner. */
async function ownership(owners: OwnerReader): Promise<string | null> {
  const counts = new Map<string, number>();
  for (const bind of bindIds) {
    const owner = await owners.ownerOf(bind);
    if (owner === null) return null;
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([node, count]) => `${node} ${count}`).join(', ');
}

/** Until every bind is open at the simulator and (in a cluster) its owners have not changed for settledForMs. */
async function settle(openBinds: () => Promise<number>, owners: OwnerReader | null): Promise<string> {
  const giveUpAt = Date.now() + settleTimeoutMs;
  let last: string | null = null;
  let since = Date.now();
  while (Date.now() < giveUpAt) {
    const now = owners === null ? 'all on the one node' : await ownership(owners);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    if (last !== null && (await openBinds()) === binds && (owners === null || Date.now() - since >= settledForMs)) return last;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the binds did not settle in ${settleTimeoutMs / 1000} s (last ownership: ${last ?? 'incomplete'})`);
}

async function runPhase(rig: ClusterRig, setup: Setup, sampleMemory: boolean): Promise<PhaseResult> {
  // Exactly the route's binds: a second session of one bind would be refused and counted.
  const smsc = await startSimulatorProcess({ account: `smsproc:secret:${binds}:0`, receiptDelayMs: Number(args['receipt-delay-ms']) });
  const tally = newCallbackTally();
  const receiver = await startCallbackReceiver(tally);
  const owners = setup.nodes.length > 1 ? new OwnerReader(rig.etcd.endpoints, rig.prefix) : null;
  const nodes: ClusterNode[] = [];
  let memoryTimer: NodeJS.Timeout | null = null;
  try {
    for (const node of setup.nodes) {
      nodes.push(await startClusterNode({
        dbPath: `${rig.dir}/${setup.key}`,
        smscPort: smsc.smppPort,
        callbackUrl: `http://127.0.0.1:${receiver.port}`,
        route: { binds, windowSize: Number(args.window), tps: Number(args.tps) },
        node,
        cluster: setup.cluster(rig),
      }));
    }
    progress(`${setup.name}: started; waiting for the binds to settle…`);
    const bindsPerNode = await settle(async () => (await smsc.stats()).binds.open, owners);
    const etcdPids = setup.nodes.length > 1 ? rig.etcd.pids : [];
    const cpuNow = (): { nodes: number[]; etcd: number } => ({
      nodes: nodes.map((node) => cpuSeconds(node.child.pid ?? 0)),
      etcd: etcdPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    });
    const cpuBefore = cpuNow();
    const submitsBefore = (await smsc.stats()).submits.total;
    const memory: RssSample[] = [];
    const loadStartedAt = Date.now();
    if (sampleMemory) {
      const sample = (): void => {
        const rss: Record<string, number> = {};
        for (const node of nodes) rss[node.id] = rssMiB(node.child.pid ?? 0);
        etcdPids.forEach((pid, index) => (rss[`etcd m${index}`] = rssMiB(pid)));
        memory.push({ atSeconds: (Date.now() - loadStartedAt) / 1000, rssMiB: rss });
        progress(`${((Date.now() - loadStartedAt) / 1000).toFixed(0)} s: ${nodes.map((node) => `${node.id} ${rss[node.id]?.toFixed(0)} MiB`).join(', ')}; ${tally.receivedAt.size} final`);
      };
      sample();
      memoryTimer = setInterval(sample, Number(args['sample-seconds']) * 1000);
    }
    const loadAtStart = loadavg()[0] ?? 0;
    progress(`${setup.name}: offering ${offeredRate} msg/s for ${seconds} s…`);
    const started = performance.now();
    const load = await offerPaced({
      urls: nodes.map((node) => new URL('/api/v1/sms/batch', node.baseUrl)),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      rate: offeredRate,
      perRequest,
      seconds,
      connections: Number(args.connections),
      body: (i) => JSON.stringify({
        messages: Array.from({ length: perRequest }, (_, k) => ({
          from: 'ACME', to: `7916${String((i * perRequest + k) % 10_000_000).padStart(7, '0')}`, text: `${setup.key} ${i}/${k}`, dlr: true,
        })),
      }),
    });
    const loadAtEnd = loadavg()[0] ?? 0;
    // Memory is measured under the steady load, not during the drain.
    if (memoryTimer !== null) clearInterval(memoryTimer);
    const atLoadEnd = { submits: (await smsc.stats()).submits.total, final: tally.receivedAt.size };
    progress(`${setup.name}: ${load.accepted.length} accepted; waiting for their final states…`);
    const drainUntil = Date.now() + Number(args['drain-seconds']) * 1000;
    while (tally.receivedAt.size < load.accepted.length && Date.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 200));
    const endSeconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuNow();
    const stats = await smsc.stats();
    return {
      setup,
      loadAverage: [loadAtStart, loadAtEnd],
      accepted: load.accepted.length,
      refused: load.errors,
      errorSamples: load.errorSamples,
      loadSeconds: load.seconds,
      submitsDuringLoad: atLoadEnd.submits - submitsBefore,
      finalDuringLoad: atLoadEnd.final,
      final: tally.receivedAt.size,
      statuses: Object.fromEntries(tally.statuses),
      endSeconds,
      acceptToFinal: Float64Array.from(tally.callbackAfterAccept).sort(),
      acceptToSubmit: Float64Array.from(tally.submitToAccept).sort(),
      lost: load.accepted.filter((id) => !tally.receivedAt.has(id)).length,
      duplicatesAtSmsc: stats.duplicates.messages,
      duplicateCallbacks: tally.duplicates,
      refusedBinds: stats.binds.refused,
      nodeCpu: new Map(nodes.map((node, i) => [node.id, (cpuAfter.nodes[i] ?? 0) - (cpuBefore.nodes[i] ?? 0)])),
      etcdCpu: cpuAfter.etcd - cpuBefore.etcd,
      bindsPerNode,
      memory,
    };
  } finally {
    if (memoryTimer !== null) clearInterval(memoryTimer);
    await Promise.all(nodes.map((node) => stopNode(node, 'SIGKILL')));
    owners?.close();
    await smsc.close();
    await receiver.close();
  }
}

const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');

function rateRow(result: PhaseResult): string {
  const nodeCpu = [...result.nodeCpu.values()].reduce((sum, value) => sum + value, 0);
  const cells = [
    result.setup.name,
    `${result.loadAverage[0].toFixed(1)} → ${result.loadAverage[1].toFixed(1)}`,
    `${thousands(result.accepted)}${result.refused > 0 ? ` (${result.refused} refused)` : ''}`,
    `${thousands(result.submitsDuringLoad / result.loadSeconds)}/s`,
    `${thousands(result.finalDuringLoad / result.loadSeconds)}/s`,
    `${result.endSeconds.toFixed(1)} s`,
    `**${thousands(result.final / result.endSeconds)} msg/s**`,
    `${(percentile(result.acceptToSubmit, 50) / 1000).toFixed(2)} / ${(percentile(result.acceptToSubmit, 99) / 1000).toFixed(2)} s`,
    `${(percentile(result.acceptToFinal, 50) / 1000).toFixed(2)} / ${(percentile(result.acceptToFinal, 99) / 1000).toFixed(2)} s`,
    `${nodeCpu.toFixed(1)} s (${((1000 * nodeCpu) / Math.max(1, result.final)).toFixed(2)} ms/msg)`,
    result.setup.nodes.length > 1 ? `${result.etcdCpu.toFixed(1)} s` : '—',
    `${result.lost} / ${result.duplicatesAtSmsc} / ${result.refusedBinds}`,
  ];
  return `| ${cells.join(' | ')} |`;
}

function printRates(results: readonly PhaseResult[]): void {
  console.log(`| setup | load avg (1 min) start → end | accepted | submit_sm/s during the load | final states/s during the load | all final after | end to end | accept → submit p50 / p99 | accept → final p50 / p99 | nodes' CPU | etcd CPU | lost / duplicated at the SMSC / refused binds |`);
  console.log(`|${' --- |'.repeat(12)}`);
  for (const result of results) console.log(rateRow(result));
  for (const result of results) {
    const perNode = [...result.nodeCpu].map(([id, cpu]) => `${id} ${cpu.toFixed(1)} s`).join(', ');
    console.log(`${result.setup.name}: binds ${result.bindsPerNode}; CPU ${perNode}; final states ${JSON.stringify(result.statuses)}, ${result.duplicateCallbacks} duplicate callbacks`);
    for (const sample of result.errorSamples) console.log(`  error sample: ${sample}`);
  }
}

function printMemory(result: PhaseResult): void {
  const names = Object.keys(result.memory[0]?.rssMiB ?? {});
  console.log(`memory: RSS every ${args['sample-seconds']} s under the load (${result.memory.length} samples); growth = least-squares slope after a ${warmupSeconds} s warm-up`);
  console.log('| process | peak RSS | after warm-up → end | growth | goal (node: < 1 MB/min) |');
  console.log(`|${' --- |'.repeat(5)}`);
  for (const name of names) {
    const summary = summarise(result.memory, name, warmupSeconds);
    const isNode = !name.startsWith('etcd');
    const verdict = !isNode ? '—' : summary.growthMiBPerMinute === null ? 'not measured' : summary.growthMiBPerMinute * 1.048576 < 1 ? 'met' : 'not met';
    console.log(`| ${name} | ${summary.peakMiB.toFixed(0)} MiB | ${summary.firstAfterWarmupMiB?.toFixed(0) ?? '-'} → ${summary.lastMiB?.toFixed(0) ?? '-'} MiB | ${growthText(summary)} | ${verdict} |`);
  }
}

const rig = await startClusterRig('cl');
try {
  console.log('The cost of clustering on one machine, not a scaling figure: every node, the three etcd members, PostgreSQL,');
  console.log('the SMSC simulator, the load generator and the callback receiver share the same cores.');
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; load average now ${loadavg().map((value) => value.toFixed(2)).join(', ')}`);
  console.log(`offered: ${offeredRate} msg/s for ${seconds} s, ${perRequest} per request, round robin over the nodes (${args.connections} connections each);`
    + ` route: ${binds} binds, window ${args.window}, ${args.tps}/s each; receipts after ${args['receipt-delay-ms']} ms; store: PostgreSQL (one schema per setup)`);
  if (memoryMinutes === null) {
    const setups = { both: [oneNode, fourNodes], one: [oneNode], four: [fourNodes] }[args.setups];
    if (setups === undefined) throw new Error(`--setups: both, one or four, not ${args.setups}`);
    const results: PhaseResult[] = [];
    for (const setup of setups) results.push(await runPhase(rig, setup, false));
    printRates(results);
    const [one, four] = results;
    if (one !== undefined && four !== undefined) {
      const ratio = (four.final / four.endSeconds) / (one.final / one.endSeconds);
      console.log(`4 nodes / 1 node, end to end: ${ratio.toFixed(2)}`);
    }
  } else {
    const result = await runPhase(rig, fourNodes, true);
    printRates([result]);
    printMemory(result);
  }
} finally {
  await rig.close();
}
