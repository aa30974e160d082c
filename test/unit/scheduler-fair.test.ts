import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { FairScheduler, type ScheduledItem } from '../../daemon/dispatch/fair-scheduler.js';
import { ReservationLedger } from '../../daemon/dispatch/reservation-ledger.js';

const item = (id: string, clientId = 'a', priority = 1, segments = 1): ScheduledItem => ({
  id,
  clientId,
  segments,
  priority,
  enqueuedAt: 0,
});

/** A scheduler whose route capacity never limits (budgets decide). */
const unlimited = (): FairScheduler => new FairScheduler({ capacityTps: 1e9, burstMs: 1000 });
const ids = (items: readonly ScheduledItem[]): string[] => items.map((i) => i.id);

const orderCases: readonly { name: string; given: ScheduledItem[]; sent: string[] }[] = [
  { name: 'one priority keeps arrival order', given: [item('1'), item('2'), item('3')], sent: ['1', '2', '3'] },
  {
    name: 'priority 0 (one-time codes) goes before 1, each in arrival order',
    given: [item('n1'), item('n2'), item('otp1', 'a', 0), item('n3'), item('otp2', 'a', 0)],
    sent: ['otp1', 'otp2', 'n1', 'n2', 'n3'],
  },
  {
    name: 'any priority numbers, smaller first',
    given: [item('p5', 'a', 5), item('p2', 'a', 2), item('p9', 'a', 9), item('p2b', 'a', 2)],
    sent: ['p2', 'p2b', 'p5', 'p9'],
  },
];

for (const { name, given, sent } of orderCases) {
  test(`within a client: ${name}`, () => {
    const scheduler = unlimited();
    scheduler.enqueue(given);
    assert.deepEqual(ids(scheduler.next(0, 100)), sent);
  });
}

const budgetCases: readonly { name: string; segments: number[]; budget: number; sent: number }[] = [
  { name: 'a budget of 0 sends nothing', segments: [1, 1], budget: 0, sent: 0 },
  { name: 'less than one segment sends nothing', segments: [1, 1], budget: 0.5, sent: 0 },
  { name: 'one segment per unit of budget', segments: [1, 1, 1], budget: 2, sent: 2 },
  { name: 'a message goes whole, overrunning by at most its segments - 1', segments: [3, 1], budget: 1, sent: 1 },
  { name: 'messages start while budget remains', segments: [2, 2, 2], budget: 3, sent: 2 },
  { name: 'an exact fit stops there', segments: [2, 2, 2], budget: 4, sent: 2 },
];

for (const { name, segments, budget, sent } of budgetCases) {
  test(`budget: ${name}`, () => {
    const scheduler = unlimited();
    scheduler.enqueue(segments.map((s, i) => item(`m${i}`, 'a', 1, s)));
    assert.equal(scheduler.next(0, budget).length, sent);
    assert.equal(scheduler.waitingItems(), segments.length - sent);
  });
}

test('the route capacity limits what goes, and nextWakeAt says when more can', () => {
  // 10 segments/s with 100 ms of burst: one segment banked, then one every 100 ms.
  const scheduler = new FairScheduler({ capacityTps: 10, burstMs: 100 });
  assert.equal(scheduler.nextWakeAt(0), null, 'nothing waits');
  scheduler.enqueue([item('1'), item('2'), item('3', 'a', 1, 2), item('4')]);
  assert.equal(scheduler.nextWakeAt(0), 0);
  assert.deepEqual(ids(scheduler.next(0, 100)), ['1']);
  assert.equal(scheduler.nextWakeAt(0), 100);
  assert.deepEqual(ids(scheduler.next(50, 100)), [], 'half a segment of capacity is not enough');
  assert.deepEqual(ids(scheduler.next(100, 100)), ['2']);
  assert.deepEqual(ids(scheduler.next(200, 100)), ['3'], 'two segments go together on one');
  assert.equal(scheduler.nextWakeAt(200), 400, 'the overrun is repaid before the next one');
  assert.deepEqual(ids(scheduler.next(400, 100)), ['4']);
  assert.equal(scheduler.nextWakeAt(400), null);
});

