import { Command, InvalidArgumentError } from 'commander';
import { receiptStatuses, type StatusMix } from './receipt.js';
import type { SmscAccount, SmscSimulatorOptions } from './simulator.js';

/** Options of the `smsc-sim` command, turned into simulator options (the logger is added by main). */
export function parseCommandLine(argv: readonly string[]): SmscSimulatorOptions & { logLevel: string } {
  const program = new Command('smsc-sim')
    .description('SMSC simulator (SMPP 3.4 server) for smsproc tests and benchmarks')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'SMPP port (0 = ephemeral)', integer, 2775)
    .option('--account <systemId:password:maxBinds:tps>', 'an account; repeat for more (tps 0 = unlimited)', collectAccount, [])
    .option('--receipt-delay-ms <ms>', 'delay from submit_sm to its receipt', integer, 100)
    .option('--status-mix <mix>', 'receipt status weights, e.g. DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2', parseMix, { DELIVRD: 1 })
    .option('--receipts-on-any-bind', 'send receipts on another receiver bind of the account than the submitting one')
    .option('--message-id-format <format>', 'hex or decimal', choice(['hex', 'decimal']), 'hex')
    .option('--receipt-text-id-format <format>', 'same, or decimal (text in decimal while the TLV stays hex)', choice(['same', 'decimal']), 'same')
    .option('--deliver-window <n>', 'unanswered deliver_sm allowed per bind', integer, 100)
    .option('--capture <n>', 'keep the last n submits for GET /stats', integer, 0)
    .option('--seed <n>', 'seed of status draws and message ids', integer)
    .option('--control-port <port>', 'HTTP control endpoint port on 127.0.0.1 (0 = ephemeral)', integer)
    .option('--log-level <level>', 'pino level', 'info')
    .exitOverride()
    .parse(argv, { from: 'user' });
  const opts = program.opts<{
    host: string; port: number; account: SmscAccount[]; receiptDelayMs: number; statusMix: StatusMix;
    receiptsOnAnyBind?: boolean; messageIdFormat: 'hex' | 'decimal'; receiptTextIdFormat: 'same' | 'decimal';
    deliverWindow: number; capture: number; seed?: number; controlPort?: number; logLevel: string;
  }>();
  return {
    host: opts.host,
    port: opts.port,
    accounts: opts.account.length > 0 ? opts.account : [{ systemId: 'smsproc', password: 'secret', maxBinds: 2, tps: 0 }],
    receiptDelayMs: opts.receiptDelayMs,
    statusMix: opts.statusMix,
    receiptsOnAnyBind: opts.receiptsOnAnyBind ?? false,
    messageIdFormat: opts.messageIdFormat,
    receiptTextIdFormat: opts.receiptTextIdFormat,
    deliverWindow: opts.deliverWindow,
    captureMessages: opts.capture,
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.controlPort === undefined ? {} : { controlPort: opts.controlPort }),
    logLevel: opts.logLevel,
  };
}

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return parsed;
}

function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    const found = allowed.find((option) => option === value);
    if (!found) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return found;
  };
}

/** `systemId:password:maxBinds:tps`; the password may itself contain colons. */
export function parseAccount(value: string): SmscAccount {
  const fields = value.split(':');
  if (fields.length < 4) throw new InvalidArgumentError('expected systemId:password:maxBinds:tps');
  const tps = integer(fields.pop() ?? '');
  const maxBinds = integer(fields.pop() ?? '');
  const [systemId = '', ...password] = fields;
  if (systemId === '' || maxBinds < 1) throw new InvalidArgumentError('expected a system_id and maxBinds of at least 1');
  return { systemId, password: password.join(':'), maxBinds, tps };
}

function collectAccount(value: string, previous: SmscAccount[]): SmscAccount[] {
  return [...previous, parseAccount(value)];
}

/** `DELIVRD=90,UNDELIV=10`: statuses not named weigh 0. */
export function parseMix(value: string): StatusMix {
  const mix: StatusMix = {};
  for (const entry of value.split(',')) {
    const [status, weight] = entry.split('=');
    const known = receiptStatuses.find((candidate) => candidate === status?.trim().toUpperCase());
    const parsed = Number(weight);
    if (!known || !Number.isFinite(parsed) || parsed < 0) {
      throw new InvalidArgumentError(`expected STATUS=weight with STATUS in ${receiptStatuses.join(', ')}`);
    }
    mix[known] = parsed;
  }
  if (!Object.values(mix).some((weight) => weight > 0)) throw new InvalidArgumentError('at least one weight must be positive');
  return mix;
}
