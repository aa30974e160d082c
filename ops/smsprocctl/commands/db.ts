import { Command } from 'commander';
import { loadConfig } from '../../../daemon/config/load.js';
import { globalsOf } from '../context.js';
import { renderFields, renderTable, writeJson, writeOut } from '../output.js';
import { schemaReport, type SchemaReport } from '../schema-migrations.js';

/** The store's schema: `db status` shows applied and pending migrations, `db migrate` applies them. */
export function dbCommand(): Command {
  const db = new Command('db').description("the store's schema: migrations applied and pending");
  db
    .command('status')
    .description('list the migrations the store has and those this version would apply; changes nothing')
    .action(async (_options: unknown, command: Command) => {
      print(command, await schemaReport(loadConfig({ file: globalsOf(command).config }), false));
    });
  db
    .command('migrate')
    .description('apply the pending migrations (safe to run while nodes run: PostgreSQL takes an advisory lock)')
    .action(async (_options: unknown, command: Command) => {
      print(command, await schemaReport(loadConfig({ file: globalsOf(command).config }), true));
    });
  return db;
}

function print(command: Command, report: SchemaReport): void {
  if (globalsOf(command).json === true) {
    writeJson(report);
    return;
  }
  writeOut(renderFields([
    ['store', report.adapter],
    ['location', report.location],
    ...(report.major === null ? [] : [['schema major', report.major] as const]),
    ['applied now', report.appliedNow.map(String)],
    ['pending', report.pending.map(String)],
  ]));
  if (report.applied.length > 0) {
    writeOut(renderTable(['version', 'name', 'applied at'], report.applied.map((row) => [row.version, row.name, row.appliedAt])));
  }
}
