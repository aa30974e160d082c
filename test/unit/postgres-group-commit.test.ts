import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { storeUnavailable } from '../../daemon/storage/postgres/database.js';
import { GroupCommit } from '../../daemon/storage/postgres/group-commit.js';

/** A unit of work the test releases by hand, recording the groups it was given. */
function gatedRun(fail: (item: number) => Error | null = () => null): {
  readonly groups: number[][];
  readonly run: (items: readonly number[]) => Promise<string[]>;
  release(): void;
} {
  const groups: number[][] = [];
  let gates: (() => void)[] = [];
  return {
    groups,
    async run(items) {
      groups.push([...items]);
      await new Promise<void>((resolve) => gates.push(resolve));
      const failure = items.map(fail).find((error) => error !== null);
      if (failure !== undefined && failure !== null) throw failure;
      return items.map((item) => `done ${item}`);
    },
    release() {
      const open = gates;
      gates = [];
      for (const gate of open) gate();
    },
  };
}

/** Releases every group the run is given until `settled` resolves. */
async function drain<T>(work: ReturnType<typeof gatedRun>, settled: Promise<T>): Promise<T> {
  let done = false;
  void settled.finally(() => (done = true));
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    work.release();
  }
  return settled;
}

test('calls arriving while a group is in flight share the next one; each gets its own results, only after its group finished', async () => {
  const work = gatedRun();
  const commit = new GroupCommit(work.run, 100, 1);
  const resolved: number[] = [];
  const calls = [[1], [2, 3], [4], [5]].map((items) => commit.submit(items).then((results) => {
    resolved.push(items[0] ?? 0);
    return results;
  }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(work.groups, [[1]], 'the first call goes alone; the others wait for it');
  assert.deepEqual(resolved, [], 'nothing resolves before its group finished');
  const results = await drain(work, Promise.all(calls));
  assert.deepEqual(work.groups, [[1], [2, 3, 4, 5]]);
  assert.deepEqual(results, [['done 1'], ['done 2', 'done 3'], ['done 4'], ['done 5']]);
});

test('a group holds at most maxBatch items, and at most maxInFlight groups run at once', async () => {
  const work = gatedRun();
  const commit = new GroupCommit(work.run, 3, 2);
  const calls = Array.from({ length: 9 }, (_, item) => commit.submit([item]));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(work.groups, [[0], [1]], 'two in flight, the rest wait');
  await drain(work, Promise.all(calls));
  assert.deepEqual(work.groups, [[0], [1], [2, 3, 4], [5, 6, 7], [8]]);
});

test('a group failing because of one call is retried by halves: that call alone rejects', async () => {
  const work = gatedRun((item) => (item === 6 ? new Error('bad item 6') : null));
  const commit = new GroupCommit(work.run, 100, 1);
  const calls = Array.from({ length: 9 }, (_, item) => commit.submit([item]));
  const settled = await drain(work, Promise.allSettled(calls));
  assert.deepEqual(settled.map((result) => result.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.match(String((settled[6] as PromiseRejectedResult).reason), /bad item 6/);
  assert.ok(work.groups.length <= 2 + 2 * Math.ceil(Math.log2(8)), `${work.groups.length} groups: halves, not one per call`);
});

test('when the database is unavailable every call of the group rejects, without retries', async () => {
  const work = gatedRun(() => storeUnavailable(new Error('connection refused')));
  const commit = new GroupCommit(work.run, 100, 1);
  const calls = Array.from({ length: 5 }, (_, item) => commit.submit([item]));
  const settled = await drain(work, Promise.allSettled(calls));
  assert.ok(settled.every((result) => result.status === 'rejected'));
  assert.deepEqual(work.groups, [[0], [1, 2, 3, 4]], 'each group tried once');
});
