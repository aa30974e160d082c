import { Command, Option } from 'commander';
import type { InboundProblemKind } from '../../../daemon/storage/port.js';
import { CliError, ExitCode } from '../cli-error.js';
import { globalsOf, withStore } from '../context.js';
import { renderTable, writeJson, writeNote, writeOut } from '../output.js';

const problemKinds: readonly InboundProblemKind[] = ['receipt-unparsed', 'receipt-unmatched', 'mo-malformed', 'mo-unrouted', 'pdu-malformed'];

/** Inbound PDUs (receipts, MO) that could not be used: kept for a support engineer to inspect. */
export function inboundCommand(): Command {
  const inbound = new Command('inbound').description('inbound receipts and MO that could not be used');
  inbound
    .command('problems')
    .description('list kept inbound problems, newest first')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(problemKinds))
    .option('--limit <n>', 'at most this many', '50')
    .action(async (options: { kind?: InboundProblemKind; limit: string }, command: Command) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a whole number from 1 up, not "${options.limit}"`, ExitCode.invalid);
      await withStore(command, async (store) => {
        const problems = await store.listInboundProblems({ limit, ...(options.kind === undefined ? {} : { kind: options.kind }) });
        if (globalsOf(command).json === true) {
          writeJson(problems);
          return;
        }
        if (problems.length === 0) {
          writeNote('no inbound problems');
          return;
        }
        writeOut(renderTable(
          ['id', 'at', 'kind', 'route', 'bind', 'detail', 'raw (hex)'],
          problems.map((problem) => [problem.id, problem.at.toISOString(), problem.kind, problem.routeId ?? '', problem.bindId ?? '', problem.detail, problem.rawHex]),
        ));
      });
    });
  return inbound;
}
