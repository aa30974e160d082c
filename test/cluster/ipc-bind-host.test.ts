import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { IpcBindHost, type WorkerChannel } from '../../daemon/cluster/ipc-bind-host.js';
import { WorkerBinds, type BindRunner } from '../../daemon/cluster/worker-binds.js';
import type { BindAnswer, PrimaryToWorker } from '../../daemon/cluster/worker-messages.js';
import type { RouteId } from '../../daemon/domain/ids.js';
import type { RouteRecord } from '../../daemon/domain/provisioning.js';
import { createLogger } from '../../daemon/log.js';

/**
 * The primary's IPC bind host and a worker's side of it, each against fakes: worker channels that
 * record what they are sent, a runner that records what it is asked, a clock set by the test.
 */
const logger = createLogger('silent');

const route = { id: 'r1' as RouteId, binds: 3 } as RouteRecord;

interface FakeWorker extends WorkerChannel {
  readonly sent: PrimaryToWorker[];
  killed: boolean;
  /** The bind requests (start, stop, fence) sent to it. */
  requests(): Extract<PrimaryToWorker, { requestId: number; index: number }>[];
}

function fakeWorker(id: number): FakeWorker {
  const sent: PrimaryToWorker[] = [];
  return {
    id,
    sent,
    killed: false,
    send(message) {
      sent.push(message);
      return true;
    },
    kill() {
      this.killed = true;
    },
    requests: () => sent.filter((m): m is Extract<PrimaryToWorker, { requestId: number; index: number }> => 'index' in m),
  };
}

const answer = (requestId: number, error?: string): BindAnswer => ({ type: 'bind.answer', requestId, ...(error === undefined ? {} : { error }) });

