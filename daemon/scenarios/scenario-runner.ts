/**
 * The driver of the scenario engine for one MO (docs/scenarios.md, "Exactly once"): read the
 * subscriber, run the engine at the MO's receive time, carry out a `call`, apply the step keyed by
 * the MO id, and send the replies. A conflict (the subscriber changed meanwhile: another node, another
 * MO) reads again and recomputes; a duplicate (the MO was applied before) only re-sends the recorded
 * replies, which the MT idempotency keys make a no-op if they were stored already.
 */
import type { Logger } from '../log.js';
import type { ScenarioStore } from '../storage/scenario-port.js';
import type { ClientCall } from './client-call.js';
import { step, type CallAnswer, type StepResult, type SubscriberState } from './engine.js';
import type { ScenarioHit } from './scenario-directory.js';

/** One reply MT: from the bound short code to the subscriber, charged to the scenario's client. */
export interface ScenarioReply {
  readonly clientId: string;
  readonly shortCode: string;
  readonly subscriber: string;
  readonly text: string;
  /** The MT idempotency key: the same reply of the same MO is stored once. */
  readonly idempotencyKey: string;
}

export interface ScenarioRunnerDeps {
  readonly store: ScenarioStore;
  readonly call: ClientCall;
  /** The callback secret of a client, to sign calls. */
  readonly secretOf: (clientId: string) => string;
  readonly sendReply: (reply: ScenarioReply) => Promise<void>;
  readonly logger: Logger;
  /** How often a step is recomputed after conflicts before the MO is given back to the SMSC. */
  readonly maxAttempts?: number;
}

export interface ScenarioMo {
  readonly moId: string;
  readonly subscriber: string;
  readonly shortCode: string;
  readonly receivedAt: number;
}

export type RunOutcome = { readonly kind: 'applied' | 'duplicate'; readonly replies: readonly string[]; readonly disposition: string | null };

export class ScenarioRunner {
  constructor(private readonly deps: ScenarioRunnerDeps) {}

  async answer(hit: ScenarioHit, mo: ScenarioMo): Promise<RunOutcome> {
    const { record, definition } = hit.scenario;
    const attempts = this.deps.maxAttempts ?? 5;
    let callAnswer: CallAnswer | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const stored = await this.deps.store.loadScenarioSubscriber(record.id, mo.subscriber);
      const current = stored.state === null ? null : (JSON.parse(stored.state) as SubscriberState);
      const input = { from: mo.subscriber, text: hit.text, at: mo.receivedAt };
      let result: StepResult = step(definition, current, callAnswer === undefined ? input : { ...input, call: callAnswer });
      if (result.kind === 'call') {
        const body = { ...result.request.body, scenarioId: record.id, moId: mo.moId };
        callAnswer = await this.deps.call({ ...result.request, body }, { eventId: mo.moId, secret: this.deps.secretOf(record.clientId) });
        if (!callAnswer.ok) this.deps.logger.warn({ scenarioId: record.id, url: result.request.url, error: callAnswer.error }, 'scenario call failed');
        result = step(definition, current, { ...input, call: callAnswer });
      }
      if (result.kind === 'call') throw new Error('scenario engine asked for a second call in one step');
      const changesState = result.disposition === 'answered' || result.disposition === 'unmatched';
      const outcome = await this.deps.store.applyScenarioStep({
        scenarioId: record.id,
        moId: mo.moId,
        subscriber: mo.subscriber,
        expectedRevision: stored.revision,
        state: changesState ? { json: JSON.stringify(result.state), stateId: result.state.state, score: result.state.score } : null,
        disposition: result.disposition,
        counted: result.counted,
        tallies: result.outcomes.flatMap((o) => (o.kind === 'tally' ? [{ key: o.key, by: o.by }] : [])),
        entries: result.outcomes.flatMap((o) => (o.kind === 'entry' ? [o.label] : [])),
        payouts: result.outcomes.flatMap((o) => (o.kind === 'payout' ? [{ amountMinor: o.amountMinor, currency: o.currency, reason: o.reason }] : [])),
        replies: result.replies,
        at: new Date(mo.receivedAt),
      });
      if (outcome.kind === 'conflict') continue;
      const replies = outcome.kind === 'applied' ? result.replies : outcome.replies;
      await this.send(hit, mo, replies);
      return { kind: outcome.kind, replies, disposition: outcome.kind === 'applied' ? result.disposition : null };
    }
    throw new Error(`scenario ${record.id}: subscriber ${mo.subscriber} changed under ${attempts} attempts in a row`);
  }

  private async send(hit: ScenarioHit, mo: ScenarioMo, replies: readonly string[]): Promise<void> {
    const { record } = hit.scenario;
    for (const [index, text] of replies.entries()) {
      await this.deps.sendReply({
        clientId: record.clientId,
        shortCode: mo.shortCode,
        subscriber: mo.subscriber,
        text,
        idempotencyKey: `scenario:${record.id}:${mo.moId}:${index}`,
      });
    }
  }
}
