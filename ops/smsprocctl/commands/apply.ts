import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { invalid } from '../cli-error.js';
import { resolveClientSecrets } from '../client-secrets.js';
import { globalsOf, withStore } from '../context.js';
import { renderTable, writeJson, writeNote, writeOut } from '../output.js';
import type { ProvisioningSnapshot } from '../../../daemon/domain/provisioning.js';
import type { ScenarioRecord } from '../../../daemon/storage/scenario-port.js';
import { planProvisioning, PlanError, type Plan, type PlanItem } from '../plan.js';
import { parseProvisioningFile, type ProvisioningFile } from '../provisioning-file.js';

interface ApplyOptions {
  readonly prune?: boolean;
  readonly dryRun?: boolean;
}

function renderPlan(items: readonly PlanItem[]): string {
  return renderTable(['action', 'kind', 'id', 'changes'], items.map((item) => [item.action, item.kind, item.id, item.fields.join(', ')]));
}

/** The unique URL paths of created clients whose token the file did not give: the operator sees them only here. */
function generatedUrlPaths(plan: Plan, content: ProvisioningFile): Record<string, string> {
  const created = new Set(plan.items.filter((item) => item.kind === 'client' && item.action === 'create').map((item) => item.id));
  const paths: Record<string, string> = {};
  for (const change of plan.changes) {
    if (change.op !== 'client.put' || !created.has(change.client.id) || content.clients[change.client.id]?.urlToken !== undefined) continue;
    paths[change.client.id] = `/c/${change.client.urlToken}/`;
  }
  return paths;
}

async function planFor(file: string, content: ProvisioningFile, snapshot: ProvisioningSnapshot, prune: boolean, scenarios: readonly ScenarioRecord[]): Promise<Plan> {
  try {
    return planProvisioning(snapshot, content, await resolveClientSecrets(content, snapshot), { prune }, scenarios);
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
        const plan = await planFor(file, parsed.value, snapshot, options.prune === true, await store.loadScenarios());
        const dryRun = options.dryRun === true;
        const apply = plan.items.length > 0 && !dryRun;
        const version = apply ? await store.applyProvisioning(plan.changes) : snapshot.version;
        const newUrls = apply ? generatedUrlPaths(plan, parsed.value) : {};
        if (json) {
          writeJson({ items: plan.items, applied: apply, dryRun, version, newUrlPaths: newUrls });
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
        for (const [id, path] of Object.entries(newUrls)) writeOut(`client ${id}: unique URL path ${path}`);
        if (Object.keys(newUrls).length > 0) writeNote('unique URLs of new clients are shown only now: hand them over a safe channel');
      });
    });
}
