import { Command } from 'commander';
import { withStore } from '../context.js';
import { writeOut } from '../output.js';
import { progress } from '../progress.js';
import { exportProvisioning } from '../provisioning-export.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('print the provisioning as a provisioning file (apply it back: no changes); secrets masked')
    .option('--show-secrets', 'write password hashes, URL tokens, callback secrets and route passwords')
    .action(async (options: { showSecrets?: boolean }, command: Command) => {
      await withStore(command, async (store) => {
        // Thousands of clients take a while to load and render: say so on a terminal (stdout is the file).
        const shown = progress('exporting (clients, routes, prefixes)', null);
        shown.update(0);
        const snapshot = await store.loadProvisioning();
        shown.update(snapshot.clients.length + snapshot.routes.length + snapshot.prefixes.length);
        const text = exportProvisioning(snapshot, { showSecrets: options.showSecrets === true }, await store.loadScenarios());
        shown.finish();
        writeOut(text);
      });
    });
}
