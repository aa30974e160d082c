/**
 * The scenario engine (docs/scenarios.md): (definition, subscriber state, MO text, time) → (new
 * state, replies, outcomes). Pure: no I/O, time is an argument. A `call` answer is carried out by the
 * driver: the engine returns the request, and the driver runs the step again with the endpoint's answer.
 */
import { foldAnswer, matchAnswer } from './answer-match.js';
import { NEXT_STATE, type ScenarioAnswer, type ScenarioDefinition } from './definition.js';

/** What the store keeps per subscriber of a scenario. */
export interface SubscriberState {
  readonly state: string;
  /** Counted answers so far. */
  readonly answers: number;
  /** UTC day (YYYY-MM-DD) of `answersToday`. */
  readonly day: string | null;
  readonly answersToday: number;
  readonly score: number;
  readonly vars: Readonly<Record<string, string>>;
}

export type Outcome =
  | { readonly kind: 'tally'; readonly key: string; readonly by: number }
  | { readonly kind: 'score'; readonly points: number }
  | { readonly kind: 'entry'; readonly label: string }
  | { readonly kind: 'payout'; readonly amountMinor: number; readonly currency: string; readonly reason: string };

/** The client endpoint's answer to a call, as the driver got it. */
export type CallAnswer =
  | { readonly ok: true; readonly reply: string | null; readonly next: string | null; readonly vars: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly error: string };

export interface CallRequest {
  readonly url: string;
  readonly timeoutMs: number;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface StepInput {
  /** The subscriber's number. */
  readonly from: string;
  /** The answer text (the MO text, or what follows the keyword when the scenario is bound to one). */
  readonly text: string;
  /** When the MO was received, in ms since the epoch. */
  readonly at: number;
  /** The endpoint's answer when the step is run again after a call. */
  readonly call?: CallAnswer;
}

export type Disposition = 'answered' | 'unmatched' | 'closed' | 'limited' | 'call-failed';

export type StepResult =
  | {
      readonly kind: 'done';
      readonly disposition: Disposition;
      readonly state: SubscriberState;
      /** At most one message: the answer's reply and the entered state's prompt, joined by a newline. */
      readonly replies: readonly string[];
      readonly outcomes: readonly Outcome[];
      readonly counted: boolean;
    }
  | { readonly kind: 'call'; readonly request: CallRequest };

export function initialSubscriberState(definition: ScenarioDefinition): SubscriberState {
  return { state: definition.states[0]?.id ?? '', answers: 0, day: null, answersToday: 0, score: 0, vars: {} };
}

function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Fills `{{name}}` from the variables; an unknown name becomes empty. */
export function render(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g, (_, name: string) => vars[name] ?? '');
}

function done(disposition: Disposition, state: SubscriberState, replies: readonly (string | undefined)[], outcomes: readonly Outcome[] = [], counted = false): StepResult {
  const text = replies.filter((reply): reply is string => reply !== undefined && reply.trim() !== '').join('\n');
  return { kind: 'done', disposition, state, replies: text === '' ? [] : [text], outcomes, counted };
}