test('capacity follows the binds: 0 stops the route, raising it resumes at the new rate', () => {
  const scheduler = new FairScheduler({ capacityTps: 10, burstMs: 100 });
  scheduler.enqueue([item('1'), item('2'), item('3')]);
  assert.equal(scheduler.next(0, 100).length, 1);
  scheduler.setCapacity(0, 500);
  assert.equal(scheduler.next(500, 100).length, 0, 'what was banked goes with the binds');
  assert.equal(scheduler.nextWakeAt(1000), null);
  assert.equal(scheduler.next(1000, 100).length, 0);
  scheduler.setCapacity(100, 1000);
  assert.equal(scheduler.nextWakeAt(1000), 1010);
  assert.equal(scheduler.next(1010, 100).length, 1);
});

test('waiting counts per client and in total, in messages and segments', () => {
  const scheduler = unlimited();
  scheduler.enqueue([item('1', 'a', 1, 3), item('2', 'b', 1, 1), item('3', 'a', 0, 2)]);
  assert.equal(scheduler.waitingItems(), 3);
  assert.equal(scheduler.waitingSegments(), 6);
  assert.equal(scheduler.waitingItems('a'), 2);
  assert.equal(scheduler.waitingSegments('a'), 5);
  assert.equal(scheduler.waitingSegments('nobody'), 0);
  scheduler.next(0, 100);
  assert.equal(scheduler.waitingSegments(), 0);
});

test('drain returns everything waiting, each client in sending order, and empties the scheduler', () => {
  const scheduler = unlimited();
  scheduler.enqueue([item('a1', 'a'), item('b1', 'b'), item('a0', 'a', 0), item('b2', 'b')]);
  const drained = ids(scheduler.drain());
  assert.deepEqual(drained.filter((id) => id.startsWith('a')), ['a0', 'a1']);
  assert.deepEqual(drained.filter((id) => id.startsWith('b')), ['b1', 'b2']);
  assert.equal(scheduler.waitingItems(), 0);
  assert.equal(scheduler.nextWakeAt(0), null);
  assert.deepEqual(scheduler.next(0, 10), []);
  scheduler.enqueue([item('x')]);
  assert.deepEqual(ids(scheduler.next(0, 10)), ['x'], 'usable again after a drain');
});

test('a client within its reservation goes before a best-effort flood', () => {
  const scheduler = unlimited();
  scheduler.setClient('bank', { reservedTps: 20 });
  scheduler.enqueue(Array.from({ length: 50 }, (_, i) => item(`flood${i}`, 'media')));
  scheduler.enqueue([item('otp', 'bank', 0)]);
  assert.deepEqual(ids(scheduler.next(0, 1)), ['otp']);
});

test('one-time codes go first within their client, but not ahead of another client\'s reservation', () => {
  const scheduler = unlimited();
  scheduler.setClient('a', { reservedTps: 100 });
  scheduler.setClient('b', { reservedTps: 100 });
  scheduler.enqueue([item('a1', 'a'), item('a2', 'a'), item('b-otp', 'b', 0), item('a-otp', 'a', 0)]);
  const sent = ids(scheduler.next(0, 4));
  assert.deepEqual(sent.filter((id) => id.startsWith('a')), ['a-otp', 'a1', 'a2']);
  assert.ok(sent.indexOf('b-otp') <= 1, `b's one-time code is among the first two: ${sent.join(',')}`);
});

test('an idle client banks no share: coming back, it alternates instead of taking a long run', () => {
  const scheduler = unlimited();
  scheduler.enqueue(Array.from({ length: 1000 }, (_, i) => item(`x${i}`, 'x')));
  assert.equal(scheduler.next(0, 900).length, 900);
  scheduler.enqueue(Array.from({ length: 1000 }, (_, i) => item(`y${i}`, 'y')));
  const sent = ids(scheduler.next(1, 20));
  assert.equal(sent.filter((id) => id.startsWith('y')).length, 10, sent.join(','));
});

