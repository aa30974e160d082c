import { Errors, SmsprocError } from '../../domain/errors.js';
import type { ClientId } from '../../domain/ids.js';
import type { KeywordRegistration } from '../../domain/provisioning.js';
import type {
  ScenarioBinding,
  ScenarioDraw,
  ScenarioEntry,
  ScenarioPut,
  ScenarioRecord,
  ScenarioResults,
  ScenarioStepInput,
  ScenarioStepOutcome,
  StoredSubscriber,
} from '../scenario-port.js';
import type { OracleSession } from './aq-session.js';
import { isUniqueViolation, mergeRacing } from './oracle-errors.js';
import { requestPayout } from './payouts.js';
import { oracleQueries } from './sql-files.js';

/**
 * Scenarios (docs/scenarios.md), with the SQLite store's rules (daemon/storage/sqlite/scenarios.ts):
 * versioned definitions and bindings (put runs inside the provisioning transaction), subscriber
 * state guarded by a revision, steps keyed by (scenario, MO id), tallies, entries and draws. Lists
 * are ordered by the adapter (JavaScript string order), not by the session's NLS sort, so that a
 * draw's input order is the same on every backend.
 */

interface VersionRow {
  SCENARIO_ID: string; VERSION: number; CLIENT_ID: string; SOURCE: string; BINDINGS: string; DISABLED: number; CREATED_AT: Date;
}

interface DrawRow {
  SCENARIO_ID: string; DRAW_ID: string; SEED: string; ENTRIES_HASH: string; ENTRY_COUNT: number; WINNERS: string; DRAWN_AT: Date;
}

interface EntryRow { ID: string; SUBSCRIBER: string; LABEL: string | null; AT: Date }

const sql = oracleQueries('scenarios');
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function invalid(detail: string): SmsprocError {
  return new SmsprocError(Errors.PROVISIONING_INVALID, { detail });
}

function recordOf(row: VersionRow): ScenarioRecord {
  return {
    id: row.SCENARIO_ID,
    clientId: row.CLIENT_ID as ClientId,
    version: row.VERSION,
    source: JSON.parse(row.SOURCE) as unknown,
    bindings: JSON.parse(row.BINDINGS) as ScenarioBinding[],
    disabled: row.DISABLED === 1,
    createdAt: row.CREATED_AT,
  };
}

function drawOf(row: DrawRow): ScenarioDraw {
  return {
    scenarioId: row.SCENARIO_ID,
    drawId: row.DRAW_ID,
    seed: row.SEED,
    entriesHash: row.ENTRIES_HASH,
    entryCount: row.ENTRY_COUNT,
    winners: JSON.parse(row.WINNERS) as ScenarioDraw['winners'],
    drawnAt: row.DRAWN_AT,
  };
}

async function currentOf(session: OracleSession, scenarioId: string): Promise<VersionRow | undefined> {
  return (await session.execute<VersionRow>(sql('currentOf'), { scenario_id: scenarioId })).rows[0];
}

