import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import { ctlHarness, type CtlHarness } from './smsprocctl-harness.js';

interface ApplyJson {
  items: { action: string; kind: string; id: string; fields: string[] }[];
  applied: boolean;
}

let ctl: CtlHarness;
let examplePath: string;
const example = readFileSync('docs/examples/scenarios.yaml', 'utf8');
before(() => {
  ctl = ctlHarness();
  examplePath = ctl.writeFile('scenarios.yaml', example);
});
after(() => ctl.cleanup());

test('the documented scenario example applies once; a changed definition is a new version; --prune disables', () => {
  const first = ctl.json<ApplyJson>(['apply', examplePath]);
  assert.deepEqual(first.items.filter((i) => i.kind === 'scenario').map((i) => `${i.action} ${i.id}`), [
    'create helpdesk', 'create news', 'create prize-draw', 'create quiz', 'create song-vote',
  ]);
  assert.deepEqual(ctl.json<ApplyJson>(['apply', examplePath]).items, []);
  const changed = ctl.writeFile('changed.yaml', example.replace('A: ["1", "А"]', 'A: ["1", "А", "ONE"]'));
  const update = ctl.json<ApplyJson>(['apply', changed]);
  assert.deepEqual(update.items.map((i) => `${i.action} ${i.kind} ${i.id} ${i.fields.join(',')}`), ['update scenario song-vote definition']);
  const list = ctl.json<{ id: string; version: number; disabled: boolean }[]>(['scenarios', 'list']);
  assert.deepEqual(list.map((s) => [s.id, s.version, s.disabled]), [['helpdesk', 1, false], ['news', 1, false], ['prize-draw', 1, false], ['quiz', 1, false], ['song-vote', 2, false]]);
  const versions = ctl.json<{ version: number; source: { params: { options: Record<string, string[]> } } }[]>(['scenarios', 'versions', 'song-vote']);
  assert.deepEqual(versions.map((v) => [v.version, v.source.params.options.A]), [[1, ['1', 'А']], [2, ['1', 'А', 'ONE']]]);
  assert.equal(ctl.run(['scenarios', 'versions', 'nope']).code, 3);
  const only = ctl.writeFile('only.yaml', example.split('\n  news:\n')[0] ?? '');
  const pruned = ctl.json<ApplyJson>(['apply', only, '--prune']);
  assert.deepEqual(pruned.items.filter((i) => i.kind === 'scenario').map((i) => `${i.action} ${i.id}`), ['delete helpdesk', 'delete news', 'delete prize-draw', 'delete quiz', 'update song-vote']);
  assert.deepEqual(ctl.json<{ id: string; disabled: boolean }[]>(['scenarios', 'list']).filter((s) => !s.disabled).map((s) => s.id), ['song-vote']);
});

test('export writes scenarios so that applying the export changes nothing', () => {
  ctl.json<ApplyJson>(['apply', examplePath]);
  const exported = ctl.run(['export']);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /scenarios:\n {2}helpdesk:/);
  const path = ctl.writeFile('exported.yaml', exported.stdout);
  assert.deepEqual(ctl.json<ApplyJson>(['apply', path]).items, []);
});

test('a definition that does not compile is refused with where and why; nothing is applied', () => {
  const bad = ctl.writeFile('bad.yaml', example.replace('        questions:\n', '        question:\n'));
  const result = ctl.run(['apply', bad]);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /scenarios\.quiz\.definition: params\.questions: required by quiz/);
  assert.match(result.stderr, /scenarios\.quiz\.definition: params\.question: quiz has no such parameter/);
  assert.deepEqual(ctl.json<unknown[]>(['scenarios', 'list']).length, 5);
  const wrongState = ctl.writeFile('state.yaml', example.replace('reply: "Order {{answer}}: we are looking it up."', 'reply: x\n              next: nowhere'));
  assert.match(ctl.run(['apply', wrongState]).stderr, /scenarios\.helpdesk\.definition: states\.0\.answers\.0\.next: state "nowhere" does not exist/);
});

