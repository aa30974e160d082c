/**
 * The scenario language (docs/scenarios.md): a scenario is a list of states, each with the answers
 * it expects and what a matching answer does (reply, outcomes, next state, a call to the client's
 * endpoint), plus a time window and per-subscriber limits. This module holds its schema (zod, no
 * unknown keys) and the types the engine runs on; builtin kinds are expanded into it first.
 */
import { z } from 'zod';

/** `next: $next` names the state that follows in the list: templates write sequences without knowing ids. */
export const NEXT_STATE = '$next';

const isoTime = z.string().refine((value) => /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value)), {
  message: 'use an ISO 8601 time with a zone, e.g. 2026-11-26T18:00:00Z',
});

const stateId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use letters, digits and . _ - (at most 64)');

const matchSchema = z.union([
  /** The first word (or, for a keyword with spaces, the whole text) equals one of these, after folding. */
  z.strictObject({ keywords: z.array(z.string().min(1)).min(1) }),
  /** Option key → its aliases; the key itself also matches. The matched key becomes {{answer}}. */
  z.strictObject({ choices: z.record(z.string().min(1), z.array(z.string().min(1)).default([])) }),
  /** The first word is an integer within [min, max]. */
  z.strictObject({ number: z.strictObject({ min: z.int().optional(), max: z.int().optional() }) }),
  /** A regular expression (Unicode, case-insensitive) over the folded text; a group named `value` becomes {{answer}}. */
  z.strictObject({ regex: z.string().min(1) }),
  /** Any text, including an empty one. */
  z.strictObject({ any: z.literal(true) }),
]);

const outcomeSchema = z.union([
  /** Adds `by` (default 1) to the scenario's counter named by the template (a vote's option). */
  z.strictObject({ tally: z.string().min(1), by: z.int().default(1) }),
  /** Adds points to the subscriber's score (a quiz's leaderboard). */
  z.strictObject({ score: z.int() }),
  /** Records one entry for the subscriber (a lottery's draw picks among entries); the string is its label. */
  z.strictObject({ entry: z.union([z.literal(true), z.string().min(1)]) }),
  /** Remembers values in the subscriber's variables (templates allowed). */
  z.strictObject({ set: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()) }),
  /** Requests a payout to the subscriber's mobile account, in minor units, within the client's budget (docs/payouts.md). */
  z.strictObject({
    payout: z.strictObject({
      amount: z.int().min(1).max(100_000_000),
      currency: z.string().regex(/^[A-Z]{3}$/, 'use an ISO 4217 code, e.g. RUB'),
      reason: z.string().min(1).default('scenario prize'),
    }),
  }),
]);

const callSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.int().min(100).max(30_000).default(5_000),
  /** Sent when the endpoint fails or times out; the answer then changes nothing. */
  errorReply: z.string().optional(),
});

const answerSchema = z.strictObject({
  match: matchSchema,
  /** Reply template; with a call and no reply, the endpoint's reply is sent. */
  reply: z.string().optional(),
  outcomes: z.array(outcomeSchema).default([]),
  /** The state entered after this answer (a state id or $next); absent: stay. */
  next: z.string().optional(),
  /** Whether the answer counts against the per-subscriber limits and is recorded as counted. */
  counts: z.boolean().default(true),
  call: callSchema.optional(),
});

const stateSchema = z.strictObject({
  id: stateId,
  /** Sent after the reply of the answer that enters this state (a quiz's next question). */
  prompt: z.string().optional(),
  answers: z.array(answerSchema).default([]),
  /** What an answer that matches nothing does (never counted, no outcomes). */
  otherwise: z.strictObject({ reply: z.string().optional(), next: z.string().optional() }).optional(),
});

export const scenarioSchema = z
  .strictObject({
    name: z.string().optional(),
    /** Fold Ё/ё to Е before matching (docs/decisions.md): subscribers type е for ё on most keyboards. */
    foldYo: z.boolean().default(true),
    /** Answers are taken from `from` (inclusive) until `to` (exclusive); null: unbounded. */
    window: z.strictObject({ from: isoTime.nullable().default(null), to: isoTime.nullable().default(null) }).default({ from: null, to: null }),
    /** Reply outside the window. */
    closedReply: z.string().optional(),
    limits: z
      .strictObject({
        /** Counted answers per subscriber over the whole scenario (1: one vote per number). */
        total: z.int().min(1).nullable().default(null),
        /** Counted answers per subscriber per UTC day. */
        perDay: z.int().min(1).nullable().default(null),
        /** Reply when a counting answer is over a limit. */
        reply: z.string().optional(),
      })
      .default({ total: null, perDay: null }),
    /** Answers checked in every state before the state's own (STOP). */
    always: z.array(answerSchema).default([]),
    /** The first state is where a new subscriber starts. */
    states: z.array(stateSchema).min(1),
  })
  .superRefine((scenario, ctx) => {
    const ids = scenario.states.map((state) => state.id);
    const known = new Set<string>();
    ids.forEach((id, index) => {
      if (known.has(id)) ctx.addIssue({ code: 'custom', message: `state "${id}" is defined twice`, path: ['states', index, 'id'] });
      known.add(id);
    });
    const checkNext = (next: string | undefined, stateIndex: number | null, path: PropertyKey[]): void => {
      if (next === undefined) return;
      if (next === NEXT_STATE) {
        if (stateIndex === null || stateIndex === ids.length - 1) ctx.addIssue({ code: 'custom', message: `${NEXT_STATE} needs a following state`, path });
      } else if (!known.has(next)) {
        ctx.addIssue({ code: 'custom', message: `state "${next}" does not exist`, path });
      }
    };
    const checkAnswer = (answer: z.output<typeof answerSchema>, stateIndex: number | null, path: PropertyKey[]): void => {
      checkNext(answer.next, stateIndex, [...path, 'next']);
      if ('regex' in answer.match) {
        try {
          new RegExp(answer.match.regex, 'iu');
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}`, path: [...path, 'match', 'regex'] });
        }
      }
    };
    scenario.always.forEach((answer, index) => checkAnswer(answer, null, ['always', index]));
    scenario.states.forEach((state, stateIndex) => {
      state.answers.forEach((answer, index) => checkAnswer(answer, stateIndex, ['states', stateIndex, 'answers', index]));
      checkNext(state.otherwise?.next, stateIndex, ['states', stateIndex, 'otherwise', 'next']);
    });
    const { from, to } = scenario.window;
    if (from !== null && to !== null && Date.parse(from) >= Date.parse(to)) {
      ctx.addIssue({ code: 'custom', message: 'window.from must be before window.to', path: ['window'] });
    }
  });

export type ScenarioDefinition = z.output<typeof scenarioSchema>;
export type ScenarioState = ScenarioDefinition['states'][number];
export type ScenarioAnswer = ScenarioState['answers'][number];
export type ScenarioMatch = ScenarioAnswer['match'];
export type ScenarioOutcomeRule = ScenarioAnswer['outcomes'][number];
