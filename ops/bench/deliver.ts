/**
 * End-to-end benchmark: the daemon on its embedded default (SQLite, durable commits) in one child
 * process, the SMSC simulator (receipts after 100 ms) in another, and in this process the HTTP load
 * generator and the client's receipt-callback receiver, all on this machine. Offers a steady load over
 * keep-alive connections, waits for every receipt callback, and prints accepted/s, submit_sm/s at the
 * simulator, callbacks/s, latency percentiles, CPU and memory per process, and lost and duplicated
 * counts.
 *
 *   npm run bench:deliver
 *   node dist/ops/bench/deliver.js --seconds 20 --rate 5000 --per-request 10
 *   node dist/ops/bench/deliver.js --minutes 10 --rate 1000     # long mode: memory over time
 *
 * Long mode (--minutes) samples the RSS of every process (daemon, simulator, this process: load
 * generator and receiver) every 10 s and prints each one's peak and growth per minute after a
 * 1-minute warm-up.
 *   node dist/ops/bench/deliver.js --postgres-url postgres://postgres@127.0.0.1:5432/postgres   (the daemon on PostgreSQL)
 *   … --postgres-url … --workers 2   (cluster.workers: the binds run in the workers; CPU and RSS summed over the processes)
 *
 * Progress goes to stderr, and only on a terminal; the figures go to stdout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { newApiToken } from '../../daemon/domain/credentials.js';
import { newCallbackTally, startCallbackReceiver } from './callback-receiver.js';
import { percentile } from './load.js';
import { growthText, summarise, type RssSample } from './memory-samples.js';
import { offerPaced } from './paced-load.js';
import { cpuSeconds, freePort, processTree, progress, rssMiB, stopChild, waitHealthy } from './processes.js';
import { provisionBench } from './provisioning.js';
import { startSimulatorProcess } from './simulator-process.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '5000' },
    'per-request': { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    binds: { type: 'string', default: '2' },
    window: { type: 'string', default: '100' },
    'receipt-delay-ms': { type: 'string', default: '100' },
    'drain-seconds': { type: 'string', default: '60' },
    minutes: { type: 'string' },
    /** Writes a V8 CPU profile of the daemon (node --cpu-prof) into this folder. */
    'daemon-cpu-prof-dir': { type: 'string' },
    /** Run the daemon on PostgreSQL (a schema of its own, dropped at the end) instead of SQLite. */
    'postgres-url': { type: 'string' },
    /** cluster.workers of the daemon (above 1 needs --postgres-url). */
    workers: { type: 'string', default: '1' },
  },
});
const longMinutes = args.minutes === undefined ? null : Number(args.minutes);
const seconds = longMinutes === null ? Number(args.seconds) : longMinutes * 60;
const memorySampleMs = 10_000;
const warmupSeconds = 60;
const offeredRate = Number(args.rate);
const perRequest = Number(args['per-request']);
const connections = Number(args.connections);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-bench-deliver-'));
  const dbPath = join(dir, 'smsproc.db');
  const token = newApiToken();
  const tally = newCallbackTally();
  const receiver = await startCallbackReceiver(tally);
  const apiPort = await freePort();
  const postgresUrl = args['postgres-url'];
  const schema = `smsproc_bench_e2e_${process.pid}`;
  if (postgresUrl !== undefined) await adminQuery(postgresUrl, `CREATE SCHEMA ${schema}`);
  const storeEnv: Record<string, string> = postgresUrl === undefined ? {}
    : { SMSPROC_STORE_KIND: 'postgres', SMSPROC_STORE_POSTGRES_URL: postgresUrl, SMSPROC_STORE_POSTGRES_SCHEMA: schema };
  const smsc = await startSimulatorProcess({ account: `smsproc:smsproc:${Number(args.binds) + 2}:0`, receiptDelayMs: Number(args['receipt-delay-ms']) });
  await provisionBench({ storeEnv, dbPath, token, smscPort: smsc.smppPort, binds: Number(args.binds), windowSize: Number(args.window), dlrUrl: `http://127.0.0.1:${receiver.port}/dlr` });
  const distRoot = new URL('../../', import.meta.url).pathname;
  const profileArgs = args['daemon-cpu-prof-dir'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${args['daemon-cpu-prof-dir']}`];
  const daemon = spawn(process.execPath, [...profileArgs, join(distRoot, 'daemon/main.js')], {
    env: { ...process.env, ...storeEnv, SMSPROC_STORE_SQLITE_PATH: dbPath, SMSPROC_API_PORT: String(apiPort), SMSPROC_LOG_LEVEL: 'warn', SMSPROC_CLUSTER_WORKERS: String(args.workers) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let peakDaemonRss = 0;
  const rssTimer = setInterval(() => {
    if (daemon.pid !== undefined && daemon.exitCode === null) peakDaemonRss = Math.max(peakDaemonRss, daemonRss(daemon.pid));
  }, 500);
  const memorySamples: RssSample[] = [];
  let loadStartedAt = 0;
  let memoryTimer: NodeJS.Timeout | null = null;
  const smscPid = smsc.child.pid ?? 0;
  const sampleMemory = (): void => {
    if (daemon.pid === undefined || daemon.exitCode !== null || smsc.child.exitCode !== null) return;
    const sample = { atSeconds: (Date.now() - loadStartedAt) / 1000, rssMiB: { daemon: daemonRss(daemon.pid), simulator: rssMiB(smscPid), 'load+receiver': process.memoryUsage().rss / 2 ** 20 } };
    memorySamples.push(sample);
    progress(`${sample.atSeconds.toFixed(0)} s: RSS daemon ${sample.rssMiB.daemon.toFixed(0)} MiB, simulator ${sample.rssMiB.simulator.toFixed(0)} MiB, load+receiver ${sample.rssMiB['load+receiver'].toFixed(0)} MiB; ${tally.receivedAt.size} callbacks`);
  };
  try {
    await waitHealthy(apiPort, daemon);
    // The primary and its workers, if any: the same processes before and after (a worker that died would be missing).
    const daemonPids = processTree(daemon.pid ?? 0);
    const daemonCpu = (): number => daemonPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const before = { daemon: daemonCpu(), smsc: cpuSeconds(smscPid), self: process.cpuUsage(), sim: await smsc.stats() };
    const url = new URL(perRequest === 1 ? '/api/v1/sms' : '/api/v1/sms/batch', `http://127.0.0.1:${apiPort}`);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const started = performance.now();
    if (longMinutes !== null) {
      loadStartedAt = Date.now();
      sampleMemory();
      memoryTimer = setInterval(sampleMemory, memorySampleMs);
    }
    progress(`offering ${offeredRate} msg/s for ${seconds} s (${perRequest} per request, ${connections} connections)…`);
    const { accepted, latenciesMs: acceptLatencies, errors, errorSamples, seconds: loadSeconds } = await offerPaced({
      urls: [url],
      headers,
      rate: offeredRate,
      perRequest,
      seconds,
      connections,
      body: (i) => {
        const messages = Array.from({ length: perRequest }, (_, k) => ({ from: 'BENCH', to: `7916${String((i * perRequest + k) % 10_000_000).padStart(7, '0')}`, text: `Bench ${i}/${k}`, dlr: true }));
        return JSON.stringify(perRequest === 1 ? messages[0] : { messages });
      },
    });
    // Long mode measures memory under the steady load, not during the drain.
    if (memoryTimer !== null) clearInterval(memoryTimer);
    if (longMinutes !== null) sampleMemory();
    const atLoadEnd = { sim: await smsc.stats(), callbacks: tally.receivedAt.size };
    progress(`load done: ${accepted.length} accepted; waiting for their receipt callbacks…`);
    const drainDeadline = Date.now() + Number(args['drain-seconds']) * 1000;
    while (tally.receivedAt.size < accepted.length && Date.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const endSeconds = (performance.now() - started) / 1000;
    const after = { daemon: daemonCpu(), smsc: cpuSeconds(smscPid), self: process.cpuUsage(before.self), sim: await smsc.stats() };
    const lost = accepted.filter((id) => !tally.receivedAt.has(id)).length;
    const sorted = (values: number[]): Float64Array => Float64Array.from(values).sort();
    const pct = (values: number[]): string => {
      const s = sorted(values);
      return `p50 ${percentile(s, 50).toFixed(0)} / p90 ${percentile(s, 90).toFixed(0)} / p99 ${percentile(s, 99).toFixed(0)} ms`;
    };
    const rate = (count: number, secondsSpent: number): string => `${(count / secondsSpent).toFixed(0)}/s`;
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; daemon, simulator, load generator and receiver on the same machine`);
    console.log(`store: ${postgresUrl === undefined ? 'SQLite' : 'PostgreSQL'}; cluster.workers ${args.workers} (${daemonPids.length} daemon process(es))`);
    console.log(`offered: ${offeredRate} msg/s for ${seconds} s, ${perRequest} message(s) per request over ${connections} keep-alive connections; route: ${args.binds} binds, window ${args.window}; receipts after ${args['receipt-delay-ms']} ms`);
    console.log(`accepted:            ${accepted.length} (${rate(accepted.length, loadSeconds)} over the ${loadSeconds.toFixed(1)} s load), ${errors} refused`);
    console.log(`submit_sm at SMSC:   ${after.sim.submits.total - before.sim.submits.total} (${rate(atLoadEnd.sim.submits.total - before.sim.submits.total, loadSeconds)} during the load)`);
    console.log(`receipt callbacks:   ${tally.receivedAt.size} (${rate(atLoadEnd.callbacks, loadSeconds)} during the load; all done ${endSeconds.toFixed(1)} s after start) ${JSON.stringify(Object.fromEntries(tally.statuses))}`);
    console.log(`latency accept:      ${pct(acceptLatencies)} (HTTP request of ${perRequest} message(s))`);
    console.log(`latency accept→submit: ${pct(tally.submitToAccept)}`);
    console.log(`latency accept→callback: ${pct(tally.callbackAfterAccept)}`);
    console.log(`CPU: daemon ${(after.daemon - before.daemon).toFixed(1)} s, simulator ${(after.smsc - before.smsc).toFixed(1)} s, load generator + receiver ${((after.self.user + after.self.system) / 1e6).toFixed(1)} s, over ${endSeconds.toFixed(1)} s`);
    console.log(`daemon peak RSS: ${peakDaemonRss.toFixed(0)} MiB`);
    console.log(`lost (no receipt callback within the drain time): ${lost}; duplicated: ${after.sim.duplicates.messages} at the SMSC, ${tally.duplicates} receipt callbacks`);
    // End to end = every accepted message through SMPP and its receipt back to the client.
    const endToEnd = tally.receivedAt.size / endSeconds;
    console.log(`end to end: ${endToEnd.toFixed(0)} msg/s (${tally.receivedAt.size} receipt callbacks in ${endSeconds.toFixed(1)} s from the first request)`);
    console.log(`goal: at least 5,000 msg/s end to end (aim 10,000), zero lost: ${endToEnd >= 5000 && lost === 0 ? 'met' : 'not met'}`);
    for (const sample of errorSamples) console.log(`error sample: ${sample}`);
    if (longMinutes !== null) {
      console.log(`memory (RSS every ${memorySampleMs / 1000} s, ${memorySamples.length} samples; growth = least-squares slope after a ${warmupSeconds} s warm-up):`);
      for (const name of ['daemon', 'simulator', 'load+receiver']) {
        const m = summarise(memorySamples, name, warmupSeconds);
        console.log(`  ${name.padEnd(14)} peak ${m.peakMiB.toFixed(0)} MiB, after warm-up ${m.firstAfterWarmupMiB?.toFixed(0) ?? '-'} → ${m.lastMiB?.toFixed(0) ?? '-'} MiB, growth ${growthText(m)}`);
      }
      const daemonMemory = summarise(memorySamples, 'daemon', warmupSeconds);
      const verdict = daemonMemory.growthMiBPerMinute === null
        ? 'not measured (run longer than the warm-up)'
        : daemonMemory.peakMiB * 1.048576 < 512 && daemonMemory.growthMiBPerMinute * 1.048576 < 1 ? 'met' : 'not met';
      console.log(`goal: the node (the daemon process) under 512 MB and growing < 1 MB/min after warm-up: ${verdict}`);
    }
  } finally {
    clearInterval(rssTimer);
    if (memoryTimer !== null) clearInterval(memoryTimer);
    await stopChild(daemon);
    await smsc.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
    if (postgresUrl !== undefined) await adminQuery(postgresUrl, `DROP SCHEMA ${schema} CASCADE`);
  }
}

/** RSS of the daemon: the primary and its workers together. */
function daemonRss(pid: number): number {
  return processTree(pid).reduce((sum, each) => sum + rssMiB(each), 0);
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
