import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { FairScheduler, type ScheduledItem } from '../../daemon/dispatch/fair-scheduler.js';

// Invariants checked against random workloads: order within a client, conservation, work
// conservation, and every client's floor over any 5 s window when the reservations fit the route.

const clientIds = ['a', 'b', 'c', 'd'] as const;

type Operation =
  | { readonly kind: 'enqueue'; readonly client: number; readonly priority: number; readonly segments: number }
  | { readonly kind: 'next'; readonly budget: number; readonly advanceMs: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    kind: fc.constant('enqueue' as const),
    client: fc.integer({ min: 0, max: clientIds.length - 1 }),
    priority: fc.integer({ min: 0, max: 2 }),
    segments: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant('next' as const),
    budget: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.double({ min: 0, max: 12, noNaN: true })),
    advanceMs: fc.integer({ min: 0, max: 50 }),
  }),
);

test('order, conservation and work conservation hold for any sequence of enqueues and decisions', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(0, 20, 50, 100, 200), { minLength: clientIds.length, maxLength: clientIds.length }),
      fc.array(operation, { maxLength: 300 }),
      (reservations, operations) => {
        // The route never limits here, so the budget alone bounds each decision.
        const scheduler = new FairScheduler({ capacityTps: 1e9, burstMs: 1000 });
        reservations.forEach((reservedTps, i) => scheduler.setClient(clientIds[i] as string, { reservedTps }));
        const waiting = new Map<string, ScheduledItem[]>(clientIds.map((id) => [id, []]));
        const order = new Map<string, number>();
        let now = 0;
        let sequence = 0;
        for (const op of operations) {
          if (op.kind === 'enqueue') {
            const clientId = clientIds[op.client] as string;
            const item = { id: `m${sequence}`, clientId, segments: op.segments, priority: op.priority, enqueuedAt: now };
            order.set(item.id, sequence);
            sequence += 1;
            waiting.get(clientId)?.push(item);
            scheduler.enqueue([item]);
            continue;
          }
          now += op.advanceMs;
          const sent = scheduler.next(now, op.budget);
          let used = 0;
          for (const item of sent) {
            const queue = waiting.get(item.clientId) ?? [];
            // The client's first by (priority, arrival) is what must go.
            const first = queue.reduce((best, candidate) =>
              candidate.priority < best.priority ||
              (candidate.priority === best.priority && (order.get(candidate.id) ?? 0) < (order.get(best.id) ?? 0))
                ? candidate
                : best,
            );
            assert.equal(item.id, first.id, `client ${item.clientId} sent ${item.id} before ${first.id}`);
            queue.splice(queue.indexOf(first), 1);
            used += item.segments;
          }
          const left = [...waiting.values()].reduce((sum, queue) => sum + queue.length, 0);
          assert.equal(scheduler.waitingItems(), left);
          if (left > 0) {
            assert.ok(op.budget - used < 1, `idle with ${left} waiting and ${op.budget - used} budget left`);
            assert.equal(scheduler.nextWakeAt(now), now);
          } else {
            assert.equal(scheduler.nextWakeAt(now), null);
          }
          if (sent.length > 0) {
            assert.ok(used - op.budget < (sent.at(-1)?.segments ?? 0), 'only the last message overruns');
          }
        }
        const drained = scheduler.drain();
        const left = [...waiting.values()].flat();
        assert.deepEqual(new Set(drained.map((i) => i.id)), new Set(left.map((i) => i.id)), 'nothing lost or duplicated');
      },
    ),
    { numRuns: 200 },
  );
});

interface Workload {
  readonly capacityTps: number;
  readonly clients: readonly {
    readonly reservedTps: number;
    /** Messages per second, or 0 for a flood. */
    readonly offered: number;
    readonly segments: number;
  }[];
}

