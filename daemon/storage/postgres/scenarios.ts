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
import type { Database, Sql } from './database.js';
import type { PayoutsSql } from './payouts.js';
import { loadQueries } from './sql-files.js';

/**
 * Scenarios (docs/scenarios.md): versioned definitions and bindings (put runs inside the provisioning
 * transaction), subscriber state, steps keyed by MO id, tallies, entries and draws; the same rules as
 * the SQLite adapter's scenarios.ts. A step is one transaction that inserts its (scenario, MO id) row
 * first: a second node applying the same MO waits on that row and then fails with a unique violation,
 * which is the `duplicate` outcome; a moved subscriber revision rolls the step back as a `conflict`.
 */

interface VersionRow {
  scenario_id: string; version: number; client_id: string; source: unknown; bindings: ScenarioBinding[]; disabled: boolean; created_at: number;
}

interface DrawRow {
  scenario_id: string; draw_id: string; seed: string; entries_hash: string; entry_count: number; winners: ScenarioDraw['winners']; drawn_at: number;
}

interface PgError { code?: unknown; constraint?: unknown }

const uniqueViolation = '23505';

const isUniqueViolation = (error: unknown, constraint: string): boolean =>
  (error as PgError).code === uniqueViolation && (error as PgError).constraint === constraint;

function invalid(detail: string): SmsprocError {
  return new SmsprocError(Errors.PROVISIONING_INVALID, { detail });
}

/** Thrown inside a step's transaction to roll it back when the subscriber's revision moved. */
class RevisionMoved extends Error {}

function recordOf(row: VersionRow): ScenarioRecord {
  return {
    id: row.scenario_id,
    clientId: row.client_id as ClientId,
    version: row.version,
    source: row.source,
    bindings: row.bindings,
    disabled: row.disabled,
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
    winners: row.winners,
    drawnAt: new Date(row.drawn_at),
  };
}

export class ScenariosSql {
  private readonly sql = loadQueries('scenarios');

  constructor(private readonly payouts: PayoutsSql) {}

  /** The scenario.put change, inside the provisioning transaction: a new version only when something differs. */
  async put(db: Sql, scenario: ScenarioPut): Promise<void> {
    const [codes] = await db.rows<{ short_codes: string[]; keywords: KeywordRegistration[] }>(this.sql('clientCodes'), [scenario.clientId]);
    if (!codes) throw invalid(`scenario "${scenario.id}": client "${scenario.clientId}" does not exist`);
    const shortCodes = new Set(codes.short_codes);
    const keywords = new Set(codes.keywords.map((entry) => `${entry.shortCode} ${entry.keyword}`));
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
    const [current] = await db.rows<VersionRow>(this.sql('currentOf'), [scenario.id]);
    // json columns keep the text as written, so the stored values stringify back to the same text.
    const unchanged = current !== undefined && current.client_id === scenario.clientId && JSON.stringify(current.source) === source
      && JSON.stringify(current.bindings) === bindings && current.disabled === scenario.disabled;
    if (unchanged) return;
    await db.count(this.sql('insertVersion'), [scenario.id, (current?.version ?? 0) + 1, scenario.clientId, source, bindings, scenario.disabled]);
    await db.count(this.sql('dropBindings'), [scenario.id]);
    if (scenario.disabled) return;
    for (const binding of scenario.bindings) {
      const keyword = binding.keyword ?? '';
      const [owner] = await db.rows<{ scenario_id: string }>(this.sql('bindingOwner'), [binding.shortCode, keyword]);
      if (owner !== undefined) throw invalid(`scenario "${scenario.id}": ${binding.shortCode} ${keyword} is bound to scenario "${owner.scenario_id}"`.replace('  ', ' '));
      await db.count(this.sql('insertBinding'), [binding.shortCode, keyword, scenario.id, binding.forward]);
    }
  }

  async loadCurrent(db: Sql): Promise<ScenarioRecord[]> {
    return (await db.rows<VersionRow>(this.sql('currentVersions'))).map(recordOf);
  }

  async versions(db: Sql, scenarioId: string): Promise<ScenarioRecord[]> {
    return (await db.rows<VersionRow>(this.sql('versionsOf'), [scenarioId])).map(recordOf);
  }

  async loadSubscriber(db: Sql, scenarioId: string, subscriber: string): Promise<StoredSubscriber> {
    const [row] = await db.rows<{ state: string; revision: number }>(this.sql('subscriber'), [scenarioId, subscriber]);
    return row === undefined ? { state: null, revision: 0 } : { state: row.state, revision: row.revision };
  }

