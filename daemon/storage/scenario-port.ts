/**
 * The scenario part of the Store port (docs/scenarios.md, "Storage"): versioned definitions with
 * their bindings to short codes and keywords, per-subscriber state, and what subscribers' answers
 * add up to (tallies, scores, entries, draws). Store extends this interface.
 *
 * Exactly once: a scenario step is keyed by the id of the MO it answers (recordMo gives a redelivered
 * MO the id of the first one). applyScenarioStep records the step under a unique (scenario, MO id),
 * so the same MO counts once however often it is redelivered or on however many nodes it is seen.
 */
import type { ClientId } from '../domain/ids.js';

/** Where a scenario listens: a short code, and a keyword on it (null: every MO to the code). */
export interface ScenarioBinding {
  readonly shortCode: string;
  /** Upper-cased like MO keywords; null binds the whole short code. */
  readonly keyword: string | null;
  /** Also forward each MO to the client's MO URL (the scenario runs first either way). */
  readonly forward: boolean;
}

/** One version of a scenario as stored. */
export interface ScenarioRecord {
  /** A slug chosen by the operator. */
  readonly id: string;
  readonly clientId: ClientId;
  /** 1 for the first put, raised by each put that changes it. */
  readonly version: number;
  /** The definition as written (language or `{ use, params }`), as JSON-compatible data. */
  readonly source: unknown;
  readonly bindings: readonly ScenarioBinding[];
  readonly disabled: boolean;
  readonly createdAt: Date;
}

/** The `scenario.put` provisioning change's payload: a new version when it differs from the current one. */
export type ScenarioPut = Omit<ScenarioRecord, 'version' | 'createdAt'>;

/** A subscriber's state as stored, with the revision that guards concurrent steps. */
export interface StoredSubscriber {
  /** The engine's SubscriberState as JSON; null for a subscriber never seen. */
  readonly state: string | null;
  /** 0 for a subscriber never seen; raised by each applied step. */
  readonly revision: number;
}

export interface ScenarioStepInput {
  readonly scenarioId: string;
  /** The MO this step answers: the exactly-once key. */
  readonly moId: string;
  readonly subscriber: string;
  /** The revision read with the state the step was computed from. */
  readonly expectedRevision: number;
  /** The new SubscriberState as JSON, with its score copied out for the leaderboard; null leaves it as it was. */
  readonly state: { readonly json: string; readonly score: number; readonly stateId: string } | null;
  readonly disposition: string;
  readonly counted: boolean;
  readonly tallies: readonly { readonly key: string; readonly by: number }[];
  readonly entries: readonly string[];
  /**
   * Payouts to the subscriber, requested in the same transaction with the ids
   * `scenario:<scenario>:<MO id>:<n>` (over budget: recorded as failed). Absent: none.
   */
  readonly payouts?: readonly { readonly amountMinor: number; readonly currency: string; readonly reason: string }[];
  /** The replies this step sends, kept so that a redelivered MO re-sends the same ones (idempotently). */
  readonly replies: readonly string[];
  readonly at: Date;
}

export type ScenarioStepOutcome =
  | { readonly kind: 'applied' }
  /** This MO was applied before: nothing changed; the replies it recorded then. */
  | { readonly kind: 'duplicate'; readonly replies: readonly string[] }
  /** The subscriber's revision moved since it was read (a concurrent step): nothing changed; read and compute again. */
  | { readonly kind: 'conflict' };

export interface ScenarioEntry {
  readonly id: string;
  readonly subscriber: string;
  readonly label: string;
  readonly at: Date;
}

export interface ScenarioDraw {
  readonly scenarioId: string;
  readonly drawId: string;
  readonly seed: string;
  readonly entriesHash: string;
  readonly entryCount: number;
  readonly winners: readonly { readonly id: string; readonly subscriber: string }[];
  readonly drawnAt: Date;
}

export interface ScenarioResults {
  readonly scenarioId: string;
  readonly tallies: Readonly<Record<string, number>>;
  /** Highest score first, then the earliest to reach it. */
  readonly leaderboard: readonly { readonly subscriber: string; readonly score: number }[];
  readonly entries: number;
  /** Subscribers per current state (a subscription's members are those in its `in` state). */
  readonly states: Readonly<Record<string, number>>;
  /** Steps per disposition (answered, closed, limited, unmatched, call-failed). */
  readonly steps: Readonly<Record<string, number>>;
  readonly draws: readonly ScenarioDraw[];
}

export interface ScenarioStore {
  /** The current version of every scenario (disabled ones included). */
  loadScenarios(): Promise<readonly ScenarioRecord[]>;
  /** Every version of one scenario, oldest first. */
  scenarioVersions(scenarioId: string): Promise<readonly ScenarioRecord[]>;
  loadScenarioSubscriber(scenarioId: string, subscriber: string): Promise<StoredSubscriber>;
  /**
   * In one transaction: records the step under (scenario, MO id) — `duplicate` if it is there — and,
   * when the subscriber's revision still equals expectedRevision, writes the new state (revision + 1),
   * adds the tallies and the entries; otherwise `conflict` and nothing changes.
   */
  applyScenarioStep(step: ScenarioStepInput): Promise<ScenarioStepOutcome>;
  /** Tallies, the top `leaderboard` scores, counts and draws: what the API and the stats pages show. */
  scenarioResults(scenarioId: string, options: { readonly leaderboard: number }): Promise<ScenarioResults>;
  /** Every entry of a scenario, in id order (the input of a draw). */
  scenarioEntries(scenarioId: string): Promise<readonly ScenarioEntry[]>;
  /** Keeps a draw's result with its seed and entry-list hash; a drawId used before is refused (PROVISIONING_INVALID). */
  recordScenarioDraw(draw: ScenarioDraw): Promise<void>;
}
