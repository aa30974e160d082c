import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { foldAnswer, matchAnswer } from '../../daemon/scenarios/answer-match.js';
import { compileScenario } from '../../daemon/scenarios/compile.js';
import type { ScenarioDefinition, ScenarioMatch } from '../../daemon/scenarios/definition.js';
import { drawWinners, entriesHash, seededIntegers } from '../../daemon/scenarios/draw.js';
import { render, step, type StepResult, type SubscriberState } from '../../daemon/scenarios/engine.js';
import { expandTemplate, TemplateError } from '../../daemon/scenarios/template.js';

function compiled(source: unknown): ScenarioDefinition {
  const result = compileScenario(source);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.definition;
}

function done(result: StepResult): Extract<StepResult, { kind: 'done' }> {
  if (result.kind !== 'done') throw new Error('expected a finished step');
  return result;
}

const at = Date.parse('2026-11-26T10:00:00Z');

test('matching: keywords, choices, numbers and regular expressions over folded text', () => {
  const rows: [ScenarioMatch, string, boolean, string | null][] = [
    [{ keywords: ['да', 'yes'] }, 'ДА', true, 'да'],
    [{ keywords: ['да'] }, '  Да, конечно ', true, 'да'],
    [{ keywords: ['ещё'] }, 'ЕЩЕ', true, 'ещё'],
    [{ keywords: ['ещё'] }, 'ЕЩЁ', true, 'ещё'],
    [{ keywords: ['good morning'] }, 'good   MORNING', true, 'good morning'],
    [{ keywords: ['good morning'] }, 'good', false, null],
    [{ choices: { A: ['1', 'А'] } }, 'а', true, 'A'],
    [{ choices: { A: ['1'] } }, 'a!', true, 'A'],
    [{ choices: { A: ['1'] } }, 'b', false, null],
    [{ number: { min: 1, max: 5 } }, '5 stars', true, '5'],
    [{ number: { min: 1, max: 5 } }, '6', false, null],
    [{ number: {} }, '+007', true, '7'],
    [{ number: {} }, '7a', false, null],
    [{ regex: '^(?<value>\\d{6})$' }, '123456', true, '123456'],
    [{ regex: 'привет' }, 'ну ПРИВЕТ же', true, 'ПРИВЕТ'],
    [{ any: true }, '', true, ''],
  ];
  for (const [match, text, hits, value] of rows) {
    const found = matchAnswer(match, foldAnswer(text, true), true);
    assert.equal(found !== null, hits, `${JSON.stringify(match)} on ${JSON.stringify(text)}`);
    assert.equal(found?.value ?? null, value, `${JSON.stringify(match)} on ${JSON.stringify(text)}`);
  }
  // With foldYo off, Ё and Е are different letters.
  assert.equal(matchAnswer({ keywords: ['ещё'] }, foldAnswer('ЕЩЕ', false), false), null);
});