const workload: fc.Arbitrary<Workload> = fc
  .record({
    capacityTps: fc.integer({ min: 50, max: 400 }),
    clients: fc.array(
      fc.record({
        reservedTps: fc.constantFrom(0, 10, 20, 50, 100, 200),
        offered: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 150 })),
        segments: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .filter((w) => w.clients.reduce((sum, c) => sum + c.reservedTps, 0) <= w.capacityTps);

test('when reservations fit the route, every client gets min(reserved, offered) over any 5 s window, and the route never idles', () => {
  const seconds = 16;
  const sampleMs = 100;
  fc.assert(
    fc.property(workload, ({ capacityTps, clients }) => {
      const scheduler = new FairScheduler({ capacityTps });
      clients.forEach((c, i) => scheduler.setClient(`c${i}`, { reservedTps: c.reservedTps }));
      const served = clients.map(() => 0);
      const arrived = clients.map(() => 0);
      const nextArrival = clients.map(() => 0);
      // Per sample: cumulative served and arrived segments, and segments waiting, per client.
      const samples: { served: number[]; arrived: number[]; waiting: number[] }[] = [];
      let sequence = 0;
      for (let now = 0; now < seconds * 1000; now += 1) {
        clients.forEach((client, i) => {
          const clientId = `c${i}`;
          const batch: ScheduledItem[] = [];
          if (client.offered === 0) {
            while (scheduler.waitingItems(clientId) + batch.length < 50) {
              batch.push({ id: `m${(sequence += 1)}`, clientId, segments: client.segments, priority: 1, enqueuedAt: now });
            }
          } else {
            for (; (nextArrival[i] ?? 0) <= now; nextArrival[i] = (nextArrival[i] ?? 0) + 1000 / client.offered) {
              batch.push({ id: `m${(sequence += 1)}`, clientId, segments: client.segments, priority: 1, enqueuedAt: now });
            }
          }
          for (const item of batch) arrived[i] = (arrived[i] ?? 0) + item.segments;
          scheduler.enqueue(batch);
        });
        if (now % sampleMs === 0) {
          samples.push({
            served: [...served],
            arrived: [...arrived],
            waiting: clients.map((_, i) => scheduler.waitingSegments(`c${i}`)),
          });
        }
        for (const item of scheduler.next(now, Number.POSITIVE_INFINITY)) {
          const i = Number(item.clientId.slice(1));
          served[i] = (served[i] ?? 0) + item.segments;
        }
        if (scheduler.waitingItems() > 0) {
          assert.ok((scheduler.nextWakeAt(now) ?? 0) > now, `idle at ${now} ms with capacity left`);
        }
      }
      const windowSamples = 5000 / sampleMs;
      for (let start = 0; start + windowSamples < samples.length; start += 5) {
        const from = samples[start];
        const to = samples[start + windowSamples];
        if (from === undefined || to === undefined) continue;
        clients.forEach((client, i) => {
          const got = (to.served[i] ?? 0) - (from.served[i] ?? 0);
          const available = (from.waiting[i] ?? 0) + (to.arrived[i] ?? 0) - (from.arrived[i] ?? 0);
          const floor = Math.min(client.reservedTps * 5, available);
          // Slack: a message in flight at each end of the window, and the sampling step.
          const slack = 2 * client.segments + (client.reservedTps * sampleMs) / 1000 + 1;
          assert.ok(
            got >= floor - slack,
            `client ${i} (reserved ${client.reservedTps}) got ${got} < ${floor} in the 5 s from ${start * sampleMs} ms`,
          );
        });
      }
    }),
    { numRuns: 25 },
  );
});

test('when reservations exceed the route, flooding clients share it in proportion to their reservations', () => {
  const seconds = 20;
  fc.assert(
    fc.property(
      fc.integer({ min: 50, max: 300 }),
      fc.array(fc.record({ reservedTps: fc.constantFrom(0, 10, 20, 50, 100, 200), segments: fc.integer({ min: 1, max: 3 }) }), {
        minLength: 2,
        maxLength: 5,
      }),
      (capacityTps, clients) => {
        const reservedSum = clients.reduce((sum, c) => sum + c.reservedTps, 0);
        fc.pre(reservedSum > capacityTps);
        const scheduler = new FairScheduler({ capacityTps });
        clients.forEach((c, i) => scheduler.setClient(`c${i}`, { reservedTps: c.reservedTps }));
        const served = clients.map(() => 0);
        let sequence = 0;
        for (let now = 0; now < seconds * 1000; now += 1) {
          clients.forEach((client, i) => {
            const clientId = `c${i}`;
            if (scheduler.waitingItems(clientId) >= 20) return;
            scheduler.enqueue(
              Array.from({ length: 20 }, () => ({ id: `m${(sequence += 1)}`, clientId, segments: client.segments, priority: 1, enqueuedAt: now })),
            );
          });
          for (const item of scheduler.next(now, Number.POSITIVE_INFINITY)) {
            const i = Number(item.clientId.slice(1));
            served[i] = (served[i] ?? 0) + item.segments;
          }
        }
        clients.forEach((client, i) => {
          const rate = (served[i] ?? 0) / seconds;
          const expected = (capacityTps * client.reservedTps) / reservedSum;
          assert.ok(
            Math.abs(rate - expected) <= 0.03 * capacityTps + 1,
            `client ${i} (reserved ${client.reservedTps} of ${reservedSum} on ${capacityTps}/s) got ${rate}/s, expected ${expected}`,
          );
        });
      },
    ),
    { numRuns: 20 },
  );
});
