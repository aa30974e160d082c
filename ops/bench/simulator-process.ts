import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatorStats } from '../smsc-sim/stats.js';
import { freePort, stopChild, waitUntil } from './processes.js';

/** The SMSC simulator in a process of its own (as an operator's SMSC would be), for the end-to-end benchmarks. */
export interface SimulatorProcess {
  readonly child: ChildProcess;
  readonly smppPort: number;
  stats(): Promise<SimulatorStats>;
  close(): Promise<void>;
}

const simulatorMain = fileURLToPath(new URL('../smsc-sim/main.js', import.meta.url));

export async function startSimulatorProcess(options: { account: string; receiptDelayMs: number }): Promise<SimulatorProcess> {
  const [smppPort, controlPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [simulatorMain, '--port', String(smppPort), '--control-port', String(controlPort),
    '--account', options.account, '--receipt-delay-ms', String(options.receiptDelayMs), '--log-level', 'warn'],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stats = async (): Promise<SimulatorStats> => (await (await fetch(`http://127.0.0.1:${controlPort}/stats`)).json()) as SimulatorStats;
  try {
    await waitUntil('simulator', child, async () => (await fetch(`http://127.0.0.1:${controlPort}/stats`)).ok);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    child,
    smppPort,
    stats,
    async close() {
      process.removeListener('exit', killOnExit);
      await stopChild(child);
    },
  };
}
