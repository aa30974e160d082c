import type Database from 'better-sqlite3';
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
import type { PayoutsSql } from './payouts.js';
import { loadQueries } from './sql-files.js';

/**
 * Scenarios (docs/scenarios.md): versioned definitions and bindings (put runs inside a provisioning
 * transaction), subscriber state, steps keyed by MO id, tallies, entries and draws. Writes run inside
 * group-commit jobs.
 */

interface VersionRow {
  scenario_id: string; version: number; client_id: string; source: string; bindings: string; disabled: number; created_at: number;
}

interface DrawRow {
  scenario_id: string; draw_id: string; seed: string; entries_hash: string; entry_count: number; winners: string; drawn_at: number;
}

function invalid(detail: string): SmsprocError {
  return new SmsprocError(Errors.PROVISIONING_INVALID, { detail });
}

function recordOf(row: VersionRow): ScenarioRecord {
  return {
    id: row.scenario_id,
    clientId: row.client_id as ClientId,
    version: row.version,
    source: JSON.parse(row.source) as unknown,
    bindings: JSON.parse(row.bindings) as ScenarioBinding[],
    disabled: row.disabled === 1,
    createdAt: new Date(row.created_at),
  };
}

function drawOf(row: DrawRow): ScenarioDraw {
  return {
    scenarioId: row.scenario_id,
    drawId: row.draw_id,
    seed: row.seed,
    entriesHash: row.entries_hash,
    entryCount: row.entry_count,
    winners: JSON.parse(row.winners) as ScenarioDraw['winners'],
    drawnAt: new Date(row.drawn_at),
  };
}

export class ScenariosSql {
  private readonly currentVersions: Database.Statement<[], VersionRow>;
  private readonly versionsOf: Database.Statement<[string], VersionRow>;
  private readonly currentOf: Database.Statement<[string], VersionRow>;
  private readonly insertVersion: Database.Statement<[string, number, string, string, string, number, number]>;
  private readonly dropBindings: Database.Statement<[string]>;
  private readonly bindingOwner: Database.Statement<[string, string], { scenario_id: string }>;
  private readonly insertBinding: Database.Statement<[string, string, string, number]>;
  private readonly clientCodes: Database.Statement<[string], { short_codes: string; keywords: string }>;
  private readonly subscriber: Database.Statement<[string, string], { state: string; revision: number }>;
  private readonly stepOf: Database.Statement<[string, string], { replies: string }>;
  private readonly insertStep: Database.Statement<[string, string, string, string, number, string, number]>;
  private readonly insertSubscriber: Database.Statement<[string, string, string, string, number, number]>;
  private readonly updateSubscriber: Database.Statement<[string, string, number, number, string, string, number]>;
  private readonly addTally: Database.Statement<[string, string, number]>;
  private readonly insertEntry: Database.Statement<[string, string, string, string, number]>;
  private readonly tallies: Database.Statement<[string], { tally_key: string; count: number }>;
  private readonly leaderboard: Database.Statement<[string, number], { subscriber: string; score: number }>;
  private readonly entryCount: Database.Statement<[string], { n: number }>;
  private readonly stateCounts: Database.Statement<[string], { state_id: string; n: number }>;
  private readonly stepCounts: Database.Statement<[string], { disposition: string; n: number }>;
  private readonly entries: Database.Statement<[string], { id: string; subscriber: string; label: string; at: number }>;
  private readonly draws: Database.Statement<[string], DrawRow>;
  private readonly insertDraw: Database.Statement<[string, string, string, string, number, string, number]>;

  constructor(db: Database.Database, private readonly payouts: PayoutsSql) {
    const sql = loadQueries('scenarios');
    this.currentVersions = db.prepare(sql('currentVersions'));
    this.versionsOf = db.prepare(sql('versionsOf'));
    this.currentOf = db.prepare(sql('currentOf'));
    this.insertVersion = db.prepare(sql('insertVersion'));
    this.dropBindings = db.prepare(sql('dropBindings'));
    this.bindingOwner = db.prepare(sql('bindingOwner'));
    this.insertBinding = db.prepare(sql('insertBinding'));
    this.clientCodes = db.prepare(sql('clientCodes'));
    this.subscriber = db.prepare(sql('subscriber'));
    this.stepOf = db.prepare(sql('stepOf'));
    this.insertStep = db.prepare(sql('insertStep'));
    this.insertSubscriber = db.prepare(sql('insertSubscriber'));
    this.updateSubscriber = db.prepare(sql('updateSubscriber'));
    this.addTally = db.prepare(sql('addTally'));
    this.insertEntry = db.prepare(sql('insertEntry'));
    this.tallies = db.prepare(sql('tallies'));
    this.leaderboard = db.prepare(sql('leaderboard'));
    this.entryCount = db.prepare(sql('entryCount'));
    this.stateCounts = db.prepare(sql('stateCounts'));
    this.stepCounts = db.prepare(sql('stepCounts'));
    this.entries = db.prepare(sql('entries'));
    this.draws = db.prepare(sql('draws'));
    this.insertDraw = db.prepare(sql('insertDraw'));
  }