export function step(definition: ScenarioDefinition, current: SubscriberState | null, input: StepInput): StepResult {
  const day = utcDay(input.at);
  const known = current !== null && definition.states.some((state) => state.id === current.state);
  // A subscriber whose state a new version removed starts over, keeping what it has counted.
  const base = current === null ? initialSubscriberState(definition) : known ? current : { ...current, state: initialSubscriberState(definition).state };
  const before: SubscriberState = base.day === day ? base : { ...base, day, answersToday: 0 };
  const baseVars = { ...before.vars, from: input.from, text: input.text, score: String(before.score), answers: String(before.answers) };

  const { from, to } = definition.window;
  if ((from !== null && input.at < Date.parse(from)) || (to !== null && input.at >= Date.parse(to))) {
    return done('closed', current ?? before, [definition.closedReply === undefined ? undefined : render(definition.closedReply, baseVars)]);
  }

  const stateIndex = definition.states.findIndex((state) => state.id === before.state);
  const state = definition.states[stateIndex];
  if (state === undefined) throw new Error(`scenario has no state ${before.state}`);
  const folded = foldAnswer(input.text, definition.foldYo);
  let answer: ScenarioAnswer | undefined;
  let matched: ReturnType<typeof matchAnswer> = null;
  for (const candidate of [...definition.always, ...state.answers]) {
    matched = matchAnswer(candidate.match, folded, definition.foldYo);
    if (matched !== null) {
      answer = candidate;
      break;
    }
  }
  const nextOf = (next: string | undefined | null): string =>
    next === undefined || next === null ? before.state : next === NEXT_STATE ? (definition.states[stateIndex + 1]?.id ?? before.state) : next;

  if (answer === undefined || matched === null) {
    const otherwise = state.otherwise;
    const next = nextOf(otherwise?.next);
    const entered = next === before.state ? undefined : definition.states.find((s) => s.id === next)?.prompt;
    return done('unmatched', { ...before, state: next }, [otherwise?.reply, entered].map((t) => (t === undefined ? undefined : render(t, baseVars))));
  }

  const vars: Record<string, string> = { ...baseVars, ...matched.groups, answer: matched.value };
  if (answer.counts) {
    const { total, perDay } = definition.limits;
    if ((total !== null && before.answers >= total) || (perDay !== null && before.answersToday >= perDay)) {
      return done('limited', current ?? before, [definition.limits.reply === undefined ? undefined : render(definition.limits.reply, vars)]);
    }
  }

  let next = nextOf(answer.next);
  let callReply: string | undefined;
  if (answer.call !== undefined) {
    if (input.call === undefined) {
      return {
        kind: 'call',
        request: {
          url: answer.call.url,
          timeoutMs: answer.call.timeoutMs,
          body: { from: input.from, text: input.text, answer: matched.value, state: before.state, score: before.score, vars: before.vars },
        },
      };
    }
    if (!input.call.ok) {
      return done('call-failed', current ?? before, [answer.call.errorReply === undefined ? undefined : render(answer.call.errorReply, vars)]);
    }
    for (const [name, value] of Object.entries(input.call.vars)) vars[`call.${name}`] = value;
    if (input.call.reply !== null) {
      vars['call.reply'] = input.call.reply;
      callReply = input.call.reply;
    }
    const callNext = input.call.next;
    // The endpoint may choose the next state among those the definition has.
    if (callNext !== null && definition.states.some((s) => s.id === callNext)) next = callNext;
  }

  const outcomes: Outcome[] = [];
  let score = before.score;
  const kept: Record<string, string> = { ...before.vars };
  for (const rule of answer.outcomes) {
    if ('tally' in rule) outcomes.push({ kind: 'tally', key: render(rule.tally, vars), by: rule.by });
    else if ('score' in rule) {
      score += rule.score;
      outcomes.push({ kind: 'score', points: rule.score });
    } else if ('entry' in rule) outcomes.push({ kind: 'entry', label: rule.entry === true ? 'entry' : render(rule.entry, vars) });
    else if ('payout' in rule) outcomes.push({ kind: 'payout', amountMinor: rule.payout.amount, currency: rule.payout.currency, reason: render(rule.payout.reason, vars) });
    else for (const [name, template] of Object.entries(rule.set)) kept[name] = render(template, vars);
  }
  const answers = before.answers + (answer.counts ? 1 : 0);
  const after: SubscriberState = {
    state: next,
    answers,
    day,
    answersToday: before.answersToday + (answer.counts ? 1 : 0),
    score,
    vars: kept,
  };
  const replyVars = { ...vars, ...kept, score: String(score), answers: String(answers) };
  const reply = answer.reply === undefined ? callReply : render(answer.reply, replyVars);
  const entered = next === before.state ? undefined : definition.states.find((s) => s.id === next)?.prompt;
  return done('answered', after, [reply, entered === undefined ? undefined : render(entered, replyVars)], outcomes, answer.counts);
}
