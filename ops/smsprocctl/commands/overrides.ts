import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { invalid } from '../cli-error.js';
import { globalsOf, withStore } from '../context.js';
import { writeJson, writeOut } from '../output.js';
import { parseOverrides } from '../overrides-file.js';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw invalid(`cannot read ${file}: ${(error as Error).message}`);
  }
}

export function overridesCommand(): Command {
  const overrides = new Command('overrides').description('number-portability overrides: exact numbers that beat every prefix');

  overrides.command('import <file>')
    .description('replace the whole table from a CSV or TSV file of "msisdn,route" lines (# comments); all or nothing')
    .action(async (file: string, _options: unknown, command: Command) => {
      const text = readText(file);
      await withStore(command, async (store) => {
        const snapshot = await store.loadProvisioning();
        const parsed = parseOverrides(text, new Set(snapshot.routes.map((route) => route.id)));
        if (!parsed.ok) throw invalid(`${file}: ${parsed.problems.length} bad line(s), nothing imported`, parsed.problems);
        const version = await store.applyProvisioning([{ op: 'overrides.replace', overrides: parsed.value }]);
        if (globalsOf(command).json === true) writeJson({ imported: parsed.value.length, version });
        else writeOut(`${parsed.value.length} override(s) imported; the previous table was replaced`);
      });
    });

  overrides.command('count')
    .description('how many overrides are stored')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const count = await store.countNumberOverrides();
        if (globalsOf(command).json === true) writeJson({ count });
        else writeOut(`${count} override(s)`);
      });
    });

  return overrides;
}