  /** The scenario.put change, inside the provisioning transaction: a new version only when something differs. */
  put(scenario: ScenarioPut, now: number): void {
    const codes = this.clientCodes.get(scenario.clientId);
    if (!codes) throw invalid(`scenario "${scenario.id}": client "${scenario.clientId}" does not exist`);
    const shortCodes = new Set(JSON.parse(codes.short_codes) as string[]);
    const keywords = new Set((JSON.parse(codes.keywords) as KeywordRegistration[]).map((entry) => `${entry.shortCode} ${entry.keyword}`));
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
    const current = this.currentOf.get(scenario.id);
    const unchanged = current !== undefined && current.client_id === scenario.clientId && current.source === source
      && current.bindings === bindings && current.disabled === (scenario.disabled ? 1 : 0);
    if (unchanged) return;
    this.insertVersion.run(scenario.id, (current?.version ?? 0) + 1, scenario.clientId, source, bindings, scenario.disabled ? 1 : 0, now);
    this.dropBindings.run(scenario.id);
    if (scenario.disabled) return;
    for (const binding of scenario.bindings) {
      const keyword = binding.keyword ?? '';
      const owner = this.bindingOwner.get(binding.shortCode, keyword)?.scenario_id;
      if (owner !== undefined) throw invalid(`scenario "${scenario.id}": ${binding.shortCode} ${keyword} is bound to scenario "${owner}"`.replace('  ', ' '));
      this.insertBinding.run(binding.shortCode, keyword, scenario.id, binding.forward ? 1 : 0);
    }
  }

  loadCurrent(): ScenarioRecord[] {
    return this.currentVersions.all().map(recordOf);
  }

  versions(scenarioId: string): ScenarioRecord[] {
    return this.versionsOf.all(scenarioId).map(recordOf);
  }

  loadSubscriber(scenarioId: string, subscriber: string): StoredSubscriber {
    const row = this.subscriber.get(scenarioId, subscriber);
    return row === undefined ? { state: null, revision: 0 } : { state: row.state, revision: row.revision };
  }

  applyStep(step: ScenarioStepInput, now: number): ScenarioStepOutcome {
    const seen = this.stepOf.get(step.scenarioId, step.moId);
    if (seen) return { kind: 'duplicate', replies: JSON.parse(seen.replies) as string[] };
    const at = step.at.getTime();
    if (step.state !== null) {
      const { json, stateId, score } = step.state;
      const changes = step.expectedRevision === 0
        ? this.insertSubscriber.run(step.scenarioId, step.subscriber, json, stateId, score, at).changes
        : this.updateSubscriber.run(json, stateId, score, at, step.scenarioId, step.subscriber, step.expectedRevision).changes;
      if (changes === 0) return { kind: 'conflict' };
    }
    this.insertStep.run(step.scenarioId, step.moId, step.subscriber, step.disposition, step.counted ? 1 : 0, JSON.stringify(step.replies), at);
    for (const tally of step.tallies) this.addTally.run(step.scenarioId, tally.key, tally.by);
    step.entries.forEach((label, index) => this.insertEntry.run(`${step.moId}/${index}`, step.scenarioId, step.subscriber, label, at));
    const payouts = step.payouts ?? [];
    if (payouts.length > 0) {
      const clientId = this.currentOf.get(step.scenarioId)?.client_id;
      if (clientId === undefined) throw new Error(`scenario ${step.scenarioId} does not exist`);
      payouts.forEach((payout, index) => this.payouts.request({
        id: `scenario:${step.scenarioId}:${step.moId}:${index}`, clientId: clientId as ClientId, subscriber: step.subscriber,
        amountMinor: payout.amountMinor, currency: payout.currency, reason: payout.reason, scenarioId: step.scenarioId, moId: step.moId,
      }, now));
    }
    return { kind: 'applied' };
  }

  results(scenarioId: string, leaderboard: number): ScenarioResults {
    return {
      scenarioId,
      tallies: Object.fromEntries(this.tallies.all(scenarioId).map((row) => [row.tally_key, row.count])),
      leaderboard: this.leaderboard.all(scenarioId, Math.max(0, Math.trunc(leaderboard))).map((row) => ({ subscriber: row.subscriber, score: row.score })),
      entries: this.entryCount.get(scenarioId)?.n ?? 0,
      states: Object.fromEntries(this.stateCounts.all(scenarioId).map((row) => [row.state_id, row.n])),
      steps: Object.fromEntries(this.stepCounts.all(scenarioId).map((row) => [row.disposition, row.n])),
      draws: this.draws.all(scenarioId).map(drawOf),
    };
  }

  allEntries(scenarioId: string): ScenarioEntry[] {
    return this.entries.all(scenarioId).map((row) => ({ id: row.id, subscriber: row.subscriber, label: row.label, at: new Date(row.at) }));
  }

  recordDraw(draw: ScenarioDraw): void {
    try {
      this.insertDraw.run(draw.scenarioId, draw.drawId, draw.seed, draw.entriesHash, draw.entryCount, JSON.stringify(draw.winners), draw.drawnAt.getTime());
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) throw invalid(`scenario "${draw.scenarioId}" already has a draw "${draw.drawId}"`);
      throw error;
    }
  }
}
