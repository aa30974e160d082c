import { Command } from 'commander';
import type { RouteId } from '../../../daemon/domain/ids.js';
import { invalid, notFound } from '../cli-error.js';
import { findRoute, globalsOf, withStore } from '../context.js';
import { renderTable, writeJson, writeOut } from '../output.js';
import { checkPrefix } from '../validate.js';

function checkedPrefix(text: string): string {
  const result = checkPrefix(text);
  if (!result.ok) throw invalid(result.message);
  return result.value;
}

export function prefixCommand(): Command {
  const prefix = new Command('prefix').description('MSISDN prefix → route (the longest matching prefix wins)');

  prefix.command('add <prefix> <route>')
    .description('send numbers starting with the prefix to the route (moves an existing prefix)')
    .action(async (text: string, routeId: string, _options: unknown, command: Command) => {
      const value = checkedPrefix(text);
      await withStore(command, async (store) => {
        const snapshot = await store.loadProvisioning();
        findRoute(snapshot, routeId);
        const before = snapshot.prefixes.find((entry) => entry.prefix === value)?.routeId ?? null;
        const changed = before !== routeId;
        const version = changed
          ? await store.applyProvisioning([{ op: 'prefix.put', prefix: { prefix: value, routeId: routeId as RouteId } }])
          : snapshot.version;
        if (globalsOf(command).json === true) writeJson({ prefix: value, route: routeId, previousRoute: before, changed, version });
        else if (!changed) writeOut(`prefix ${value} already goes to ${routeId}: nothing changed`);
        else writeOut(before === null ? `prefix ${value} → ${routeId}` : `prefix ${value} moved from ${before} to ${routeId}`);
      });
    });

  prefix.command('remove <prefix>')
    .description('stop routing by the prefix')
    .action(async (text: string, _options: unknown, command: Command) => {
      const value = checkedPrefix(text);
      await withStore(command, async (store) => {
        const snapshot = await store.loadProvisioning();
        if (!snapshot.prefixes.some((entry) => entry.prefix === value)) throw notFound('prefix', value);
        const version = await store.applyProvisioning([{ op: 'prefix.delete', prefix: value }]);
        if (globalsOf(command).json === true) writeJson({ prefix: value, version });
        else writeOut(`prefix ${value} removed`);
      });
    });

  prefix.command('list')
    .description('all prefixes, in order')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const prefixes = [...(await store.loadProvisioning()).prefixes].sort((a, b) => a.prefix.localeCompare(b.prefix));
        if (globalsOf(command).json === true) writeJson(prefixes.map((entry) => ({ prefix: entry.prefix, route: entry.routeId })));
        else writeOut(prefixes.length === 0 ? 'no prefixes' : renderTable(['prefix', 'route'], prefixes.map((entry) => [entry.prefix, entry.routeId])));
      });
    });

  return prefix;
}
