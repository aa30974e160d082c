import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { FairScheduler, type ScheduledItem } from '../../daemon/dispatch/fair-scheduler.js';
import { ReservationExchange } from '../../daemon/dispatch/reservation-exchange.js';
import { ReservationLedger } from '../../daemon/dispatch/reservation-ledger.js';

// Reservations across nodes, simulated in virtual time (1 ms steps) with the real scheduler and
// ledger: every bind of a route is a FairScheduler on the node that owns it, and every bind holds a
// backlog of every client flooding its route (what the store's fair claim gives each bind). The
// reference is one ledger for every bind (one node holding them all); against it, a ledger per node
// (each node grants each client its whole reservation) and per-node ledgers that exchange their
// reserved sends every `exchangeMs` (what the Redis counts do in the daemon).

type LedgerMode = 'one' | 'per-node' | 'exchanged';

interface Bind {
  readonly route: string;
  readonly node: string;
  readonly tps: number;
}

interface Tenant {
  readonly id: string;
  readonly reservedTps: number;
  readonly routes: readonly string[];
}

interface ClusterSim {
  readonly binds: readonly Bind[];
  readonly clients: readonly Tenant[];
  readonly seconds: number;
}

/** Segments per second each client got, over the run after its first second, all binds. */
function simulate(sim: ClusterSim, mode: LedgerMode, exchangeMs = 100): Map<string, number> {
  const nodes = [...new Set(sim.binds.map((bind) => bind.node))];
  const shared = new ReservationLedger();
  const ledgers = new Map(nodes.map((node) => [node, mode === 'one' ? shared : new ReservationLedger()]));
  const exchanges = mode === 'exchanged' ? nodes.map((node) => new ReservationExchange(ledgers.get(node) as ReservationLedger)) : [];
  const clusterCounts = new Map<string, number>();
  const schedulers = sim.binds.map((bind) => {
    const scheduler = new FairScheduler({ capacityTps: bind.tps, ledger: ledgers.get(bind.node) as ReservationLedger });
    for (const client of sim.clients) scheduler.setClient(client.id, { reservedTps: client.reservedTps });
    return { bind, scheduler };
  });
  const sent = new Map<string, number>();
  let sequence = 0;
  const warmUpMs = 1000;
  for (let now = 0; now < sim.seconds * 1000; now += 1) {
    // Nodes exchange at evenly spread moments, as independent timers would.
    exchanges.forEach((exchange, index) => {
      if ((now + Math.floor((index * exchangeMs) / exchanges.length)) % exchangeMs !== 0) return;
      const reports = exchange.reports();
      const totals = reports.map((report) => {
        const total = (clusterCounts.get(report.clientId) ?? 0) + report.sent;
        clusterCounts.set(report.clientId, total);
        return total;
      });
      exchange.apply(reports, totals, now);
    });
    for (const { bind, scheduler } of schedulers) {
      for (const client of sim.clients) {
        if (!client.routes.includes(bind.route) || scheduler.waitingItems(client.id) >= 50) continue;
        scheduler.enqueue(Array.from({ length: 50 }, (): ScheduledItem => ({ id: `m${(sequence += 1)}`, clientId: client.id, segments: 1, priority: 1, enqueuedAt: now })));
      }
      for (const item of scheduler.next(now, Number.POSITIVE_INFINITY)) {
        if (now >= warmUpMs) sent.set(item.clientId, (sent.get(item.clientId) ?? 0) + item.segments);
      }
    }
  }
  const seconds = sim.seconds - warmUpMs / 1000;
  return new Map(sim.clients.map((client) => [client.id, (sent.get(client.id) ?? 0) / seconds]));
}

function describe(rates: Map<string, number>): string {
  return [...rates].map(([id, rate]) => `${id} ${rate.toFixed(1)}/s`).join(', ');
}

function assertNear(rates: Map<string, number>, expected: Record<string, number>, tolerance: number, what: string): void {
  for (const [id, want] of Object.entries(expected)) {
    const got = rates.get(id) ?? 0;
    assert.ok(Math.abs(got - want) <= tolerance, `${what}: ${id} got ${got.toFixed(1)}/s, expected ${want.toFixed(1)} ± ${tolerance} (${describe(rates)})`);
  }
}

const fourNodes = ['n1', 'n2', 'n3', 'n4'];
const spreadRoute = (route: string, tps: number, nodes: readonly string[] = fourNodes): Bind[] => nodes.map((node) => ({ route, node, tps }));

test('one route over four nodes, reservations summing to its capacity: each client gets its reservation, whatever the ledgers', (t) => {
  const sim: ClusterSim = {
    binds: spreadRoute('r', 50),
    clients: [{ id: 'a', reservedTps: 150, routes: ['r'] }, { id: 'b', reservedTps: 50, routes: ['r'] }],
    seconds: 20,
  };
  for (const mode of ['one', 'per-node', 'exchanged'] as const) {
    const rates = simulate(sim, mode);
    t.diagnostic(`${mode}: ${describe(rates)}`);
    assertNear(rates, { a: 150, b: 50 }, 2, mode);
  }
});

