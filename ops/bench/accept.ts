/**
 * Acceptance benchmark: the daemon on its embedded default (SQLite, durable group commits) in a
 * child process, and a keep-alive HTTP load from this process on the same machine. Prints accepted
 * messages per second and latency percentiles for single-message requests and for batches of 100.
 *
 *   npm run bench                       (defaults below)
 *   node dist/ops/bench/accept.js --seconds 20 --connections 64
 *
 * Progress goes to stderr, and only on a terminal; the figures go to stdout in fixed columns.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { newApiToken } from '../../daemon/domain/credentials.js';
import { percentile, runLoad, type LoadResult } from './load.js';
import { cpuSeconds, freePort, progress, stopChild, waitHealthy } from './processes.js';
import { provisionBench } from './provisioning.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    'batch-connections': { type: 'string', default: '8' },
  },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const batchConnections = Number(args['batch-connections']);

function row(result: LoadResult, goalMsgPerS: number): string {
  const rate = (result.messages / result.elapsedMs) * 1000;
  const cells = [
    result.name.padEnd(22),
    String(result.requests).padStart(9),
    String(result.messages).padStart(9),
    rate.toFixed(0).padStart(9),
    ((result.requests / result.elapsedMs) * 1000).toFixed(0).padStart(8),
    percentile(result.latenciesMs, 50).toFixed(1).padStart(7),
    percentile(result.latenciesMs, 90).toFixed(1).padStart(7),
    percentile(result.latenciesMs, 99).toFixed(1).padStart(7),
    String(result.errors).padStart(6),
    `${rate >= goalMsgPerS ? 'met' : 'not met'} (${goalMsgPerS} msg/s, p99 < 50 ms: ${percentile(result.latenciesMs, 99) < 50 ? 'met' : 'not met'})`,
  ];
  return cells.join(' ');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-bench-'));
  const dbPath = join(dir, 'smsproc.db');
  const token = newApiToken();
  // The route points at a port nobody serves: this benchmark measures acceptance only.
  await provisionBench({ dbPath, token, smscPort: await freePort(), binds: 1, windowSize: 100, dlrUrl: null });
  const port = await freePort();
  const daemon = spawn(process.execPath, [new URL('../../daemon/main.js', import.meta.url).pathname], {
    env: { ...process.env, SMSPROC_STORE_SQLITE_PATH: dbPath, SMSPROC_API_PORT: String(port), SMSPROC_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitHealthy(port, daemon);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const base = `http://127.0.0.1:${port}`;
    const msisdn = (i: number): string => `7916${String(i % 10_000_000).padStart(7, '0')}`;
    const results: Array<[LoadResult, number]> = [];
    const cpuBefore = cpuSeconds(daemon.pid ?? 0);
    progress(`single-message requests for ${seconds} s over ${connections} connections…`);
    results.push([await runLoad({
      name: 'single (1 msg/req)', url: new URL('/api/v1/sms', base), headers, messagesPerRequest: 1, connections,
      durationMs: seconds * 1000, maxRequests: 2_000_000,
      body: (i) => JSON.stringify({ from: 'BENCH', to: msisdn(i), text: `Your code is ${i % 1_000_000}` }),
    }), 8000]);
    progress(`batches of 100 for ${seconds} s over ${batchConnections} connections…`);
    results.push([await runLoad({
      name: 'batch (100 msg/req)', url: new URL('/api/v1/sms/batch', base), headers, messagesPerRequest: 100,
      connections: batchConnections, durationMs: seconds * 1000, maxRequests: 200_000,
      body: (i) => JSON.stringify({
        messages: Array.from({ length: 100 }, (_, k) => ({ from: 'BENCH', to: msisdn(i * 100 + k), text: `Hello ${i}/${k}` })),
      }),
    }), 50_000]);
    const daemonCpu = cpuSeconds(daemon.pid ?? 0) - cpuBefore;
    const wall = results.reduce((sum, [result]) => sum + result.elapsedMs, 0) / 1000;
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; load generator on the same machine`);
    console.log(['phase'.padEnd(22), 'requests'.padStart(9), 'messages'.padStart(9), 'msg/s'.padStart(9), 'req/s'.padStart(8), 'p50 ms'.padStart(7), 'p90 ms'.padStart(7), 'p99 ms'.padStart(7), 'errors'.padStart(6), 'goal'].join(' '));
    for (const [result, goal] of results) console.log(row(result, goal));
    console.log(`daemon CPU: ${daemonCpu.toFixed(1)} s over ${wall.toFixed(1)} s (${((daemonCpu / wall) * 100).toFixed(0)}% of one core)`);
    for (const [result] of results) for (const sample of result.errorSamples) console.log(`error sample (${result.name}): ${sample}`);
  } finally {
    await stopChild(daemon);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
