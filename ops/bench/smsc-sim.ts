/**
 * How many submit_sm/s the SMSC simulator sustains: the simulator runs as its own process (as in the
 * end-to-end benchmark), one `smpp` package client in this process submits with a window of
 * outstanding requests, with receipts requested (and answered) or not.
 *   node dist/ops/bench/smsc-sim.js [--count 50000] [--window 100] [--receipts] [--seconds 30]
 * Prints one line of fixed columns on stdout.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PDU } from 'smpp';
import { answerDeliveries, bindEsme, closeEsme } from '../smsc-sim/esme-client.js';
import smpp from 'smpp';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const count = argument('count', 50_000);
const window = argument('window', 100);
const maxSeconds = argument('seconds', 30);
const withReceipts = process.argv.includes('--receipts');

const simulatorMain = fileURLToPath(new URL('../smsc-sim/main.js', import.meta.url));
const child = spawn(process.execPath, [simulatorMain, '--port', '0', '--account', 'bench:bench:1:0', '--receipt-delay-ms', '100', '--log-level', 'info'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve, reject) => {
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const entry = JSON.parse(line) as { smpp?: { port?: number } };
    if (entry.smpp?.port) resolve(entry.smpp.port);
  });
  child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
});

const { session, status } = await bindEsme(port, 'bench', 'bench');
if (status !== 0) throw new Error(`bind refused: ${status}`);
let receipts = 0;
answerDeliveries(session, () => receipts++);

/** The simulator's CPU seconds so far (Linux /proc; clock ticks of 1/100 s), or NaN elsewhere. */
function simulatorCpuSeconds(): number {
  try {
    const fields = readFileSync(`/proc/${child.pid ?? 0}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

let sent = 0;
let answered = 0;
let errors = 0;
const cpuBefore = simulatorCpuSeconds();
const startedAt = process.hrtime.bigint();
const deadline = Date.now() + maxSeconds * 1000;
await new Promise<void>((resolve) => {
  const onResponse = (pdu: PDU): void => {
    answered++;
    if (pdu.command_status !== 0) errors++;
    if (answered === sent && (sent >= count || Date.now() > deadline)) resolve();
    else submitNext();
  };
  const submitNext = (): void => {
    if (sent >= count || Date.now() > deadline) return;
    sent++;
    session.send(new smpp.PDU('submit_sm', {
      source_addr: 'BENCH',
      destination_addr: `7900${String(sent).padStart(7, '0')}`,
      short_message: { message: `bench message ${sent}` },
      registered_delivery: withReceipts ? 1 : 0,
    }), onResponse);
  };
  for (let i = 0; i < window; i++) submitNext();
});
const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
const simulatorCpuPercent = ((simulatorCpuSeconds() - cpuBefore) / seconds) * 100;
await new Promise((resolve) => setTimeout(resolve, withReceipts ? 300 : 0));
await closeEsme(session);
child.kill('SIGTERM');
process.stdout.write('submits\terrors\tseconds\tsubmit_sm/s\twindow\treceipts_received\tsimulator_cpu_%\n');
process.stdout.write(`${answered}\t${errors}\t${seconds.toFixed(2)}\t${Math.round(answered / seconds)}\t${window}\t${receipts}\t${simulatorCpuPercent.toFixed(0)}\n`);
