import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { bindName, orphansToTake, plan, targetAssignment, type PlannerNode, type PlannerRoute } from '../../cluster/planner.js';

const nodesArb = fc
  .uniqueArray(
    fc.record({ id: fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5', 'n6'), site: fc.constantFrom('a', 'b'), weight: fc.integer({ min: 1, max: 3 }) }),
    { selector: (n) => n.id, minLength: 1, maxLength: 6 },
  )
  .map((nodes): PlannerNode[] => nodes);

const routesArb = fc
  .uniqueArray(
    fc.record({ routeId: fc.constantFrom('r1', 'r2', 'r3', 'r4'), binds: fc.integer({ min: 1, max: 8 }), preferredSite: fc.constantFrom('a', 'b', null) }),
    { selector: (r) => r.routeId, minLength: 1, maxLength: 4 },
  )
  .map((routes): PlannerRoute[] => routes);

function allBinds(routes: readonly PlannerRoute[]): string[] {
  return routes.flatMap((r) => Array.from({ length: r.binds }, (_, i) => bindName(r.routeId, i)));
}

/** Current owners drawn from live nodes, dead nodes and nobody. */
const scenarioArb = fc.tuple(nodesArb, routesArb, fc.integer({ min: 0, max: 4 })).chain(([nodes, routes, maxMoves]) =>
  fc
    .array(fc.constantFrom(...nodes.map((n) => n.id), 'dead1', 'dead2', null), { minLength: allBinds(routes).length, maxLength: allBinds(routes).length })
    .map((ownerList) => {
      const owners = new Map<string, string>();
      allBinds(routes).forEach((bind, i) => {
        const owner = ownerList[i];
        if (owner !== null && owner !== undefined) owners.set(bind, owner);
      });
      return { nodes, routes, owners, maxMoves };
    }),
);

test('planner property: after any round every bind has exactly one owner, a live node, and rebalancing respects the limit', () => {
  fc.assert(
    fc.property(scenarioArb, ({ nodes, routes, owners, maxMoves }) => {
      const result = plan({ nodes, routes, owners, maxMovesPerRound: maxMoves });
      const live = new Set(nodes.map((n) => n.id));
      const binds = allBinds(routes);
      assert.deepEqual([...result.assignment.keys()].sort(), [...binds].sort());
      for (const bind of binds) assert.ok(live.has(result.assignment.get(bind)!), `${bind} owned by a live node`);
      assert.ok(result.moves.filter((m) => m.from !== null).length <= maxMoves);
      for (const move of result.moves) {
        if (move.from === null) assert.ok(!live.has(owners.get(move.bind) ?? ''), 'a take is only for a bind without a live owner');
      }
    }),
    { numRuns: 300 },
  );
});

test('planner property: with both sites alive every route of two or more binds uses both sites', () => {
  fc.assert(
    fc.property(nodesArb, routesArb, (nodes, routes) => {
      fc.pre(new Set(nodes.map((n) => n.site)).size === 2);
      const siteOf = new Map(nodes.map((n) => [n.id, n.site]));
      const target = targetAssignment(nodes, routes);
      for (const route of routes.filter((r) => r.binds >= 2)) {
        const sites = new Set(Array.from({ length: route.binds }, (_, i) => siteOf.get(target.get(bindName(route.routeId, i))!)));
        assert.equal(sites.size, 2, `${route.routeId} uses both sites`);
      }
    }),
    { numRuns: 300 },
  );
});

test('planner property: repeated rounds converge to the target', () => {
  fc.assert(
    fc.property(scenarioArb, ({ nodes, routes, owners, maxMoves }) => {
      let current: ReadonlyMap<string, string> = owners;
      const limit = Math.max(1, maxMoves);
      for (let round = 0; round <= allBinds(routes).length; round++) {
        current = plan({ nodes, routes, owners: current, maxMovesPerRound: limit }).assignment;
      }
      assert.deepEqual(new Map([...current].sort()), new Map([...targetAssignment(nodes, routes)].sort()));
    }),
    { numRuns: 200 },
  );
});

test('planner property: a node leaving moves its own binds and few others', () => {
  fc.assert(
    fc.property(nodesArb, routesArb, fc.nat(), (nodes, routes, pick) => {
      fc.pre(nodes.length >= 2);
      const leaving = nodes[pick % nodes.length]!;
      const before = targetAssignment(nodes, routes);
      const after = targetAssignment(nodes.filter((n) => n !== leaving), routes);
      const others = [...before].filter(([bind, owner]) => owner !== leaving.id && after.get(bind) !== owner).length;
      const own = [...before.values()].filter((owner) => owner === leaving.id).length;
      // Bounded loads may displace a few binds beyond the leaving node's; never a reshuffle.
      assert.ok(others <= own + routes.length, `${others} other binds moved when ${leaving.id} (owning ${own}) left`);
    }),
    { numRuns: 300 },
  );
});

test('planner: any node takes a bind only after it has had no live owner for the grace period', () => {
  const owners = new Map([['route/r/bind/0', 'n1'], ['route/r/bind/1', 'dead'], ['route/r/bind/2', 'dead']]);
  const since = new Map([['route/r/bind/1', 1000], ['route/r/bind/2', 4000], ['route/r/bind/3', 0]]);
  const binds = ['route/r/bind/0', 'route/r/bind/1', 'route/r/bind/2', 'route/r/bind/3', 'route/r/bind/4'];
  assert.deepEqual(orphansToTake(binds, owners, new Set(['n1', 'n2']), since, 5000, 3000), ['route/r/bind/1', 'route/r/bind/3']);
});

test('planner property: a bind pinned to a live node goes there in one round (outside the move limit); a pin to a dead node changes nothing', () => {
  fc.assert(
    fc.property(scenarioArb, fc.nat(), fc.nat(), ({ nodes, routes, owners, maxMoves }, bindPick, nodePick) => {
      const binds = allBinds(routes);
      const pinned = binds[bindPick % binds.length]!;
      const to = nodes[nodePick % nodes.length]!.id;
      const result = plan({ nodes, routes, owners, maxMovesPerRound: maxMoves, pins: new Map([[pinned, to]]) });
      assert.equal(result.assignment.get(pinned), to, `${pinned} on its pinned node`);
      assert.ok(result.moves.filter((m) => m.from !== null && m.bind !== pinned).length <= maxMoves, 'other rebalancing stays within the limit');
      const unpinned = plan({ nodes, routes, owners, maxMovesPerRound: maxMoves });
      const toDead = plan({ nodes, routes, owners, maxMovesPerRound: maxMoves, pins: new Map([[pinned, 'dead1']]) });
      assert.deepEqual(toDead.assignment, unpinned.assignment, 'a pin to a node that is not live is set aside');
    }),
    { numRuns: 300 },
  );
});
