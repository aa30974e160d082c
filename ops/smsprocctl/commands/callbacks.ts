import { Command } from 'commander';
import type { ClientId } from '../../../daemon/domain/ids.js';
import { CliError, ExitCode } from '../cli-error.js';
import { findClient, globalsOf, withStore } from '../context.js';
import type { Store } from '../../../daemon/storage/port.js';
import { renderTable, writeJson, writeNote, writeOut } from '../output.js';
import { progress } from '../progress.js';

/** Events replayed per store call: progress shows between calls, and each call stays short. */
const REPLAY_CHUNK = 500;

async function replayIds(store: Store, eventIds: readonly string[]): Promise<number> {
  const shown = progress('replaying', eventIds.length);
  let replayed = 0;
  for (let start = 0; start < eventIds.length; start += REPLAY_CHUNK) {
    replayed += await store.replayDeadCallbacks({ eventIds: eventIds.slice(start, start + REPLAY_CHUNK) });
    shown.update(Math.min(eventIds.length, start + REPLAY_CHUNK));
  }
  shown.finish();
  return replayed;
}

/**
 * Every dead event of the client, a page at a time (newest first). An event seen before ends it: a
 * replayed event that died again at once (its endpoint still refuses) is not replayed in a loop.
 */
async function replayClient(store: Store, clientId: ClientId): Promise<number> {
  const shown = progress(`replaying ${clientId}`, null);
  const seen = new Set<string>();
  let replayed = 0;
  for (;;) {
    const page = (await store.listDeadCallbacks({ clientId, limit: REPLAY_CHUNK })).map((event) => event.id);
    const fresh = page.filter((id) => !seen.has(id));
    if (fresh.length === 0) break;
    for (const id of fresh) seen.add(id);
    replayed += await store.replayDeadCallbacks({ eventIds: fresh });
    shown.update(replayed);
    if (fresh.length < page.length) break;
  }
  shown.finish();
  return replayed;
}

function positiveInt(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new CliError(`--limit must be a whole number from 1 up, not "${raw}"`, ExitCode.invalid);
  return value;
}

/** Dead-lettered client callbacks: list them, and replay them once the client's endpoint works again. */
export function callbacksCommand(): Command {
  const callbacks = new Command('callbacks').description('client callbacks (receipts and MO) that the outbox gave up on');
  callbacks
    .command('dead')
    .description('list dead-lettered callbacks, newest first')
    .option('--client <id>', 'only this client')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (options: { client?: string; limit: string }, command: Command) => {
      const limit = positiveInt(options.limit);
      await withStore(command, async (store) => {
        if (options.client !== undefined) findClient(await store.loadProvisioning(), options.client);
        const dead = await store.listDeadCallbacks({ limit, ...(options.client === undefined ? {} : { clientId: options.client as ClientId }) });
        if (globalsOf(command).json === true) {
          writeJson(dead);
          return;
        }
        if (dead.length === 0) {
          writeNote('no dead callbacks');
          return;
        }
        writeOut(renderTable(
          ['event', 'client', 'kind', 'attempts', 'dead at', 'url', 'last error'],
          dead.map((event) => [event.id, event.clientId, event.kind, event.attempts, event.deadAt.toISOString(), event.url, event.lastError]),
        ));
      });
    });
  callbacks
    .command('replay')
    .description('make dead callbacks due again (attempts reset): the given event ids, or all of one client')
    .argument('[eventIds...]')
    .option('--client <id>', 'every dead callback of this client')
    .action(async (eventIds: string[], options: { client?: string }, command: Command) => {
      if ((eventIds.length === 0) === (options.client === undefined)) {
        throw new CliError('give event ids, or --client <id>, not both', ExitCode.invalid);
      }
      await withStore(command, async (store) => {
        let replayed: number;
        if (options.client !== undefined) {
          findClient(await store.loadProvisioning(), options.client);
          replayed = await replayClient(store, options.client as ClientId);
        } else {
          replayed = await replayIds(store, eventIds);
        }
        if (globalsOf(command).json === true) writeJson({ replayed });
        else writeOut(`replayed ${replayed} callback${replayed === 1 ? '' : 's'}\n`);
      });
    });
  return callbacks;
}