test('one route over four nodes, a small reservation next to a large one: the leftover splits by reservation on every node alike', (t) => {
  // Capacity 200, reservations 150 and 20: one scheduler gives 150 + 30 × 150/170 and 20 + 30 × 20/170.
  // Four nodes each 50 wide grant both whole reservations (170 > 50), so every node is oversubscribed
  // and splits 150 : 20: the same numbers, because leftover weights are the reservations.
  const sim: ClusterSim = {
    binds: spreadRoute('r', 50),
    clients: [{ id: 'a', reservedTps: 150, routes: ['r'] }, { id: 'b', reservedTps: 20, routes: ['r'] }],
    seconds: 20,
  };
  const expected = { a: (200 * 150) / 170, b: (200 * 20) / 170 };
  for (const mode of ['one', 'per-node', 'exchanged'] as const) {
    const rates = simulate(sim, mode);
    t.diagnostic(`${mode}: ${describe(rates)}`);
    assertNear(rates, expected, 2, mode);
  }
});

test('one route, binds unevenly held (2, 1, 1 on three nodes) and a best-effort client: per-node ledgers still match one ledger', (t) => {
  const sim: ClusterSim = {
    binds: [{ route: 'r', node: 'n1', tps: 50 }, { route: 'r', node: 'n1', tps: 50 }, { route: 'r', node: 'n2', tps: 50 }, { route: 'r', node: 'n3', tps: 50 }],
    clients: [{ id: 'a', reservedTps: 100, routes: ['r'] }, { id: 'b', reservedTps: 50, routes: ['r'] }, { id: 'z', reservedTps: 0, routes: ['r'] }],
    seconds: 20,
  };
  const reference = simulate(sim, 'one');
  t.diagnostic(`one ledger: ${describe(reference)}`);
  // Leftover 50 split 100 : 50 : 1 (best effort weighs as 1/s).
  assertNear(reference, { a: 100 + (50 * 100) / 151, b: 50 + (50 * 50) / 151 }, 2, 'one');
  for (const mode of ['per-node', 'exchanged'] as const) {
    const rates = simulate(sim, mode);
    t.diagnostic(`${mode}: ${describe(rates)}`);
    assertNear(rates, { a: reference.get('a') ?? 0, b: reference.get('b') ?? 0, z: reference.get('z') ?? 0 }, 2, mode);
  }
});

// A client on two routes whose binds live on different nodes: route x on n1 and n3, route y on n2
// and n4, as the planner may well place two 2-bind routes on four nodes.
const twoRoutesApart: ClusterSim = {
  binds: [...spreadRoute('x', 50, ['n1', 'n3']), ...spreadRoute('y', 50, ['n2', 'n4'])],
  clients: [
    { id: 'a', reservedTps: 100, routes: ['x', 'y'] },
    { id: 'b', reservedTps: 50, routes: ['x'] },
    { id: 'c', reservedTps: 50, routes: ['y'] },
  ],
  seconds: 30,
};

test('two routes on different nodes, ledger per node: A is reserved on both and B and C fall below their floors', (t) => {
  const reference = simulate(twoRoutesApart, 'one');
  const perNode = simulate(twoRoutesApart, 'per-node');
  t.diagnostic(`one ledger: ${describe(reference)}; ledger per node: ${describe(perNode)}`);
  assert.ok((reference.get('b') ?? 0) >= 48 && (reference.get('c') ?? 0) >= 48, `one ledger keeps the floors: ${describe(reference)}`);
  assert.ok((perNode.get('b') ?? 0) < 45 && (perNode.get('c') ?? 0) < 45, `per-node ledgers break them: ${describe(perNode)}`);
});

test('two routes on different nodes, ledgers exchanging their reserved sends every 100 ms: every floor holds', (t) => {
  const rates = simulate(twoRoutesApart, 'exchanged');
  t.diagnostic(`exchanged: ${describe(rates)}`);
  assert.ok((rates.get('a') ?? 0) >= 98, `A got ${rates.get('a')}/s`);
  assert.ok((rates.get('b') ?? 0) >= 48, `B got ${rates.get('b')}/s`);
  assert.ok((rates.get('c') ?? 0) >= 48, `C got ${rates.get('c')}/s`);
});

test('two routes sharing every node: the node-wide tags already keep every floor', (t) => {
  const sim: ClusterSim = {
    binds: [...spreadRoute('x', 25), ...spreadRoute('y', 25)],
    clients: twoRoutesApart.clients,
    seconds: 30,
  };
  for (const mode of ['one', 'per-node', 'exchanged'] as const) {
    const rates = simulate(sim, mode);
    t.diagnostic(`${mode}: ${describe(rates)}`);
    assert.ok((rates.get('b') ?? 0) >= 48 && (rates.get('c') ?? 0) >= 48 && (rates.get('a') ?? 0) >= 98, `${mode}: ${describe(rates)}`);
  }
});