  async applyStep(db: Database, step: ScenarioStepInput): Promise<ScenarioStepOutcome> {
    try {
      return await db.transaction(async (sql, now) => {
        const duplicate = await this.recorded(sql, step);
        if (duplicate) return duplicate;
        const at = step.at.getTime();
        await sql.count(this.sql('insertStep'), [step.scenarioId, step.moId, step.subscriber, step.disposition, step.counted, JSON.stringify(step.replies), at]);
        if (step.state !== null) {
          const { json, stateId, score } = step.state;
          const changes = step.expectedRevision === 0
            ? await sql.count(this.sql('insertSubscriber'), [step.scenarioId, step.subscriber, json, stateId, score, at])
            : await sql.count(this.sql('updateSubscriber'), [json, stateId, score, at, step.scenarioId, step.subscriber, step.expectedRevision]);
          if (changes === 0) throw new RevisionMoved();
        }
        // In key order, so that two steps adding to the same tallies cannot deadlock.
        const tallies = [...step.tallies].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        for (const tally of tallies) await sql.count(this.sql('addTally'), [step.scenarioId, tally.key, tally.by]);
        for (const [index, label] of step.entries.entries()) {
          await sql.count(this.sql('insertEntry'), [`${step.moId}/${index}`, step.scenarioId, step.subscriber, label, at]);
        }
        await this.requestPayouts(sql, step, now);
        return { kind: 'applied' } as const;
      });
    } catch (error) {
      if (error instanceof RevisionMoved) return { kind: 'conflict' };
      if (!isUniqueViolation(error, 'scenario_steps_pkey')) throw error;
      // Another node applied the same MO while we did: its step is committed now.
      const replies = await this.recorded(db, step);
      if (!replies) throw error;
      return replies;
    }
  }

  private async recorded(db: Sql, step: ScenarioStepInput): Promise<ScenarioStepOutcome | null> {
    const [seen] = await db.rows<{ replies: string[] }>(this.sql('stepOf'), [step.scenarioId, step.moId]);
    return seen ? { kind: 'duplicate', replies: seen.replies } : null;
  }

  private async requestPayouts(sql: Sql, step: ScenarioStepInput, now: number): Promise<void> {
    const payouts = step.payouts ?? [];
    if (payouts.length === 0) return;
    const [current] = await sql.rows<VersionRow>(this.sql('currentOf'), [step.scenarioId]);
    if (current === undefined) throw new Error(`scenario ${step.scenarioId} does not exist`);
    for (const [index, payout] of payouts.entries()) {
      await this.payouts.request(sql, {
        id: `scenario:${step.scenarioId}:${step.moId}:${index}`, clientId: current.client_id as ClientId, subscriber: step.subscriber,
        amountMinor: payout.amountMinor, currency: payout.currency, reason: payout.reason, scenarioId: step.scenarioId, moId: step.moId,
      }, now);
    }
  }

  async results(db: Database, scenarioId: string, leaderboard: number): Promise<ScenarioResults> {
    // One snapshot, so that the tallies, counts and draws agree with each other.
    return db.transaction(async (sql) => ({
      scenarioId,
      tallies: Object.fromEntries((await sql.rows<{ tally_key: string; count: number }>(this.sql('tallies'), [scenarioId])).map((row) => [row.tally_key, row.count])),
      leaderboard: (await sql.rows<{ subscriber: string; score: number }>(this.sql('leaderboard'), [scenarioId, Math.max(0, Math.trunc(leaderboard))]))
        .map((row) => ({ subscriber: row.subscriber, score: row.score })),
      entries: (await sql.rows<{ n: number }>(this.sql('entryCount'), [scenarioId]))[0]?.n ?? 0,
      states: Object.fromEntries((await sql.rows<{ state_id: string; n: number }>(this.sql('stateCounts'), [scenarioId])).map((row) => [row.state_id, row.n])),
      steps: Object.fromEntries((await sql.rows<{ disposition: string; n: number }>(this.sql('stepCounts'), [scenarioId])).map((row) => [row.disposition, row.n])),
      draws: (await sql.rows<DrawRow>(this.sql('draws'), [scenarioId])).map(drawOf),
    }), 'snapshot');
  }

  async allEntries(db: Sql, scenarioId: string): Promise<ScenarioEntry[]> {
    const rows = await db.rows<{ id: string; subscriber: string; label: string; at: number }>(this.sql('entries'), [scenarioId]);
    return rows.map((row) => ({ id: row.id, subscriber: row.subscriber, label: row.label, at: new Date(row.at) }));
  }

  async recordDraw(db: Sql, draw: ScenarioDraw): Promise<void> {
    try {
      await db.count(this.sql('insertDraw'), [
        draw.scenarioId, draw.drawId, draw.seed, draw.entriesHash, draw.entryCount, JSON.stringify(draw.winners), draw.drawnAt.getTime(),
      ]);
    } catch (error) {
      if (isUniqueViolation(error, 'scenario_draws_pkey')) throw invalid(`scenario "${draw.scenarioId}" already has a draw "${draw.drawId}"`);
      throw error;
    }
  }
}
