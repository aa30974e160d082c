#!/usr/bin/env node
/**
 * smsprocctl, the admin CLI (docs/smsprocctl.md): provisioning of clients, routes, prefixes and
 * number-portability overrides, dead-lettered callbacks and inbound problems, directly in the store
 * named by the node config.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../daemon/config/load.js';
import { SmsprocError } from '../../daemon/domain/errors.js';
import { CliError, ExitCode } from './cli-error.js';
import { accessCommands } from './commands/access.js';
import { applyCommand } from './commands/apply.js';
import { balanceCommand } from './commands/balance.js';
import { callbacksCommand } from './commands/callbacks.js';
import { clientCommand } from './commands/client.js';
import { clusterCommand } from './commands/cluster.js';
import { dbCommand } from './commands/db.js';
import { exportCommand } from './commands/export.js';
import { inboundCommand } from './commands/inbound.js';
import { messagesCommand } from './commands/messages.js';
import { overridesCommand } from './commands/overrides.js';
import { payoutsCommand } from './commands/payouts.js';
import { prefixCommand } from './commands/prefix.js';
import { queuesCommand } from './commands/queues.js';
import { routeCommand } from './commands/route.js';
import { scenariosCommand } from './commands/scenarios.js';

function program(): Command {
  const root = new Command('smsprocctl')
    .description('smsproc admin CLI: clients, routes, prefixes, overrides and declarative provisioning')
    .option('--config <file>', 'node config (YAML); default: the embedded default plus SMSPROC_* environment')
    .option('--json', 'print results as JSON')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const commands = [clientCommand(), ...accessCommands(), routeCommand(), prefixCommand(), overridesCommand(), applyCommand(), exportCommand(), balanceCommand(), callbacksCommand(), inboundCommand(), messagesCommand(), queuesCommand(), scenariosCommand(), payoutsCommand(), dbCommand(), clusterCommand()];
  for (const command of commands) root.addCommand(command);
  // Settings are copied to subcommands only when they are created by the parent, so set them on each.
  const inherit = (command: Command): void => {
    command.exitOverride().showHelpAfterError('(add --help for usage)');
    command.commands.forEach(inherit);
  };
  commands.forEach(inherit);
  return root;
}

function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ConfigError) return ExitCode.invalid;
  if (error instanceof SmsprocError) {
    if (error.definition.name === 'NOT_FOUND') return ExitCode.notFound;
    if (error.definition.name === 'PROVISIONING_INVALID') return ExitCode.invalid;
  }
  return ExitCode.failure;
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    await program().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message or the help already.
      process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.invalid;
      return;
    }
    const problems = error instanceof CliError || error instanceof ConfigError ? error.problems : [];
    const message = error instanceof ConfigError ? 'invalid configuration' : (error as Error).message;
    const exitCode = exitCodeOf(error);
    if (argv.includes('--json')) process.stderr.write(`${JSON.stringify({ error: message, problems, exitCode })}\n`);
    else process.stderr.write(`smsprocctl: ${message}\n${problems.map((problem) => `  - ${problem}\n`).join('')}`);
    process.exitCode = exitCode;
  }
}

await main(process.argv);
