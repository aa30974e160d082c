import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CommandStatus } from '../../daemon/smpp/command-status.js';
import { createThrottle, nextTokenAt, onThrottled, throttleConfigFor, tryTakeToken } from '../../daemon/smpp/throttle.js';
import { SessionHarness } from './smpp-session-harness.js';

/** Takes every token as soon as it is due, for `ms`; returns the times they were taken. */
function drain(state: ReturnType<typeof createThrottle>, from: number, ms: number): number[] {
  const taken: number[] = [];
  let now = from;
  while (now < from + ms) {
    if (tryTakeToken(state, now)) taken.push(now);
    else now = Math.max(now + 1, nextTokenAt(state, now));
  }
  return taken;
}

test('token bucket: the configured TPS, plus at most the burst', () => {
  for (const tps of [1, 10, 100, 1000]) {
    const state = createThrottle(throttleConfigFor(tps), 0);
    const taken = drain(state, 0, 10_000);
    const burst = Math.max(1, tps * 0.1);
    assert.ok(taken.length >= tps * 10 - 1 && taken.length <= tps * 10 + burst + 1, `tps ${tps}: ${taken.length} in 10 s`);
  }
});

test('AIMD: a throttling response halves the rate and pauses; recovery is linear; the floor holds', () => {
  const config = throttleConfigFor(100, { pauseMs: 1000, recoveryTpsPerSecond: 10, floorTps: 20 });
  const state = createThrottle(config, 0);
  assert.equal(onThrottled(state, 0), true);
  assert.equal(state.rateTps, 50);
  assert.equal(tryTakeToken(state, 999), false, 'paused');
  assert.equal(nextTokenAt(state, 500), 1000);
  assert.equal(onThrottled(state, 500), false, 'the same burst halves once');
  assert.equal(state.rateTps, 50);
  drain(state, 1000, 2000);
  assert.ok(Math.abs(state.rateTps - 70) < 0.5, `+10/s for 2 s after the pause: ${state.rateTps}`);
  onThrottled(state, 3000);
  onThrottled(state, 4000);
  onThrottled(state, 5000);
  assert.equal(state.rateTps, 20, 'never below the floor');
  drain(state, 6000, 20_000);
  assert.equal(state.rateTps, 100, 'never above the maximum');
});

test('throttle config: floor within (0, max], positive max', () => {
  assert.throws(() => throttleConfigFor(0), RangeError);
  assert.throws(() => throttleConfigFor(10, { floorTps: 20 }), RangeError);
  assert.equal(throttleConfigFor(5).floorTps, 1);
  assert.equal(throttleConfigFor(1000).floorTps, 100);
});

/** Runs a bound session against an SMSC that answers each submit at once with `statusOf(i)`; ticks at every wake-up. */
function runAgainst(statusOf: (submitIndex: number, now: number) => number, messages: number, tps: number): { h: SessionHarness; retried: string[]; accepted: string[] } {
  const h = new SessionHarness({ windowSize: 10, tps, throttle: { pauseMs: 1000 } });
  h.bind();
  const start = h.now;
  const pending = Array.from({ length: messages }, (_, i) => `m${i}`);
  const accepted: string[] = [];
  const retried: string[] = [];
  let answered = 0;
  for (let guard = 0; guard < 1_000_000 && accepted.length < messages; guard++) {
    while (pending.length > 0) h.submit(pending.shift()!);
    const inFlight = [...h.state.outstanding.entries()];
    for (const [seq, request] of inFlight) {
      h.respond(seq, statusOf(answered++, h.now - start));
      const outcome = h.outcomes.get(request.tag);
      if (outcome?.kind === 'accepted') accepted.push(request.tag);
      if (outcome?.kind === 'retry') {
        retried.push(request.tag);
        pending.push(request.tag);
      }
      h.outcomes.delete(request.tag);
    }
    if (h.state.outstanding.size === 0 && h.wakeAt !== null && pending.length === 0) h.tickAt(Math.max(h.now, h.wakeAt));
  }
  return { h, retried, accepted };
}

test('in the session: ESME_RTHROTTLED makes the request a retry, slows the bind, and nothing is lost', () => {
  // The SMSC throttles every 50th submit during the first 3 seconds.
  const { h, retried, accepted } = runAgainst((i, t) => (t < 3000 && i % 50 === 49 ? CommandStatus.ESME_RTHROTTLED : 0), 600, 100);
  assert.equal(new Set(accepted).size, 600, 'every message accepted exactly once');
  assert.ok(retried.length > 0);
  const throttled = h.ofType('throttled');
  assert.ok(throttled.length >= 1);
  assert.equal(throttled[0]?.rateTps, 50);
  // At 100/s unthrottled 600 messages take about 6 s; halving and pausing make it slower.
  assert.ok(h.now - 1_000_000 > 6500, `took ${h.now - 1_000_000} ms`);
});

test('in the session: ESME_RMSGQFUL pauses sending for pauseMs', () => {
  const h = new SessionHarness({ windowSize: 1, tps: 100, throttle: { pauseMs: 1000 } });
  h.bind();
  h.submit('a');
  h.submit('b');
  h.respond(h.submitSequences()[0]!, CommandStatus.ESME_RMSGQFUL);
  assert.deepEqual(h.outcomes.get('a'), { kind: 'retry', commandStatus: CommandStatus.ESME_RMSGQFUL });
  assert.equal(h.submitSequences().length, 1, 'b waits for the pause');
  assert.equal(h.wakeAt, h.now + 1000);
  h.advance(999);
  assert.equal(h.submitSequences().length, 1);
  h.advance(1);
  assert.equal(h.submitSequences().length, 2);
});

test('submits per second of one bind follow its TPS', () => {
  const h = new SessionHarness({ windowSize: 100, tps: 50 });
  h.bind();
  for (let i = 0; i < 500; i++) h.submit(`m${i}`);
  const start = h.now;
  while (h.now - start < 4000 && h.wakeAt !== null) {
    for (const seq of [...h.state.outstanding.keys()]) h.respond(seq);
    h.tickAt(h.wakeAt);
  }
  const sent = h.submitSequences().length;
  assert.ok(sent >= 200 && sent <= 206, `${sent} sent in 4 s at 50/s`);
});
