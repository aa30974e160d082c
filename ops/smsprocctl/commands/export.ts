import { Command } from 'commander';
import { withStore } from '../context.js';
import { writeOut } from '../output.js';
import { exportProvisioning } from '../provisioning-export.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('print the provisioning as a provisioning file (apply it back: no changes); secrets masked')
    .option('--show-secrets', 'write password hashes, URL tokens, callback secrets and route passwords')
    .action(async (options: { showSecrets?: boolean }, command: Command) => {
      await withStore(command, async (store) => {
        writeOut(exportProvisioning(await store.loadProvisioning(), { showSecrets: options.showSecrets === true }, await store.loadScenarios()));
      });
    });
}
