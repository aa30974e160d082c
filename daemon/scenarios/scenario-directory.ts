/**
 * Which scenario answers an MO (docs/scenarios.md, "Bindings"): built from the stored scenarios once
 * per provisioning version, compiled once. Pure. A binding with a keyword takes the MO whose keyword
 * it is, and the scenario sees what follows the keyword; a binding without one takes every other MO
 * to the short code, whole. Only MO that MO routing gave to the scenario's own client are taken.
 */
import type { ClientId } from '../domain/ids.js';
import type { ScenarioBinding, ScenarioRecord } from '../storage/scenario-port.js';
import { compileScenario } from './compile.js';
import type { ScenarioDefinition } from './definition.js';

export interface ActiveScenario {
  readonly record: ScenarioRecord;
  readonly definition: ScenarioDefinition;
}

export interface ScenarioHit {
  readonly scenario: ActiveScenario;
  readonly binding: ScenarioBinding;
  /** The answer text the engine gets. */
  readonly text: string;
}

export interface ScenarioDirectory {
  readonly scenarios: ReadonlyMap<string, ActiveScenario>;
  /** Scenarios whose stored source no longer compiles (a newer smsproc changed the language): skipped. */
  readonly problems: readonly { readonly id: string; readonly problems: readonly string[] }[];
  find(mo: { readonly shortCode: string; readonly clientId: ClientId; readonly keyword: string; readonly args: string; readonly text: string }): ScenarioHit | null;
}

export function buildScenarioDirectory(records: readonly ScenarioRecord[]): ScenarioDirectory {
  const scenarios = new Map<string, ActiveScenario>();
  const problems: { id: string; problems: readonly string[] }[] = [];
  const bindings = new Map<string, { scenario: ActiveScenario; binding: ScenarioBinding }>();
  for (const record of records) {
    if (record.disabled) continue;
    const compiled = compileScenario(record.source);
    if (!compiled.ok) {
      problems.push({ id: record.id, problems: compiled.problems });
      continue;
    }
    const scenario = { record, definition: compiled.definition };
    scenarios.set(record.id, scenario);
    for (const binding of record.bindings) bindings.set(`${binding.shortCode} ${binding.keyword ?? ''}`, { scenario, binding });
  }
  return {
    scenarios,
    problems,
    find(mo) {
      const byKeyword = mo.keyword === '' ? undefined : bindings.get(`${mo.shortCode} ${mo.keyword}`);
      if (byKeyword !== undefined && byKeyword.scenario.record.clientId === mo.clientId) return { ...byKeyword, text: mo.args };
      const whole = bindings.get(`${mo.shortCode} `);
      if (whole !== undefined && whole.scenario.record.clientId === mo.clientId) return { ...whole, text: mo.text };
      return null;
    },
  };
}
