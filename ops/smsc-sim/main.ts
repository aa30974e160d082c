#!/usr/bin/env node
/** The `smsc-sim` command: the simulator as a process, JSON logs on stdout, SIGINT/SIGTERM close it cleanly. */
import { CommanderError } from 'commander';
import { createLogger } from '../../daemon/log.js';
import { parseCommandLine } from './command-line.js';
import { startSmscSimulator } from './simulator.js';

async function main(): Promise<void> {
  let options;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    throw error;
  }
  const logger = createLogger(options.logLevel);
  const simulator = await startSmscSimulator({ ...options, logger });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, stats: summary(simulator.stats()) }, 'stopping');
    simulator.close().then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: String(error) }, 'close failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function summary(stats: ReturnType<Awaited<ReturnType<typeof startSmscSimulator>>['stats']>): Record<string, number> {
  return {
    submits: stats.submits.total,
    messages: stats.messages.total,
    throttled: stats.throttled,
    duplicates: stats.duplicates.submits,
    receiptsSent: stats.receipts.sent,
    moSent: stats.mo.sent,
    refusedBinds: stats.binds.refused,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`smsc-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
