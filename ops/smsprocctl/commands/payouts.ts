import { Command, Option } from 'commander';
import type { ClientId } from '../../../daemon/domain/ids.js';
import { PayoutState } from '../../../daemon/storage/payout-port.js';
import { CliError, ExitCode, notFound } from '../cli-error.js';
import { globalsOf, withStore } from '../context.js';
import { renderFields, renderTable, writeJson, writeNote, writeOut } from '../output.js';

/** Payouts to subscribers' mobile accounts (docs/payouts.md): the ledger, retries and budgets. */
export function payoutsCommand(): Command {
  const payouts = new Command('payouts').description('payouts to mobile accounts: list, retry failed ones, client budgets');
  payouts
    .command('list')
    .description('payouts, newest first')
    .option('--client <id>', 'only this client')
    .addOption(new Option('--state <state>', 'only this state').choices(Object.values(PayoutState)))
    .option('--limit <n>', 'at most this many', '50')
    .action(async (options: { client?: string; state?: PayoutState; limit: string }, command: Command) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a whole number from 1 up, not "${options.limit}"`, ExitCode.invalid);
      await withStore(command, async (store) => {
        const list = await store.listPayouts({
          limit,
          ...(options.client === undefined ? {} : { clientId: options.client as ClientId }),
          ...(options.state === undefined ? {} : { state: options.state }),
        });
        if (globalsOf(command).json === true) {
          writeJson(list);
          return;
        }
        if (list.length === 0) {
          writeNote('no payouts');
          return;
        }
        writeOut(renderTable(
          ['id', 'client', 'to', 'amount', 'state', 'attempts', 'provider ref', 'error', 'updated'],
          list.map((p) => [p.id, p.clientId, p.subscriber, `${p.amountMinor} ${p.currency}`, p.state, p.attempts, p.providerRef, p.lastError, p.updatedAt.toISOString()]),
        ));
      });
    });
  payouts
    .command('retry')
    .argument('<id...>', 'payout ids')
    .description('make failed payouts requested again (sent with the same idempotency key), if the budget covers them')
    .action(async (ids: string[], _options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const results: Record<string, string> = {};
        for (const id of ids) results[id] = await store.retryPayout(id);
        if (globalsOf(command).json === true) writeJson(results);
        else writeOut(renderTable(['id', 'result'], Object.entries(results)));
        if (Object.values(results).some((result) => result === 'not-found')) process.exitCode = ExitCode.notFound;
      });
    });
  payouts
    .command('budget')
    .argument('<client>', 'client id')
    .argument('[amount]', 'the new budget in minor units (kopecks, cents); omit to show')
    .option('--currency <code>', 'ISO 4217 currency of the budget', 'RUB')
    .description("show or set a client's payout budget: requested, sent and confirmed payouts together stay within it")
    .action(async (client: string, amount: string | undefined, options: { currency: string }, command: Command) => {
      await withStore(command, async (store) => {
        const snapshot = await store.loadProvisioning();
        if (!snapshot.clients.some((c) => c.id === client)) throw notFound('client', client);
        if (amount !== undefined) {
          const value = Number(amount);
          if (!Number.isInteger(value) || value < 0) throw new CliError(`the amount must be a whole number of minor units, not "${amount}"`, ExitCode.invalid);
          if (!/^[A-Z]{3}$/.test(options.currency)) throw new CliError(`--currency must be an ISO 4217 code such as RUB, not "${options.currency}"`, ExitCode.invalid);
          await store.setPayoutBudget(client as ClientId, options.currency, value);
        }
        const budget = await store.payoutBudget(client as ClientId);
        if (globalsOf(command).json === true) {
          writeJson(budget);
          return;
        }
        if (budget === null) {
          writeNote(`client ${client} has no payout budget: its payouts are refused`);
          return;
        }
        writeOut(renderFields([['client', client], ['budget', `${budget.budgetMinor} ${budget.currency}`], ['committed', `${budget.committedMinor} ${budget.currency}`], ['left', `${budget.budgetMinor - budget.committedMinor} ${budget.currency}`]]));
      });
    });
  return payouts;
}
