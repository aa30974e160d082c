#!/usr/bin/env node
/**
 * payout-sim: the payout provider simulator as a process, for demos and manual tests
 * (docs/payouts.md). Prints its URL; Ctrl-C stops it.
 *
 *   node dist/ops/payout-sim/main.js --port 8090 --confirm-after-ms 2000 --unavailable-first 2 --reject-prefix 7999
 */
import { parseArgs } from 'node:util';
import { startPayoutSimulator } from './simulator.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'confirm-after-ms': { type: 'string', default: '0' },
    'unavailable-first': { type: 'string', default: '0' },
    'lose-answer-first': { type: 'string', default: '0' },
    'reject-prefix': { type: 'string', multiple: true, default: [] },
  },
});
const simulator = await startPayoutSimulator({
  host: values.host,
  port: Number(values.port),
  confirmAfterMs: Number(values['confirm-after-ms']),
  unavailableFirst: Number(values['unavailable-first']),
  loseAnswerFirst: Number(values['lose-answer-first']),
  rejectPrefixes: values['reject-prefix'],
});
process.stdout.write(`payout-sim listening on ${simulator.url}\n`);
const stop = (): void => void simulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