test('a state machine with limits, a window, outcomes and prompts', () => {
  const definition = compiled({
    window: { from: '2026-11-26T09:00:00Z', to: '2026-11-27T09:00:00Z' },
    closedReply: 'closed',
    limits: { total: 3, perDay: 2, reply: 'limit {{answers}}' },
    always: [{ match: { keywords: ['reset'] }, counts: false, next: 'start', reply: 'reset' }],
    states: [
      { id: 'start', answers: [{ match: { number: { min: 1 } }, reply: 'got {{answer}}', outcomes: [{ score: 2 }, { tally: 'n{{answer}}' }, { set: { last: '{{answer}}' } }], next: '$next' }] },
      { id: 'second', prompt: 'now a word (last {{last}}, score {{score}})', answers: [{ match: { regex: '^(?<word>[A-Z]+)$' }, reply: 'word {{word}}', outcomes: [{ entry: '{{word}}' }] }], otherwise: { reply: 'not a word' } },
    ],
  });
  const first = done(step(definition, null, { from: '7900', text: '42', at }));
  assert.deepEqual(first.replies, ['got 42\nnow a word (last 42, score 2)']);
  assert.deepEqual(first.outcomes, [{ kind: 'score', points: 2 }, { kind: 'tally', key: 'n42', by: 1 }]);
  assert.deepEqual([first.state.state, first.state.answers, first.state.answersToday, first.state.score, first.state.vars], ['second', 1, 1, 2, { last: '42' }]);
  const unmatched = done(step(definition, first.state, { from: '7900', text: '12 34', at }));
  assert.deepEqual([unmatched.disposition, unmatched.replies, unmatched.counted], ['unmatched', ['not a word'], false]);
  const second = done(step(definition, first.state, { from: '7900', text: 'Hello', at }));
  assert.deepEqual([second.disposition, second.replies, second.outcomes], ['answered', ['word HELLO'], [{ kind: 'entry', label: 'HELLO' }]]);
  // Two a day: the third answer on the same day is over the limit and changes nothing.
  const limited = done(step(definition, second.state, { from: '7900', text: 'Again', at: at + 1000 }));
  assert.deepEqual([limited.disposition, limited.replies, limited.state], ['limited', ['limit 2'], second.state]);
  // Still the same UTC day at 23:59:59; the next day it counts, then the total of 3 is reached.
  const nextDay = done(step(definition, second.state, { from: '7900', text: 'Again', at: Date.parse('2026-11-26T23:59:59Z') }));
  assert.equal(nextDay.disposition, 'limited');
  const dayTwo = Date.parse('2026-11-27T00:30:00Z');
  const third = done(step(definition, second.state, { from: '7900', text: 'Again', at: dayTwo }));
  assert.deepEqual([third.disposition, third.state.answers, third.state.answersToday, third.state.day], ['answered', 3, 1, '2026-11-27']);
  assert.equal(done(step(definition, third.state, { from: '7900', text: 'More', at: dayTwo })).disposition, 'limited');
  // `always` answers apply in every state and may not count.
  const reset = done(step(definition, third.state, { from: '7900', text: 'RESET', at: dayTwo }));
  assert.deepEqual([reset.state.state, reset.replies, reset.counted], ['start', ['reset'], false]);
  // Outside the window: the closed reply, no change.
  const closed = done(step(definition, third.state, { from: '7900', text: '5', at: Date.parse('2026-11-27T09:00:00Z') }));
  assert.deepEqual([closed.disposition, closed.replies, closed.state], ['closed', ['closed'], third.state]);
});

test('a call step: the engine asks, the endpoint answers, the step uses its reply, vars and next state', () => {
  const definition = compiled({
    states: [
      { id: 'ask', answers: [{ match: { any: true }, call: { url: 'https://client.example/hook', errorReply: 'try later' }, outcomes: [{ tally: '{{call.topic}}' }] }] },
      { id: 'followup', prompt: 'anything else?' },
    ],
  });
  const asked = step(definition, null, { from: '7900', text: 'where is my order', at });
  assert.equal(asked.kind, 'call');
  assert.deepEqual(asked.kind === 'call' && asked.request, {
    url: 'https://client.example/hook', timeoutMs: 5000,
    body: { from: '7900', text: 'where is my order', answer: 'WHERE IS MY ORDER', state: 'ask', score: 0, vars: {} },
  });
  const answered = done(step(definition, null, { from: '7900', text: 'where is my order', at, call: { ok: true, reply: 'on its way', next: 'followup', vars: { topic: 'orders' } } }));
  assert.deepEqual([answered.replies, answered.state.state, answered.outcomes], [['on its way\nanything else?'], 'followup', [{ kind: 'tally', key: 'orders', by: 1 }]]);
  const unknownNext = done(step(definition, null, { from: '7900', text: 'x', at, call: { ok: true, reply: null, next: 'nowhere', vars: {} } }));
  assert.deepEqual([unknownNext.replies, unknownNext.state.state], [[], 'ask']);
  const failed = done(step(definition, null, { from: '7900', text: 'x', at, call: { ok: false, error: 'timeout' } }));
  assert.deepEqual([failed.disposition, failed.replies, failed.outcomes, failed.counted], ['call-failed', ['try later'], [], false]);
});

