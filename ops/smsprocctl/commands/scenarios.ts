import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { drawWinners } from '../../../daemon/scenarios/draw.js';
import type { Store } from '../../../daemon/storage/port.js';
import type { ScenarioRecord } from '../../../daemon/storage/scenario-port.js';
import { CliError, ExitCode, notFound } from '../cli-error.js';
import { globalsOf, withStore } from '../context.js';
import { renderFields, renderTable, writeJson, writeOut } from '../output.js';

/** Scenarios (docs/scenarios.md): what is deployed, its results, and the lottery draw. */
function wholeNumber(text: string, option: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new CliError(`${option} must be a whole number from ${min} up, not "${text}"`, ExitCode.invalid);
  return value;
}

async function scenarioOf(store: Store, id: string): Promise<ScenarioRecord> {
  const scenario = (await store.loadScenarios()).find((s) => s.id === id);
  if (scenario === undefined) throw notFound('scenario', id);
  return scenario;
}

function bindingsText(scenario: ScenarioRecord): string {
  return scenario.bindings.map((b) => `${b.shortCode}${b.keyword === null ? '' : ` ${b.keyword}`}${b.forward ? ' (+forward)' : ''}`).join(', ');
}

export function scenariosCommand(): Command {
  const scenarios = new Command('scenarios').description('interactive services on short codes: list, results, lottery draws');
  scenarios
    .command('list')
    .description('the current version of every scenario')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const all = await store.loadScenarios();
        if (globalsOf(command).json === true) {
          writeJson(all);
          return;
        }
        const kind = (s: ScenarioRecord): string => {
          const source = s.source as { use?: unknown } | null;
          return typeof source?.use === 'string' ? source.use : 'custom';
        };
        writeOut(renderTable(['id', 'client', 'version', 'kind', 'bindings', 'disabled'], all.map((s) => [s.id, s.clientId, s.version, kind(s), bindingsText(s), s.disabled])));
      });
    });
  scenarios
    .command('versions')
    .argument('<id>', 'scenario id')
    .description('every stored version of a scenario, oldest first, with its definition in --json')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const versions = await store.scenarioVersions(id);
        if (versions.length === 0) throw notFound('scenario', id);
        if (globalsOf(command).json === true) {
          writeJson(versions);
          return;
        }
        writeOut(renderTable(['version', 'created', 'client', 'bindings', 'disabled'], versions.map((v) => [v.version, v.createdAt.toISOString(), v.clientId, bindingsText(v), v.disabled])));
      });
    });
  scenarios
    .command('results')
    .argument('<id>', 'scenario id')
    .description('tallies, leaderboard, entries and draws of a scenario')
    .option('--top <n>', 'leaderboard length', '10')
    .action(async (id: string, options: { top: string }, command: Command) => {
      const top = wholeNumber(options.top, '--top', 0);
      await withStore(command, async (store) => {
        await scenarioOf(store, id);
        const results = await store.scenarioResults(id, { leaderboard: top });
        if (globalsOf(command).json === true) {
          writeJson(results);
          return;
        }
        const pairs = (record: Readonly<Record<string, number>>): string[] => Object.entries(record).map(([k, n]) => `${k}=${n}`);
        writeOut(renderFields([
          ['tallies', pairs(results.tallies)],
          ['entries', results.entries],
          ['states', pairs(results.states)],
          ['steps', pairs(results.steps)],
          ['leaderboard', results.leaderboard.map((row) => `${row.subscriber}=${row.score}`)],
          ['draws', results.draws.map((d) => `${d.drawId} (seed ${d.seed}, ${d.entryCount} entries, sha256 ${d.entriesHash}): ${d.winners.map((w) => w.subscriber).join(' ')}`)],
        ]));
      });
    });
  scenarios
    .command('draw')
    .argument('<id>', 'scenario id (a lottery)')
    .description('draw winners among the entries with a recorded seed; the seed and the entry list hash are kept with the result')
    .requiredOption('--name <draw>', 'a name for this draw, unique in the scenario (e.g. "final")')
    .option('--winners <n>', 'how many winners', '1')
    .option('--seed <text>', 'the seed (default: 32 random bytes, hex); publish it beforehand for a draw anyone can check')
    .option('--repeat-winners', 'let a number win more than once (one per entry)')
    .option('--payout <minor>', "request a payout of this many minor units to each winner, within the client's budget")
    .option('--currency <code>', 'the payout currency (ISO 4217)', 'RUB')
    .action(async (id: string, options: { name: string; winners: string; seed?: string; repeatWinners?: boolean; payout?: string; currency: string }, command: Command) => {
      const count = wholeNumber(options.winners, '--winners', 1);
      const prize = options.payout === undefined ? null : wholeNumber(options.payout, '--payout', 1);
      const seed = options.seed ?? randomBytes(32).toString('hex');
      await withStore(command, async (store) => {
        const scenario = await scenarioOf(store, id);
        const result = drawWinners(await store.scenarioEntries(id), seed, count, options.repeatWinners !== true);
        const draw = { scenarioId: id, drawId: options.name, seed, entriesHash: result.entriesHash, entryCount: result.entryCount, winners: result.winners, drawnAt: new Date() };
        await store.recordScenarioDraw(draw);
        const payouts: Record<string, string> = {};
        if (prize !== null) {
          for (const [index, winner] of result.winners.entries()) {
            const payoutId = `draw:${id}:${options.name}:${index}`;
            const outcome = await store.requestPayout({
              id: payoutId, clientId: scenario.clientId, subscriber: winner.subscriber, amountMinor: prize, currency: options.currency,
              reason: `draw ${options.name} of ${id}`, scenarioId: id, moId: null,
            });
            payouts[payoutId] = outcome.kind;
          }
        }
        if (globalsOf(command).json === true) {
          writeJson({ ...draw, payouts });
          return;
        }
        writeOut(renderFields([
          ['draw', draw.drawId],
          ['seed', seed],
          ['entries', result.entryCount],
          ['entries sha256', result.entriesHash],
          ['winners', result.winners.map((w) => `${w.subscriber} (${w.id})`)],
          ['payouts', Object.entries(payouts).map(([payoutId, kind]) => `${payoutId}: ${kind}`)],
        ]));
      });
    });
  return scenarios;
}