/** The scenario.put change, inside the provisioning transaction: a new version only when something differs. */
export async function putScenario(session: OracleSession, scenario: ScenarioPut): Promise<void> {
  const codes = (await session.execute<{ SHORT_CODES: string; KEYWORDS: string }>(sql('clientCodes'), { client_id: scenario.clientId })).rows[0];
  if (codes === undefined) throw invalid(`scenario "${scenario.id}": client "${scenario.clientId}" does not exist`);
  const shortCodes = new Set(JSON.parse(codes.SHORT_CODES) as string[]);
  const keywords = new Set((JSON.parse(codes.KEYWORDS) as KeywordRegistration[]).map((entry) => `${entry.shortCode} ${entry.keyword}`));
  const seen = new Set<string>();
  for (const binding of scenario.bindings) {
    const key = `${binding.shortCode} ${binding.keyword ?? ''}`;
    if (seen.has(key)) throw invalid(`scenario "${scenario.id}" binds ${key.trim()} twice`);
    seen.add(key);
    const owned = shortCodes.has(binding.shortCode) || (binding.keyword !== null && keywords.has(key));
    if (!owned) {
      throw invalid(`scenario "${scenario.id}": client "${scenario.clientId}" does not own ${binding.keyword === null ? `short code ${binding.shortCode}` : `keyword ${binding.keyword} on ${binding.shortCode}`}`);
    }
  }
  const source = JSON.stringify(scenario.source);
  const bindings = JSON.stringify(scenario.bindings.map((b) => ({ shortCode: b.shortCode, keyword: b.keyword, forward: b.forward })));
  const current = await currentOf(session, scenario.id);
  const unchanged = current !== undefined && current.CLIENT_ID === scenario.clientId && current.SOURCE === source
    && current.BINDINGS === bindings && current.DISABLED === (scenario.disabled ? 1 : 0);
  if (unchanged) return;
  await session.execute(sql('insertVersion'), {
    scenario_id: scenario.id, version: (current?.VERSION ?? 0) + 1, client_id: scenario.clientId, source, bindings,
    disabled: scenario.disabled ? 1 : 0,
  });
  await session.execute(sql('dropBindings'), { scenario_id: scenario.id });
  if (scenario.disabled) return;
  for (const binding of scenario.bindings) {
    // An empty keyword is the whole short code, as NULL (Oracle's '' is NULL anyway).
    const keyword = binding.keyword === null || binding.keyword === '' ? null : binding.keyword;
    const owner = (await session.execute<{ SCENARIO_ID: string }>(sql('bindingOwner'), { short_code: binding.shortCode, keyword })).rows[0]?.SCENARIO_ID;
    if (owner !== undefined) throw invalid(`scenario "${scenario.id}": ${binding.shortCode}${keyword === null ? '' : ` ${keyword}`} is bound to scenario "${owner}"`);
    await session.execute(sql('insertBinding'), { short_code: binding.shortCode, keyword, scenario_id: scenario.id, forward: binding.forward ? 1 : 0 });
  }
}

export async function loadCurrent(session: OracleSession): Promise<ScenarioRecord[]> {
  const rows = (await session.execute<VersionRow>(sql('currentVersions'), {})).rows;
  return [...rows].sort((a, b) => byCodeUnits(a.SCENARIO_ID, b.SCENARIO_ID)).map(recordOf);
}

export async function versions(session: OracleSession, scenarioId: string): Promise<ScenarioRecord[]> {
  return (await session.execute<VersionRow>(sql('versionsOf'), { scenario_id: scenarioId })).rows.map(recordOf);
}

export async function loadSubscriber(session: OracleSession, scenarioId: string, subscriber: string): Promise<StoredSubscriber> {
  const row = (await session.execute<{ STATE: string; REVISION: number }>(sql('subscriber'), { scenario_id: scenarioId, subscriber })).rows[0];
  return row === undefined ? { state: null, revision: 0 } : { state: row.STATE, revision: row.REVISION };
}

/**
 * The step row goes in first: its primary key is the exactly-once key, and a second node applying
 * the same MO waits on it until the first commits, then gets ORA-00001 (a duplicate) before it
 * has written anything. A revision that moved takes the step row back out (a conflict changes
 * nothing). Rows are locked in one order — step, subscriber, tallies by key, the client's budget —
 * so concurrent steps wait for each other instead of deadlocking.
 */