test('a draw is recorded with its seed and entry hash, is reproducible from them, and its name is used once', async () => {
  ctl.json<ApplyJson>(['apply', examplePath]);
  const handle = await openTestSqliteStore({ reopen: join(ctl.dir, 'smsproc.db') });
  try {
    for (const [index, subscriber] of ['79000000001', '79000000002', '79000000003', '79000000004'].entries()) {
      await handle.store.applyScenarioStep({
        scenarioId: 'prize-draw', moId: `mo-${index}`, subscriber, expectedRevision: 0, state: { json: '{}', stateId: 'open', score: 0 },
        disposition: 'answered', counted: true, tallies: [{ key: 'entries', by: 1 }], entries: ['entry'], replies: [], at: new Date(),
      });
    }
  } finally {
    await handle.cleanup();
  }
  const draw = ctl.json<{ seed: string; entriesHash: string; entryCount: number; winners: { subscriber: string }[] }>(['scenarios', 'draw', 'prize-draw', '--name', 'final', '--winners', '2', '--seed', 'published-seed']);
  assert.equal(draw.entryCount, 4);
  assert.equal(draw.winners.length, 2);
  assert.match(draw.entriesHash, /^[0-9a-f]{64}$/);
  assert.equal(ctl.run(['scenarios', 'draw', 'prize-draw', '--name', 'final', '--seed', 'published-seed']).code, 2);
  const again = ctl.json<{ winners: { subscriber: string }[] }>(['scenarios', 'draw', 'prize-draw', '--name', 'recount', '--winners', '2', '--seed', 'published-seed']);
  assert.deepEqual(again.winners, draw.winners);
  const results = ctl.json<{ tallies: Record<string, number>; draws: { drawId: string; seed: string }[] }>(['scenarios', 'results', 'prize-draw']);
  assert.deepEqual(results.tallies, { entries: 4 });
  assert.deepEqual(results.draws.map((d) => [d.drawId, d.seed]), [['final', 'published-seed'], ['recount', 'published-seed']]);
  assert.equal(ctl.run(['scenarios', 'results', 'nope']).code, 3);
});

test('payouts: a budget, a draw that pays its winners within it, the list and a retry', () => {
  assert.equal(ctl.run(['payouts', 'budget', 'tv-show', '7000', '--currency', 'RUB']).code, 0);
  assert.equal(ctl.run(['payouts', 'budget', 'nobody', '1']).code, 3);
  const draw = ctl.json<{ payouts: Record<string, string> }>(['scenarios', 'draw', 'prize-draw', '--name', 'paid', '--winners', '2', '--seed', 's', '--payout', '5000']);
  assert.deepEqual(draw.payouts, { 'draw:prize-draw:paid:0': 'requested', 'draw:prize-draw:paid:1': 'over-budget' });
  const failed = ctl.json<{ id: string; state: string; amountMinor: number }[]>(['payouts', 'list', '--state', 'failed']);
  assert.deepEqual(failed.map((p) => [p.id, p.amountMinor]), [['draw:prize-draw:paid:1', 5000]]);
  assert.deepEqual(ctl.json<Record<string, string>>(['payouts', 'retry', 'draw:prize-draw:paid:1']), { 'draw:prize-draw:paid:1': 'over-budget' });
  ctl.run(['payouts', 'budget', 'tv-show', '10000']);
  assert.deepEqual(ctl.json<Record<string, string>>(['payouts', 'retry', 'draw:prize-draw:paid:1']), { 'draw:prize-draw:paid:1': 'requested' });
  assert.deepEqual(ctl.json<{ committedMinor: number }>(['payouts', 'budget', 'tv-show']).committedMinor, 10000);
  const list = ctl.run(['payouts', 'list', '--client', 'tv-show']);
  assert.match(list.stdout, /draw:prize-draw:paid:0\s+tv-show\s+7900000000\d\s+5000 RUB\s+requested/);
});