/** Whether a promise has settled by now (after pending microtasks). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test('IPC bind host: each bind to the worker with the fewest, started once the worker answers', async () => {
  const host = new IpcBindHost({ logger });
  const w1 = fakeWorker(1);
  const w2 = fakeWorker(2);
  host.workerJoined(w1);
  host.workerJoined(w2);
  const first = host.startBind(route, 0, 5000);
  const second = host.startBind(route, 1, 5000);
  const third = host.startBind(route, 2, 5000);
  assert.deepEqual([...host.placement()], [['route/r1/bind/0', 1], ['route/r1/bind/1', 2], ['route/r1/bind/2', 1]]);
  const start = w1.requests()[0]!;
  assert.deepEqual(start, { type: 'bind.start', requestId: start.requestId, route, index: 0, validUntilMs: 5000 });
  assert.equal(await settled(first), false, 'not started before the worker answered');
  host.received(1, answer(start.requestId));
  assert.equal(await settled(first), true);
  host.received(2, answer(w2.requests()[0]!.requestId));
  host.received(1, answer(w1.requests()[1]!.requestId));
  await Promise.all([second, third]);
  assert.equal(await settled(host.startBind(route, 0, 5000)), true, 'a second start of a running bind is the first');
  assert.equal(w1.requests().length, 2);
});

test('IPC bind host: renewals reach every worker; a dead worker\'s binds go to the others at once with the last deadline', async () => {
  const host = new IpcBindHost({ logger });
  const w1 = fakeWorker(1);
  const w2 = fakeWorker(2);
  host.workerJoined(w1);
  host.workerJoined(w2);
  const started = host.startBind(route, 0, 5000);
  host.received(1, answer(w1.requests()[0]!.requestId));
  await started;
  host.renewed(9000);
  assert.deepEqual(w1.sent.at(-1), { type: 'lease.renewed', validUntilMs: 9000 });
  assert.deepEqual(w2.sent.at(-1), { type: 'lease.renewed', validUntilMs: 9000 });

  host.workerLeft(1);
  const moved = w2.requests()[0]!;
  assert.equal(moved.type, 'bind.start');
  assert.equal(moved.type === 'bind.start' ? moved.validUntilMs : null, 9000, 'the new worker holds the renewed deadline');
  assert.equal(host.placement().get('route/r1/bind/0'), 2);
  host.received(2, answer(moved.requestId));

  // The local coordinator's deadline never comes: null on the wire.
  const never = host.startBind(route, 1, Number.POSITIVE_INFINITY);
  const start = w2.requests().at(-1)!;
  assert.equal(start.type === 'bind.start' ? start.validUntilMs : undefined, null);
  host.received(2, answer(start.requestId));
  await never;
});

test('IPC bind host: a stop resolves when the holder answers, a fence when it dies; a silent worker is killed', async () => {
  const host = new IpcBindHost({ logger, options: { answerTimeoutMs: 30 } });
  const w1 = fakeWorker(1);
  host.workerJoined(w1);
  for (const index of [0, 1, 2]) {
    const started = host.startBind(route, index, 5000);
    host.received(1, answer(w1.requests().at(-1)!.requestId));
    await started;
  }
  const stopping = host.routeBinds(route).stopBind(0);
  const stop = w1.requests().at(-1)!;
  assert.deepEqual(stop, { type: 'bind.stop', requestId: stop.requestId, routeId: 'r1', index: 0 });
  assert.equal(await settled(stopping), false, 'a stop waits for the worker: the window finishes, the bind unbinds');
  host.received(2, answer(stop.requestId));
  assert.equal(await settled(stopping), false, 'an answer from another worker does not count');
  host.received(1, answer(stop.requestId));
  assert.equal(await settled(stopping), true);
  assert.equal(host.placement().has('route/r1/bind/0'), false);

  const fencing = host.routeBinds(route).fenceBind(1);
  assert.equal(w1.requests().at(-1)!.type, 'bind.fence');
  const silent = host.routeBinds(route).stopBind(2);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(w1.killed, true, 'a worker that does not answer in time is killed');
  host.workerLeft(1);
  assert.equal(await settled(fencing), true);
  assert.equal(await settled(silent), true);
  assert.equal(host.placement().size, 0);
});

test('IPC bind host: without a worker a bind waits for one (its start resolves at once); a failed first start rejects; after close nothing is placed', async () => {
  const host = new IpcBindHost({ logger, options: { retryDelayMs: 10 } });
  const waiting = host.startBind(route, 0, 5000);
  assert.equal(await settled(waiting), true, 'the planning round does not wait for a worker');
  assert.equal(host.placement().get('route/r1/bind/0'), null);
  const w1 = fakeWorker(1);
  host.workerJoined(w1);
  assert.equal(host.placement().get('route/r1/bind/0'), 1);
  // The node owns it: a failed start on the worker that joined is tried again.
  host.received(1, answer(w1.requests()[0]!.requestId, 'store unavailable'));
  assert.equal(host.placement().get('route/r1/bind/0'), null);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(w1.requests().length, 2);
  host.received(1, answer(w1.requests()[1]!.requestId));
  assert.equal(host.placement().get('route/r1/bind/0'), 1);

  const refused = host.startBind(route, 1, 5000);
  host.received(1, answer(w1.requests()[2]!.requestId, 'store unavailable'));
  await assert.rejects(refused, /store unavailable/);
  assert.equal(host.placement().has('route/r1/bind/1'), false);

  host.close();
  const w2 = fakeWorker(2);
  host.workerJoined(w2);
  void host.startBind(route, 2, 5000);
  assert.equal(w2.requests().length, 0);
});

function fakeRunner(): BindRunner & { readonly calls: string[]; failNext: boolean } {
  const calls: string[] = [];
  return {
    calls,
    failNext: false,
    async runBind(r, index) {
      calls.push(`run ${r.id}/${index}`);
      if (this.failNext) throw new Error('epoch not raised');
    },
    async stopBind(routeId, index) {
      calls.push(`stop ${routeId}/${index}`);
    },
    async fenceBind(routeId, index) {
      calls.push(`fence ${routeId}/${index}`);
    },
  };
}

test('worker binds: answers each request; fences a bind by itself once the last deadline it heard of passes', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 1000;
  const runner = fakeRunner();
  const answers: BindAnswer[] = [];
  const binds = new WorkerBinds({ runner, answer: (m) => answers.push(m), logger, clock: () => now });
  const flush = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

  binds.handle({ type: 'bind.start', requestId: 1, route, index: 0, validUntilMs: 3000 });
  binds.handle({ type: 'bind.start', requestId: 2, route, index: 1, validUntilMs: null });
  await flush();
  assert.deepEqual(answers, [answer(1), answer(2)]);
  assert.deepEqual(runner.calls, ['run r1/0', 'run r1/1']);

  // A renewal before the deadline moves it on.
  now = 2500;
  binds.handle({ type: 'lease.renewed', validUntilMs: 4000 });
  now = 3000;
  t.mock.timers.tick(1500);
  await flush();
  assert.deepEqual(runner.calls, ['run r1/0', 'run r1/1'], 'renewed: still running at the first deadline');
  // No renewal reached the worker since (IPC lag, or the primary stopped renewing): it fences itself.
  now = 4000;
  t.mock.timers.tick(1000);
  await flush();
  assert.deepEqual(runner.calls, ['run r1/0', 'run r1/1', 'fence r1/0']);
  assert.deepEqual(binds.binds, ['route/r1/bind/1'], 'a bind without a deadline (local coordinator) runs on');

  binds.handle({ type: 'bind.stop', requestId: 3, routeId: 'r1', index: 1 });
  await flush();
  assert.deepEqual(answers.at(-1), answer(3));
  assert.deepEqual(binds.binds, []);

  // A deadline already past: not started. A start that fails is answered with why.
  binds.handle({ type: 'bind.start', requestId: 4, route, index: 2, validUntilMs: 3999 });
  runner.failNext = true;
  binds.handle({ type: 'bind.start', requestId: 5, route, index: 0, validUntilMs: 9000 });
  await flush();
  assert.match(answers.find((a) => a.requestId === 4)?.error ?? '', /deadline passed/);
  assert.equal(answers.find((a) => a.requestId === 5)?.error, 'epoch not raised');
  assert.deepEqual(binds.binds, []);
  assert.equal(runner.calls.includes('run r1/2'), false);
});
