import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { FairScheduler, type ScheduledItem } from '../../daemon/dispatch/fair-scheduler.js';
import { ReservationLedger } from '../../daemon/dispatch/reservation-ledger.js';

// Deterministic simulations in virtual time (1 ms steps, no timers) of clients sharing routes.

interface SimClient {
  readonly id: string;
  readonly reservedTps: number;
  /** Messages per second arriving evenly, or 'flood' for a backlog that never runs dry. */
  readonly offered: number | 'flood';
  readonly segments?: number;
  /** Routes the client's traffic goes to (default: the first route). */
  readonly routes?: readonly string[];
}

interface SimResult {
  /** Segments per second each client got over the run, all routes. */
  readonly rate: (clientId: string) => number;
  readonly routeRate: (routeId: string, clientId: string) => number;
  /** Wait (ms) of each sent message, per client. */
  readonly waits: (clientId: string) => number[];
}

function simulate(options: {
  readonly routes: readonly { readonly id: string; readonly capacityTps: number }[];
  readonly clients: readonly SimClient[];
  readonly seconds: number;
  /** One ledger per route instead of one per node: the mistake the shared ledger prevents. */
  readonly ledgerPerRoute?: boolean;
}): SimResult {
  const nodeLedger = new ReservationLedger();
  const schedulers = new Map<string, FairScheduler>();
  for (const route of options.routes) {
    const ledger = options.ledgerPerRoute === true ? new ReservationLedger() : nodeLedger;
    const scheduler = new FairScheduler({ capacityTps: route.capacityTps, ledger });
    for (const client of options.clients) scheduler.setClient(client.id, { reservedTps: client.reservedTps });
    schedulers.set(route.id, scheduler);
  }
  const sent = new Map<string, number>();
  const waits = new Map<string, number[]>();
  const nextArrival = new Map<string, number>(options.clients.map((c) => [c.id, 0]));
  let sequence = 0;
  const make = (client: SimClient, now: number): ScheduledItem => ({
    id: `m${(sequence += 1)}`,
    clientId: client.id,
    segments: client.segments ?? 1,
    priority: 1,
    enqueuedAt: now,
  });
  const durationMs = options.seconds * 1000;
  for (let now = 0; now < durationMs; now += 1) {
    for (const client of options.clients) {
      for (const routeId of client.routes ?? [options.routes[0]?.id ?? '']) {
        const scheduler = schedulers.get(routeId) as FairScheduler;
        if (client.offered === 'flood') {
          if (scheduler.waitingItems(client.id) < 100) {
            scheduler.enqueue(Array.from({ length: 100 }, () => make(client, now)));
          }
        } else {
          const interval = 1000 / client.offered;
          const key = `${client.id}@${routeId}`;
          let due = nextArrival.get(key) ?? 0;
          while (due <= now) {
            scheduler.enqueue([make(client, now)]);
            due += interval;
          }
          nextArrival.set(key, due);
        }
      }
    }
    for (const [routeId, scheduler] of schedulers) {
      for (const item of scheduler.next(now, Number.POSITIVE_INFINITY)) {
        const key = `${routeId}/${item.clientId}`;
        sent.set(key, (sent.get(key) ?? 0) + item.segments);
        let list = waits.get(item.clientId);
        if (list === undefined) waits.set(item.clientId, (list = []));
        list.push(now - item.enqueuedAt);
      }
    }
  }
  const routeRate = (routeId: string, clientId: string): number => (sent.get(`${routeId}/${clientId}`) ?? 0) / options.seconds;
  return {
    routeRate,
    rate: (clientId) => options.routes.reduce((sum, route) => sum + routeRate(route.id, clientId), 0),
    waits: (clientId) => waits.get(clientId) ?? [],
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const oneRoute = [{ id: 'r1', capacityTps: 200 }];

test('reference: A floods, B offers its 100/s, C trickles 5/s on a 200/s route for 60 s', (t) => {
  const result = simulate({
    routes: oneRoute,
    clients: [
      { id: 'a', reservedTps: 50, offered: 'flood' },
      { id: 'b', reservedTps: 100, offered: 100 },
      { id: 'c', reservedTps: 20, offered: 5 },
    ],
    seconds: 60,
  });
  const [a, b, c] = [result.rate('a'), result.rate('b'), result.rate('c')];
  const cP99 = percentile(result.waits('c'), 99);
  const bP99 = percentile(result.waits('b'), 99);
  t.diagnostic(`A ${a.toFixed(1)}/s, B ${b.toFixed(1)}/s, C ${c.toFixed(1)}/s, total ${(a + b + c).toFixed(1)}/s`);
  t.diagnostic(`p99 wait: B ${bP99} ms, C ${cP99} ms`);
  assert.ok(b >= 95, `B got ${b}/s`);
  assert.ok(cP99 < 1000, `C p99 wait ${cP99} ms`);
  assert.ok(c >= 4.9, `C got ${c}/s`);
  assert.ok(a >= 94 && a <= 101, `A got ${a}/s`);
  assert.ok(Math.abs(a + b + c - 200) <= 2, `total ${a + b + c}/s`);
});

test('a client alone gets the whole route, beyond its reservation', (t) => {
  const result = simulate({
    routes: oneRoute,
    clients: [
      { id: 'a', reservedTps: 50, offered: 'flood' },
      { id: 'b', reservedTps: 100, offered: 0 },
      { id: 'c', reservedTps: 20, offered: 0 },
    ],
    seconds: 20,
  });
  t.diagnostic(`A alone ${result.rate('a').toFixed(1)}/s`);
  assert.ok(Math.abs(result.rate('a') - 200) <= 2, `A got ${result.rate('a')}/s`);
});

test('all flooding within capacity: reservation plus leftover in proportion to reservation', (t) => {
  const result = simulate({
    routes: oneRoute,
    clients: [
      { id: 'a', reservedTps: 50, offered: 'flood' },
      { id: 'b', reservedTps: 100, offered: 'flood' },
    ],
    seconds: 30,
  });
  const [a, b] = [result.rate('a'), result.rate('b')];
  t.diagnostic(`A ${a.toFixed(1)}/s, B ${b.toFixed(1)}/s`);
  assert.ok(Math.abs(a - (50 + 50 / 3)) <= 2, `A got ${a}/s, expected ≈66.7`);
  assert.ok(Math.abs(b - (100 + 100 / 3)) <= 2, `B got ${b}/s, expected ≈133.3`);
});

test('oversubscribed: reservations above capacity share it in proportion, best effort gets nothing', (t) => {
  const result = simulate({
    routes: [{ id: 'r1', capacityTps: 100 }],
    clients: [
      { id: 'a', reservedTps: 100, offered: 'flood' },
      { id: 'b', reservedTps: 50, offered: 'flood' },
      { id: 'z', reservedTps: 0, offered: 'flood' },
    ],
    seconds: 30,
  });
  const [a, b, z] = [result.rate('a'), result.rate('b'), result.rate('z')];
  t.diagnostic(`A ${a.toFixed(1)}/s, B ${b.toFixed(1)}/s, Z ${z.toFixed(1)}/s`);
  assert.ok(Math.abs(a - 200 / 3) <= 2, `A got ${a}/s, expected ≈66.7`);
  assert.ok(Math.abs(b - 100 / 3) <= 2, `B got ${b}/s, expected ≈33.3`);
  assert.ok(z < 1, `Z got ${z}/s`);
});

test('a client without reservation gets a share of the leftover, weighted as 1/s', (t) => {
  const result = simulate({
    routes: [{ id: 'r1', capacityTps: 100 }],
    clients: [
      { id: 'a', reservedTps: 49, offered: 'flood' },
      { id: 'z', reservedTps: 0, offered: 'flood' },
    ],
    seconds: 30,
  });
  const [a, z] = [result.rate('a'), result.rate('z')];
  t.diagnostic(`A ${a.toFixed(1)}/s, Z ${z.toFixed(1)}/s`);
  // Leftover 51/s split 49:1.
  assert.ok(Math.abs(z - 51 / 50) <= 0.3, `Z got ${z}/s, expected ≈1.02`);
  assert.ok(Math.abs(a + z - 100) <= 1, `total ${a + z}/s`);
});

test('multi-segment messages are charged per segment', (t) => {
  const result = simulate({
    routes: [{ id: 'r1', capacityTps: 100 }],
    clients: [
      { id: 'long', reservedTps: 50, offered: 'flood', segments: 3 },
      { id: 'short', reservedTps: 50, offered: 'flood' },
    ],
    seconds: 30,
  });
  const [long, short] = [result.rate('long'), result.rate('short')];
  t.diagnostic(`3-part client ${long.toFixed(1)} segments/s, 1-part client ${short.toFixed(1)} segments/s`);
  assert.ok(Math.abs(long - 50) <= 2, `3-part client got ${long} segments/s`);
  assert.ok(Math.abs(short - 50) <= 2, `1-part client got ${short} segments/s`);
});

const twoRoutes = {
  routes: [
    { id: 'r1', capacityTps: 100 },
    { id: 'r2', capacityTps: 100 },
  ],
  clients: [
    { id: 'a', reservedTps: 100, offered: 'flood', routes: ['r1', 'r2'] },
    { id: 'b', reservedTps: 50, offered: 'flood', routes: ['r1'] },
    { id: 'c', reservedTps: 50, offered: 'flood', routes: ['r2'] },
  ],
  seconds: 30,
} as const;

test('two routes, one ledger: a reservation counts once per node, so every floor holds', (t) => {
  const result = simulate(twoRoutes);
  const [a, b, c] = [result.rate('a'), result.routeRate('r1', 'b'), result.routeRate('r2', 'c')];
  t.diagnostic(`A ${a.toFixed(1)}/s over both routes, B ${b.toFixed(1)}/s on r1, C ${c.toFixed(1)}/s on r2`);
  assert.ok(a >= 98, `A got ${a}/s`);
  assert.ok(b >= 48, `B got ${b}/s`);
  assert.ok(c >= 48, `C got ${c}/s`);
});

test('two routes, a ledger per route: A is reserved twice and B falls below its floor', (t) => {
  const result = simulate({ ...twoRoutes, ledgerPerRoute: true });
  t.diagnostic(`with a ledger per route: B ${result.routeRate('r1', 'b').toFixed(1)}/s on r1`);
  assert.ok(result.routeRate('r1', 'b') < 45, `B got ${result.routeRate('r1', 'b')}/s`);
});
