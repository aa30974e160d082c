import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { hashPassword } from '../../daemon/domain/credentials.js';
import type { ClusterSection } from '../../daemon/web/dashboard.js';
import { waitFor } from '../e2e/callback-harness.js';
import { stopNode, type ClusterNode } from './cluster-nodes.js';
import { clusterServicesMissing, withClusterServices } from './cluster-services.js';

/**
 * The operator dashboard's cluster section over etcd: two smsproc nodes (child processes) on the
 * cluster services (cluster-services.ts), a route of two binds and a dedicated pool. Each node's
 * dashboard lists both nodes, every bind's owner and epoch as etcd has them, and the pool's active
 * node; after kill -9 of one node the other lists itself alone and its takeover of the dead node's
 * bind; when etcd loses its majority the view is said to be not current, with the time it is from.
 */
const BINDS = 2;
const ADMIN_PASSWORD = 'cluster-dashboard-password';
const binds = Array.from({ length: BINDS }, (_, i) => `route/sim/bind/${i}`);

/** An operator session on `node`, in Russian (the JSON does not depend on it; the page does). */
async function operatorCookie(node: ClusterNode): Promise<string> {
  const response = await fetch(`${node.baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'ops', password: ADMIN_PASSWORD, lang: 'ru' }).toString(),
    redirect: 'manual',
  });
  assert.equal(response.status, 303, await response.text());
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function clusterOf(node: ClusterNode, cookie: string): Promise<ClusterSection> {
  const response = await fetch(`${node.baseUrl}/admin/api/v1/dashboard`, { headers: { cookie } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { cluster: ClusterSection }).cluster;
}

const missing = await clusterServicesMissing();
if (missing !== null) {
  console.log(`cluster dashboard test not registered: ${missing}`);
} else {
  test('dashboard over etcd: both nodes list both nodes, bind owners and the pool; a takeover is listed; without an etcd majority the view is marked not current', { timeout: 120_000 }, async () => {
    await withClusterServices('dash', BINDS, async ({ etcd, owners, startNode }) => {
      const options = { web: { admins: [`ops:${await hashPassword(ADMIN_PASSWORD)}`], liveIntervalMs: 300 }, cluster: { pools: ['p1:n1/n2'] } };
      const n1 = await startNode('n1', 'a', options);
      const n2 = await startNode('n2', 'b', options);
      const cookies = new Map([[n1, await operatorCookie(n1)], [n2, await operatorCookie(n2)]]);
      // Two nodes of equal weight: the planner gives each one bind.
      await waitFor('each node owns one bind', async () => new Set(await owners.ownersOf(binds)).size === BINDS && !(await owners.ownersOf(binds)).includes(null), 30_000);
      const ownerNodes = await owners.ownersOf(binds);
      const poolOwner = await owners.ownerOf('pool/p1/active');
      assert.ok(poolOwner === 'n1' || poolOwner === 'n2', `pool p1 active on ${poolOwner}`);

      for (const node of [n1, n2]) {
        // Each node's view follows etcd's watch: asked until it has caught up with what etcd says.
        let cluster: ClusterSection | null = null;
        await waitFor(`${node.id}'s dashboard shows the owners etcd has`, async () => {
          cluster = await clusterOf(node, cookies.get(node)!);
          return JSON.stringify(cluster.binds.map((b) => b.owner)) === JSON.stringify(ownerNodes);
        }, 10_000);
        const seen = cluster!;
        assert.equal(seen.scope, 'cluster');
        assert.equal(seen.coordinator, 'etcd');
        assert.equal(seen.staleness, null);
        assert.deepEqual(seen.nodes.map((n) => [n.id, n.site, n.weight, n.state, n.bindsOwned, n.self]), [
          ['n1', 'a', 1, 'live', 1, node === n1],
          ['n2', 'b', 1, 'live', 1, node === n2],
        ]);
        assert.deepEqual(seen.binds.map((b) => b.resource), binds);
        assert.ok(seen.binds.every((b) => b.ownerLive && b.epoch !== null && b.epoch > 0), JSON.stringify(seen.binds));
        assert.deepEqual(seen.pools.map((p) => [p.name, p.nodes, p.active]), [['p1', ['n1', 'n2'], poolOwner]]);
        const page = await (await fetch(`${node.baseUrl}/admin`, { headers: { cookie: cookies.get(node)! } })).text();
        assert.match(page, /<tbody data-table="nodes"><tr><td>n1<\/td><td>a<\/td>.*<tr><td>n2<\/td><td>b<\/td>/);
        assert.match(page, /Актуально, по данным etcd\./);
      }

      // kill -9 of n2: n1 takes n2's bind once n2's lease has expired, and lists the takeover.
      const n2Bind = binds[ownerNodes.indexOf('n2')]!;
      await stopNode(n2, 'SIGKILL');
      await waitFor('n1 owns every bind', async () => (await owners.ownersOf(binds)).every((o) => o === 'n1'), 20_000);
      let afterKill: ClusterSection | null = null;
      await waitFor('n1\'s dashboard lists n1 alone, owning both binds', async () => {
        afterKill = await clusterOf(n1, cookies.get(n1)!);
        return afterKill.nodes.length === 1 && afterKill.binds.every((b) => b.owner === 'n1');
      }, 10_000);
      const takeover = afterKill!.failovers.find((event) => event.resource === n2Bind);
      assert.ok(takeover !== undefined, JSON.stringify(afterKill!.failovers));
      assert.deepEqual([takeover.from, takeover.to, takeover.kind], ['n2', 'n1', 'takeover']);
      assert.equal(takeover.epoch, afterKill!.binds.find((b) => b.resource === n2Bind)!.epoch, 'the event carries the new ownership\'s epoch');
      assert.equal(afterKill!.pools[0]?.active, 'n1', 'the pool\'s active role is on the live node');

      // etcd without a majority: n1 fences itself and its dashboard says the view is not current.
      const leader = await etcd.leaderIndex();
      await Promise.all([0, 1, 2].filter((i) => i !== leader).map((i) => etcd.kill(i)));
      let unreachable: ClusterSection | null = null;
      await waitFor('n1\'s dashboard marks the cluster view not current', async () => {
        unreachable = await clusterOf(n1, cookies.get(n1)!);
        return unreachable.scope === 'unavailable';
      }, 20_000);
      const stale = unreachable!;
      assert.equal(stale.staleness, 'coordinator-unreachable');
      assert.match(stale.note, /^NOT CURRENT: the coordinator \(etcd\) does not answer/);
      assert.ok(stale.asOf !== null && Date.parse(stale.asOf) < Date.now(), 'the last known view has its time');
      assert.deepEqual(stale.nodes.map((n) => n.id), ['n1'], 'the last known view is kept, labelled');
    });
  });
}