export async function applyStep(session: OracleSession, step: ScenarioStepInput): Promise<ScenarioStepOutcome> {
  const key = { scenario_id: step.scenarioId, mo_id: step.moId };
  try {
    await session.execute(sql('insertStep'), {
      ...key, subscriber: step.subscriber, disposition: step.disposition, counted: step.counted ? 1 : 0,
      replies: JSON.stringify(step.replies), at: step.at,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const seen = (await session.execute<{ REPLIES: string }>(sql('stepOf'), key)).rows[0];
    if (seen === undefined) throw error;
    return { kind: 'duplicate', replies: JSON.parse(seen.REPLIES) as string[] };
  }
  if (step.state !== null && !(await writeSubscriber(session, step, step.state))) {
    await session.execute(sql('dropStep'), key);
    return { kind: 'conflict' };
  }
  // In key order, so that two steps adding to the same tallies lock their rows in the same order.
  for (const tally of [...step.tallies].sort((a, b) => byCodeUnits(a.key, b.key))) {
    await mergeRacing(() => session.execute(sql('addTally'), { scenario_id: step.scenarioId, tally_key: tally.key, amount: tally.by }));
  }
  await session.executeMany(sql('insertEntry'), step.entries.map((label, index) => ({
    id: `${step.moId}/${index}`, scenario_id: step.scenarioId, subscriber: step.subscriber, label, at: step.at,
  })));
  const payouts = step.payouts ?? [];
  if (payouts.length > 0) {
    const clientId = (await currentOf(session, step.scenarioId))?.CLIENT_ID;
    if (clientId === undefined) throw new Error(`scenario ${step.scenarioId} does not exist`);
    for (const [index, payout] of payouts.entries()) {
      await requestPayout(session, {
        id: `scenario:${step.scenarioId}:${step.moId}:${index}`, clientId: clientId as ClientId, subscriber: step.subscriber,
        amountMinor: payout.amountMinor, currency: payout.currency, reason: payout.reason, scenarioId: step.scenarioId, moId: step.moId,
      });
    }
  }
  return { kind: 'applied' };
}

/** False when the subscriber's revision is no longer the one the step was computed from. */
async function writeSubscriber(session: OracleSession, step: ScenarioStepInput, state: NonNullable<ScenarioStepInput['state']>): Promise<boolean> {
  const columns = { scenario_id: step.scenarioId, subscriber: step.subscriber, state: state.json, state_id: state.stateId, score: state.score, updated_at: step.at };
  if (step.expectedRevision !== 0) {
    return (await session.execute(sql('updateSubscriber'), { ...columns, expected_revision: step.expectedRevision })).rowsAffected === 1;
  }
  try {
    await session.execute(sql('insertSubscriber'), columns);
    return true;
  } catch (error) {
    // The subscriber exists: another step (here or on another node) came first.
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function results(session: OracleSession, scenarioId: string, leaderboard: number): Promise<ScenarioResults> {
  const of = { scenario_id: scenarioId };
  const tallies = (await session.execute<{ TALLY_KEY: string; TALLY_COUNT: number }>(sql('tallies'), of)).rows;
  const board = (await session.execute<{ SUBSCRIBER: string; SCORE: number }>(sql('leaderboard'), { ...of, max_rows: Math.max(0, Math.trunc(leaderboard)) })).rows;
  const entries = (await session.execute<{ N: number }>(sql('entryCount'), of)).rows[0]?.N ?? 0;
  const states = (await session.execute<{ STATE_ID: string | null; N: number }>(sql('stateCounts'), of)).rows;
  const steps = (await session.execute<{ DISPOSITION: string; N: number }>(sql('stepCounts'), of)).rows;
  const draws = (await session.execute<DrawRow>(sql('draws'), of)).rows;
  return {
    scenarioId,
    tallies: sortedRecord(tallies.map((row) => [row.TALLY_KEY, row.TALLY_COUNT])),
    leaderboard: board.map((row) => ({ subscriber: row.SUBSCRIBER, score: row.SCORE })),
    entries,
    states: sortedRecord(states.map((row) => [row.STATE_ID ?? '', row.N])),
    steps: sortedRecord(steps.map((row) => [row.DISPOSITION, row.N])),
    draws: draws.map(drawOf),
  };
}

function sortedRecord(pairs: [string, number][]): Record<string, number> {
  return Object.fromEntries(pairs.sort(([a], [b]) => byCodeUnits(a, b)));
}

export async function allEntries(session: OracleSession, scenarioId: string): Promise<ScenarioEntry[]> {
  const rows = (await session.execute<EntryRow>(sql('entries'), { scenario_id: scenarioId })).rows;
  return [...rows].sort((a, b) => byCodeUnits(a.ID, b.ID))
    .map((row) => ({ id: row.ID, subscriber: row.SUBSCRIBER, label: row.LABEL ?? '', at: row.AT }));
}

export async function recordDraw(session: OracleSession, draw: ScenarioDraw): Promise<void> {
  try {
    await session.execute(sql('insertDraw'), {
      scenario_id: draw.scenarioId, draw_id: draw.drawId, seed: draw.seed, entries_hash: draw.entriesHash, entry_count: draw.entryCount,
      winners: JSON.stringify(draw.winners), drawn_at: draw.drawnAt,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalid(`scenario "${draw.scenarioId}" already has a draw "${draw.drawId}"`);
    throw error;
  }
}
