/**
 * Scenario scripts (docs/scenarios.md, "Scenario tests"): a text file holds a scenario definition
 * (YAML), a `----` line, then a script of MO and expectations, in the style of etcd raft's testdata.
 * Running a script produces the same script with every expectation written from what happened, so a
 * test compares texts and SCENARIO_REWRITE=1 regenerates the files (review the diff).
 *
 *   mo <ISO time> <from> <text…>   an MO from a subscriber (the text may be empty)
 *   redeliver                      the SMSC delivers the previous MO again (same identity)
 *   twice                          two nodes handle the previous MO at the same moment
 *   < <line>                       the reply to the MO above (one `<` line per line of it; none: no reply)
 *   tally <key>=<n> …              every tally of the scenario
 *   leaderboard <from>=<score> …   the best scores, best first
 *   entries <n>                    how many entries
 *   state <from> <state id>        where a subscriber is
 *   steps <disposition>=<n> …      steps taken per disposition
 *   draw <seed> <count> => <from> …  a draw with that seed and its winners
 *   payouts <from>=<amount><currency>:<state> …  every payout the scenario requested, oldest first
 *
 * The client `acme` owns the short code 7700 and has a payout budget of 1000 RUB (minor units).
 */
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import { compileScenario } from '../../daemon/scenarios/compile.js';
import { drawWinners } from '../../daemon/scenarios/draw.js';
import type { SubscriberState } from '../../daemon/scenarios/engine.js';
import { buildScenarioDirectory } from '../../daemon/scenarios/scenario-directory.js';
import { createClientCall } from '../../daemon/scenarios/client-call.js';
import { ScenarioRunner, type ScenarioReply } from '../../daemon/scenarios/scenario-runner.js';
import type { Store } from '../../daemon/storage/port.js';
import { parse } from 'yaml';
import { createLogger } from '../../daemon/log.js';

export interface ScenarioScript {
  readonly definition: unknown;
  readonly header: string;
  readonly lines: readonly string[];
}

export function parseScript(text: string): ScenarioScript {
  const marker = text.indexOf('\n----\n');
  if (marker < 0) throw new Error('a scenario script needs a `----` line after its definition');
  const header = text.slice(0, marker);
  return { definition: parse(header) as unknown, header, lines: text.slice(marker + 6).split('\n') };
}

const SHORT_CODE = '7700';
const CLIENT = 'acme' as ClientId;

/** Runs the script against the store; returns the script text with the expectations as they happened. */
export async function runScript(script: ScenarioScript, store: Store): Promise<string> {
  const compiled = compileScenario(script.definition);
  if (!compiled.ok) throw new Error(`the definition does not compile:\n${compiled.problems.join('\n')}`);
  await store.applyProvisioning([
    { op: 'scenario.put', scenario: { id: 'script', clientId: CLIENT, source: script.definition, bindings: [{ shortCode: SHORT_CODE, keyword: null, forward: false }], disabled: false } },
  ]);
  const directory = buildScenarioDirectory(await store.loadScenarios());
  const sent = new Map<string, string>();
  let fresh: string[] = [];
  const sendReply = async (reply: ScenarioReply): Promise<void> => {
    // As enqueueMt does with idempotency keys: the same key stores one message.
    if (sent.has(reply.idempotencyKey)) return;
    sent.set(reply.idempotencyKey, reply.text);
    fresh.push(reply.text);
  };
  const logger = createLogger('silent');
  const runner = (): ScenarioRunner => new ScenarioRunner({ store, call: createClientCall(), secretOf: () => 'secret', sendReply, logger });
  const node = runner();
  const otherNode = runner();

  let previous: { at: number; from: string; text: string; key: string } | null = null;
  let sequence = 0;
  const out: string[] = [];
  const deliver = async (mo: NonNullable<typeof previous>, runners: readonly ScenarioRunner[]): Promise<void> => {
    const hit = directory.find({ shortCode: SHORT_CODE, clientId: CLIENT, keyword: '', args: '', text: mo.text });
    if (hit === null) throw new Error('the script scenario is not bound');
    fresh = [];
    const recorded = await store.recordMo({
      routeId: 'mts-1' as RouteId, source: mo.from, shortCode: SHORT_CODE, text: mo.text, clientId: CLIENT, keyword: '', args: mo.text,
      partial: false, missingParts: [], dedupKey: mo.key, dedupUntil: new Date(Date.now() + 3_600_000), receivedAt: new Date(mo.at), consumedPartIds: [], forward: false,
    });
    await Promise.all(runners.map((r) => r.answer(hit, { moId: recorded.moId, subscriber: mo.from, shortCode: SHORT_CODE, receivedAt: mo.at })));
    for (const reply of fresh) for (const line of reply.split('\n')) out.push(`< ${line}`);
  };

  for (const line of script.lines) {
    const words = line.trim().split(/\s+/);
    const command = words[0] ?? '';
    if (line.startsWith('<')) continue;
    if (command === 'mo') {
      out.push(line);
      const [, time = '', from = ''] = words;
      const text = line.trim().split(/\s+/).slice(3).join(' ');
      sequence += 1;
      previous = { at: Date.parse(time), from, text, key: `script/${sequence}` };
      if (Number.isNaN(previous.at)) throw new Error(`not a time: ${line}`);
      await deliver(previous, [node]);
    } else if (command === 'redeliver' || command === 'twice') {
      out.push(line);
      if (previous === null) throw new Error(`${command} needs an MO before it`);
      await deliver(previous, command === 'twice' ? [node, otherNode] : [node]);
    } else if (command === 'tally') {
      const { tallies } = await store.scenarioResults('script', { leaderboard: 0 });
      out.push(['tally', ...Object.entries(tallies).map(([k, n]) => `${k}=${n}`)].join(' '));
    } else if (command === 'leaderboard') {
      const { leaderboard } = await store.scenarioResults('script', { leaderboard: 10 });
      out.push(['leaderboard', ...leaderboard.map((row) => `${row.subscriber}=${row.score}`)].join(' '));
    } else if (command === 'entries') {
      out.push(`entries ${(await store.scenarioResults('script', { leaderboard: 0 })).entries}`);
    } else if (command === 'steps') {
      const { steps } = await store.scenarioResults('script', { leaderboard: 0 });
      out.push(['steps', ...Object.entries(steps).map(([k, n]) => `${k}=${n}`)].join(' '));
    } else if (command === 'state') {
      const from = words[1] ?? '';
      const stored = await store.loadScenarioSubscriber('script', from);
      out.push(`state ${from} ${stored.state === null ? '(none)' : (JSON.parse(stored.state) as SubscriberState).state}`);
    } else if (command === 'payouts') {
      const payouts = [...(await store.listPayouts({ limit: 1000 }))].reverse();
      out.push(['payouts', ...payouts.map((p) => `${p.subscriber}=${p.amountMinor}${p.currency}:${p.state}`)].join(' '));
    } else if (command === 'draw') {
      const [, seed = '', count = '1'] = words;
      const result = drawWinners(await store.scenarioEntries('script'), seed, Number(count), true);
      out.push(`draw ${seed} ${count} => ${result.winners.map((w) => w.subscriber).join(' ')}`);
    } else {
      out.push(line);
    }
  }
  return `${script.header}\n----\n${out.join('\n')}`;
}
