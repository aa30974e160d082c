import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { invalid } from '../cli-error.js';
import { resolveClientSecrets } from '../client-secrets.js';
import { globalsOf, withStore } from '../context.js';
import { renderTable, writeJson, writeNote, writeOut } from '../output.js';
import type { ProvisioningSnapshot } from '../../../daemon/domain/provisioning.js';
import { planProvisioning, PlanError, type Plan, type PlanItem } from '../plan.js';
import { parseProvisioningFile, type ProvisioningFile } from '../provisioning-file.js';

interface ApplyOptions {
  readonly prune?: boolean;
  readonly dryRun?: boolean;
}

function renderPlan(items: readonly PlanItem[]): string {
  return renderTable(['action', 'kind', 'id', 'changes'], items.map((item) => [item.action, item.kind, item.id, item.fields.join(', ')]));
}

async function planFor(file: string, content: ProvisioningFile, snapshot: ProvisioningSnapshot, prune: boolean): Promise<Plan> {
  try {
    return planProvisioning(snapshot, content, await resolveClientSecrets(content, snapshot), { prune });
  } catch (error) {
    if (error instanceof PlanError) throw invalid(`${file} cannot be applied; nothing was changed`, error.problems);
    throw error;
  }
}

export function applyCommand(): Command {
  return new Command('apply')
    .argument('<file>', 'provisioning file (YAML, docs/provisioning.md)')
    .description('make the store match a provisioning file in one atomic change; prints the plan first')
    .option('--prune', 'also delete clients, routes and prefixes the file does not name')
    .option('--dry-run', 'print the plan only')
    .action(async (file: string, options: ApplyOptions, command: Command) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw invalid(`cannot read ${file}: ${(error as Error).message}`);
      }
      const parsed = parseProvisioningFile(text);
      if (!parsed.ok) throw invalid(`${file} is not a valid provisioning file`, parsed.problems);
      const json = globalsOf(command).json === true;
      await withStore(command, async (store) => {
        const snapshot = await store.loadProvisioning();
        const plan = await planFor(file, parsed.value, snapshot, options.prune === true);
        const dryRun = options.dryRun === true;
        const apply = plan.items.length > 0 && !dryRun;
        const version = apply ? await store.applyProvisioning(plan.changes) : snapshot.version;
        if (json) {
          writeJson({ items: plan.items, applied: apply, dryRun, version });
          return;
        }
        if (plan.items.length === 0) {
          writeOut(`no changes (provisioning version ${version})`);
          return;
        }
        writeOut(renderPlan(plan.items));
        if (dryRun) {
          writeOut(`dry run: ${plan.items.length} change(s) not applied`);
          return;
        }
        writeOut(`applied ${plan.items.length} change(s): provisioning version ${version}`);
        const created = plan.items.filter((item) => item.kind === 'client' && item.action === 'create' && parsed.value.clients[item.id]?.urlToken === undefined);
        if (created.length > 0) {
          const stored = await store.loadProvisioning();
          for (const item of created) {
            const client = stored.clients.find((entry) => entry.id === item.id);
            if (client !== undefined) writeOut(`client ${client.id}: unique URL path /c/${client.urlToken}/`);
          }
          writeNote('unique URLs of new clients are shown only now: hand them over a safe channel');
        }
      });
    });
}
