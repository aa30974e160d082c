import { Command } from 'commander';
import { globalsOf, withStore } from '../context.js';
import { renderTable, writeJson, writeNote, writeOut } from '../output.js';

/** The DBA view of the MT queue: depth and oldest message per route and state. */
export function queuesCommand(): Command {
  return new Command('queues')
    .description('messages not yet final per route and queue state, with the oldest one\'s age')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const now = Date.now();
        const rows = [...(await store.queueDepth())].sort((a, b) => a.routeId.localeCompare(b.routeId) || a.state.localeCompare(b.state));
        const view = rows.map((row) => ({ ...row, oldestAgeS: Math.max(0, Math.round((now - row.oldestAcceptedAt.getTime()) / 1000)) }));
        if (globalsOf(command).json === true) {
          writeJson(view);
          return;
        }
        if (view.length === 0) {
          writeNote('every queue is empty');
          return;
        }
        writeOut(renderTable(['route', 'state', 'messages', 'oldest accepted', 'age s'], view.map((row) => [row.routeId, row.state, row.messages, row.oldestAcceptedAt.toISOString(), row.oldestAgeS])));
      });
    });
}
