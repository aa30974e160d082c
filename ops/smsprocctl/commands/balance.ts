import { Command } from 'commander';
import type { ClientId } from '../../../daemon/domain/ids.js';
import { findClient, globalsOf, withStore } from '../context.js';
import { renderFields, writeJson, writeOut } from '../output.js';

export function balanceCommand(): Command {
  return new Command('balance')
    .argument('<client>')
    .description('segments used, demo allowance left and messages waiting for a client')
    .action(async (clientId: string, _options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        findClient(await store.loadProvisioning(), clientId);
        const balance = await store.clientBalance(clientId as ClientId);
        if (globalsOf(command).json === true) {
          writeJson(balance);
          return;
        }
        writeOut(renderFields([
          ['client', balance.clientId],
          ['segments used', balance.segmentsUsed],
          ['demo remaining', balance.demoRemaining === null ? 'not a demo account' : balance.demoRemaining],
          ['queued', balance.queued],
        ]));
      });
    });
}
