/**
 * SMPP server benchmark: the daemon on its embedded default (SQLite, durable group commits) with the
 * SMPP server for clients on, in a child process; one client transmitter bind from this process
 * (our ESME driver, which keeps its window full) submits for a fixed time at window 10 and 100.
 * Every submit_sm_resp is sent after the message's commit, so accepted/s is durable intake.
 *
 *   npm run bench:smpp-server
 *   node dist/ops/bench/smpp-server.js --seconds 8
 *
 * Progress goes to stderr, and only on a terminal; the figures go to stdout in fixed columns.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashPassword, newApiToken } from '../../daemon/domain/credentials.js';
import { createLogger } from '../../daemon/log.js';
import { EsmeDriver } from '../../daemon/smpp/esme-driver.js';
import { sessionConfig } from '../../daemon/smpp/session-config.js';
import type { SubmittablePdu } from '../../daemon/smpp/session-types.js';
import { percentile } from './load.js';
import { cpuSeconds, freePort, progress, stopChild, waitHealthy } from './processes.js';
import { provisionBench } from './provisioning.js';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '8' } } });
/** Per window size; two phases stay within 20 s. */
const seconds = Math.min(10, Number(args.seconds));
const PASSWORD = 'bench';

interface PhaseResult {
  readonly window: number;
  readonly accepted: number;
  readonly refused: number;
  readonly elapsedMs: number;
  /** Sorted. */
  readonly latenciesMs: Float64Array;
}

function submitPdu(i: number): SubmittablePdu {
  return {
    command: 'submit_sm', commandStatus: 0, sequenceNumber: 0, tlvs: [], serviceType: '', sourceAddrTon: 5, sourceAddrNpi: 0,
    sourceAddr: 'BENCH', destAddrTon: 1, destAddrNpi: 1, destinationAddr: `7916${String(i % 10_000_000).padStart(7, '0')}`,
    esmClass: 0, protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '', validityPeriod: '', registeredDelivery: 1,
    replaceIfPresentFlag: 0, dataCoding: 0, smDefaultMsgId: 0, shortMessage: Buffer.from(`Your code is ${i % 1_000_000}`, 'latin1'),
  };
}

async function phase(port: number, window: number): Promise<PhaseResult> {
  const driver = new EsmeDriver({
    host: '127.0.0.1', port, logger: createLogger('silent'),
    session: sessionConfig({ bindKind: 'transmitter', systemId: 'bench', password: PASSWORD, windowSize: window, tps: 1_000_000 }),
  });
  const bound = new Promise<void>((resolve, reject) => driver.onEvent((event) => {
    if (event.type === 'bound') resolve();
    if (event.type === 'bindFailed') reject(new Error(`bind refused: ${event.commandStatus}`));
  }));
  driver.start();
  await bound;
  const latenciesMs: number[] = [];
  let accepted = 0;
  let refused = 0;
  let next = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  // Twice the window in the driver: the window stays full while responses come back.
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      const outcome = await driver.submit(submitPdu(next++), null);
      latenciesMs.push(performance.now() - sentAt);
      if (outcome.kind === 'accepted') accepted += 1;
      else refused += 1;
    }
  };
  await Promise.all(Array.from({ length: window * 2 }, worker));
  const elapsedMs = performance.now() - start;
  await driver.stop();
  return { window, accepted, refused, elapsedMs, latenciesMs: Float64Array.from(latenciesMs).sort() };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-bench-'));
  const dbPath = join(dir, 'smsproc.db');
  // The route points at a port nobody serves: this benchmark measures acceptance only.
  await provisionBench({ dbPath, token: newApiToken(), smscPort: await freePort(), binds: 1, windowSize: 100, dlrUrl: null, smppPasswordHash: await hashPassword(PASSWORD) });
  const apiPort = await freePort();
  const smppPort = await freePort();
  const daemon = spawn(process.execPath, [new URL('../../daemon/main.js', import.meta.url).pathname], {
    env: {
      ...process.env, SMSPROC_STORE_SQLITE_PATH: dbPath, SMSPROC_API_PORT: String(apiPort), SMSPROC_LOG_LEVEL: 'warn',
      SMSPROC_SMPP_SERVER_ENABLED: 'true', SMSPROC_SMPP_SERVER_PORT: String(smppPort),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitHealthy(apiPort, daemon);
    const results: PhaseResult[] = [];
    const cpuBefore = cpuSeconds(daemon.pid ?? 0);
    for (const window of [10, 100]) {
      progress(`submit_sm for ${seconds} s at window ${window}…`);
      results.push(await phase(smppPort, window));
    }
    const daemonCpu = cpuSeconds(daemon.pid ?? 0) - cpuBefore;
    const wall = results.reduce((sum, result) => sum + result.elapsedMs, 0) / 1000;
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; client on the same machine`);
    console.log(['window'.padStart(6), 'accepted'.padStart(9), 'refused'.padStart(8), 'msg/s'.padStart(8), 'p50 ms'.padStart(7), 'p90 ms'.padStart(7), 'p99 ms'.padStart(7)].join(' '));
    for (const r of results) {
      console.log([
        String(r.window).padStart(6), String(r.accepted).padStart(9), String(r.refused).padStart(8),
        ((r.accepted / r.elapsedMs) * 1000).toFixed(0).padStart(8), percentile(r.latenciesMs, 50).toFixed(1).padStart(7),
        percentile(r.latenciesMs, 90).toFixed(1).padStart(7), percentile(r.latenciesMs, 99).toFixed(1).padStart(7),
      ].join(' '));
    }
    console.log(`daemon CPU: ${daemonCpu.toFixed(1)} s over ${wall.toFixed(1)} s (${((daemonCpu / wall) * 100).toFixed(0)}% of one core)`);
  } finally {
    await stopChild(daemon);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