test('a client served by its reservation banks no share either', () => {
  // B (100/s) is served only by its reservation for 10 s while A floods; then B floods too.
  const scheduler = new FairScheduler({ capacityTps: 200 });
  scheduler.setClient('a', { reservedTps: 50 });
  scheduler.setClient('b', { reservedTps: 100 });
  const sent = { a: 0, b: 0 };
  let sequence = 0;
  for (let now = 0; now < 15_000; now += 1) {
    if (scheduler.waitingItems('a') < 10) scheduler.enqueue(Array.from({ length: 10 }, () => item(`a${(sequence += 1)}`, 'a')));
    if (now < 10_000 ? now % 10 === 0 : scheduler.waitingItems('b') < 10) {
      scheduler.enqueue(Array.from({ length: now < 10_000 ? 1 : 10 }, () => item(`b${(sequence += 1)}`, 'b')));
    }
    for (const { clientId } of scheduler.next(now, Number.POSITIVE_INFINITY)) {
      if (now >= 10_000) sent[clientId as 'a' | 'b'] += 1;
    }
  }
  // Over the 5 s of B's flood A gets about 300 (66.7/s, less its part of B's banked reservation).
  // Had B kept the share tag of its first 10 s, it would win the share phase for ~18 s, leaving A
  // only its 50/s floor (250).
  assert.ok(sent.a >= 285 && sent.a <= 345, `A got ${sent.a} in 5 s`);
  assert.ok(sent.b >= 640, `B got ${sent.b} in 5 s`);
});

test('ledger: unused reservation is banked up to burstMs, and a whole message may overdraw it', () => {
  const ledger = new ReservationLedger({ burstMs: 500 });
  ledger.setReservation('a', 100);
  const account = ledger.account('a');
  assert.equal(account.available(10_000), 50, 'half a second of 100/s');
  account.charge(60, 10_000, 0);
  assert.equal(account.available(10_000), -10);
  assert.equal(account.available(10_100), 0);
  assert.equal(account.available(10_200), 10);
  assert.equal(ledger.account('unknown').available(10_000), 0, 'unknown clients are best effort');
  assert.equal(ledger.account('unknown').reservedTps, 0);
});

test('ledger: schedulers sharing it take from one reservation', () => {
  const ledger = new ReservationLedger({ burstMs: 1000 });
  const r1 = new FairScheduler({ capacityTps: 1e6, ledger });
  const r2 = new FairScheduler({ capacityTps: 1e6, ledger });
  r1.setClient('a', { reservedTps: 10 });
  r1.enqueue([item('1', 'a', 1, 6)]);
  r2.enqueue([item('2', 'a', 1, 6)]);
  r1.next(5000, 10);
  assert.equal(ledger.account('a').available(5000), 4, 'r1 took 6 of the 10 banked');
  r2.next(5000, 10);
  assert.equal(ledger.account('a').available(5000), -2, 'r2 took 6 more: the same reservation');
});

const invalidCases: readonly { name: string; act: () => unknown }[] = [
  { name: 'negative capacity', act: () => new FairScheduler({ capacityTps: -1 }) },
  { name: 'infinite capacity', act: () => new FairScheduler({ capacityTps: Number.POSITIVE_INFINITY }) },
  { name: 'zero burst', act: () => new FairScheduler({ capacityTps: 1, burstMs: 0 }) },
  { name: 'zero minimum weight', act: () => new FairScheduler({ capacityTps: 1, minWeight: 0 }) },
  { name: 'negative reservation', act: () => unlimited().setClient('a', { reservedTps: -5 }) },
  { name: 'NaN reservation', act: () => unlimited().setClient('a', { reservedTps: Number.NaN }) },
  { name: 'a message of 0 segments', act: () => unlimited().enqueue([item('1', 'a', 1, 0)]) },
  { name: 'a fractional segment count', act: () => unlimited().enqueue([item('1', 'a', 1, 1.5)]) },
  { name: 'a ledger without burst', act: () => new ReservationLedger({ burstMs: -1 }) },
];

for (const { name, act } of invalidCases) {
  test(`rejected as a programming error: ${name}`, () => {
    assert.throws(act, RangeError);
  });
}