test('a subscriber in a state a new version removed starts over in the first state', () => {
  const definition = compiled({ use: 'vote', params: { options: { A: [] } } });
  const stale: SubscriberState = { state: 'gone', answers: 0, day: null, answersToday: 0, score: 0, vars: {} };
  assert.equal(done(step(definition, stale, { from: '7900', text: 'a', at })).state.state, 'voting');
});

test('the schema lists what is wrong, with where', () => {
  const result = compileScenario({ states: [{ id: 'a', answers: [{ match: { regex: '(' }, next: '$next' }] }, { id: 'a' }], window: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, extra: 1 });
  assert.equal(result.ok, false);
  const problems = result.ok ? [] : result.problems;
  assert.ok(problems.some((p) => p.includes('Unrecognized key') && p.includes('extra')), problems.join('\n'));
  assert.equal(compileScenario({ states: [] }).ok, false);
  const refined = compileScenario({ states: [{ id: 'a', answers: [{ match: { regex: '(' }, next: '$next' }] }, { id: 'a' }], window: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' } });
  assert.deepEqual(refined.ok ? [] : refined.problems, [
    'states.1.id: state "a" is defined twice',
    'states.0.answers.0.match.regex: not a valid regular expression: Invalid regular expression: /(/iu: Unterminated group',
    'window: window.from must be before window.to',
  ]);
  assert.deepEqual(compileScenario({ use: 'vote', params: { options: { A: [] }, colour: 'red' } }), { ok: false, problems: ['params.colour: vote has no such parameter'] });
});

test('templates: ${} takes values whole or inside text; $each repeats list items; {{}} is left for run time', () => {
  const out = expandTemplate(
    { list: ['${first}', { $each: '${items}', as: 'item', do: { id: 'x${itemNumber}', text: '${item.name} {{answer}}' } }], raw: '${items}' },
    { first: 0, items: [{ name: 'a' }, { name: 'b' }] },
  );
  assert.deepEqual(out, { list: [0, { id: 'x1', text: 'a {{answer}}' }, { id: 'x2', text: 'b {{answer}}' }], raw: [{ name: 'a' }, { name: 'b' }] });
  assert.throws(() => expandTemplate('${missing}', {}), TemplateError);
  assert.throws(() => expandTemplate('text ${list}', { list: [1] }), /cannot be part of a text/);
  assert.equal(render('{{ a }}-{{b}}-{{c.d}}', { a: '1', 'c.d': '3' }), '1--3');
});

test('the draw is a function of the seed and the entry set, uniform enough, one win per number', () => {
  const entries = Array.from({ length: 50 }, (_, i) => ({ id: `m${String(i).padStart(3, '0')}`, subscriber: `7900${i % 10}` }));
  const shuffled = [...entries].reverse();
  const a = drawWinners(entries, 'seed-1', 5, true);
  assert.deepEqual(drawWinners(shuffled, 'seed-1', 5, true), a);
  assert.equal(entriesHash(shuffled), a.entriesHash);
  assert.notDeepEqual(drawWinners(entries, 'seed-2', 5, true).winners, a.winners);
  assert.equal(new Set(a.winners.map((w) => w.subscriber)).size, 5);
  assert.equal(drawWinners(entries, 'seed-1', 20, true).winners.length, 10);
  assert.equal(drawWinners(entries, 'seed-1', 20, false).winners.length, 20);
  assert.deepEqual(drawWinners([], 'seed-1', 3, true).winners, []);
  const next = seededIntegers('uniform');
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i += 1) counts[next(4)]! += 1;
  for (const count of counts) assert.ok(count > 850 && count < 1150, `counts ${counts.join(',')}`);
});
