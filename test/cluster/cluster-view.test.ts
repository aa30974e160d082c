import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { createEtcdCoordinator } from '../../cluster/coordinator/etcd/etcd-coordinator.js';
import { ownerKey } from '../../cluster/coordinator/etcd/keys.js';
import type { Coordinator } from '../../cluster/coordinator/port.js';
import { ClusterView, type ClusterReport, type OwnershipChange } from '../../daemon/cluster/cluster-view.js';
import { waitFor } from '../e2e/callback-harness.js';
import { EtcdCluster, etcdAvailable, etcdBinary } from './etcd-cluster.js';

/**
 * ClusterView (the dashboard's cluster section) over real etcd coordinators of three nodes in this
 * process: a release then an acquire is a handover; a resource whose owner left membership, or that
 * its owner lost without releasing it (its key removed on the server: as its owner sees it), is a
 * takeover, counted as a failover only by the node that took it; the report lists members, owners and
 * the pool's active node.
 */
const PREFIX = `smsproc-view-${process.pid}/`;

if (!etcdAvailable()) {
  console.log(`cluster view tests not registered: ${etcdBinary} is missing (test/services.sh installs etcd-server as root)`);
} else {
  let etcd: EtcdCluster;
  before(async () => {
    etcd = await EtcdCluster.start();
  });
  after(async () => {
    await etcd.stop();
  });

  test('cluster view: handovers and takeovers as each node sees them; only the taker counts a failover; members, owners (not client bind slots), pool', { timeout: 60_000 }, async () => {
    const nodes = ['n1', 'n2', 'n3'].map((id, i) => createEtcdCoordinator({ endpoints: etcd.endpoints, keyPrefix: PREFIX, self: { id, site: i === 1 ? 'b' : 'a', weight: 1 }, leaseTtlS: 2 }));
    const [n1, n2, n3] = nodes as [Coordinator, Coordinator, Coordinator];
    const failovers = new Map([['n1', 0], ['n2', 0]]);
    const viewOf = (coordinator: Coordinator): ClusterView => new ClusterView(coordinator, {
      kind: 'etcd',
      pools: [{ name: 'p', nodes: ['n1', 'n2'] }],
      events: { failover: () => failovers.set(coordinator.self.id, (failovers.get(coordinator.self.id) ?? 0) + 1) },
    });
    const client = new Etcd3({ hosts: [...etcd.endpoints] });
    try {
      await Promise.all(nodes.map((node) => node.start()));
      const [v1, v2] = [viewOf(n1), viewOf(n2)];
      v1.start();
      v2.start();
      const changesOf = (view: ClusterView): string[] => view.report().changes.map((c: OwnershipChange) => `${c.resource} ${c.from}→${c.to} ${c.kind}`);

      // A release while live, then another node's acquire: a handover.
      const first = (await n1.tryAcquire('route/r/bind/0'))!;
      await waitFor('n2 sees n1 own bind 0', () => n2.owners().get('route/r/bind/0')?.nodeId === 'n1');
      await first.release();
      const second = (await n2.tryAcquire('route/r/bind/0'))!;
      await waitFor('n1 sees the handover', () => changesOf(v1).includes('route/r/bind/0 n1→n2 handover'));
      assert.deepEqual(changesOf(v2), ['route/r/bind/0 n1→n2 handover']);
      assert.equal(v2.report().changes[0]?.epoch, second.epoch);

      // n3's bind after n3 left membership (its lease revoked, as when it expires): a takeover.
      await n3.tryAcquire('route/r/bind/1');
      await waitFor('n1 and n2 see n3 own bind 1', () => [n1, n2].every((n) => n.owners().get('route/r/bind/1')?.nodeId === 'n3'));
      await n3.close();
      await waitFor('n1 sees n3 gone', () => n1.members().length === 2 && !n1.owners().has('route/r/bind/1'));
      assert.ok((await n1.tryAcquire('route/r/bind/1')) !== null);
      await waitFor('n2 sees the takeover', () => changesOf(v2)[0] === 'route/r/bind/1 n3→n1 takeover');
      assert.equal(changesOf(v1)[0], 'route/r/bind/1 n3→n1 takeover');

      // n1's key removed on the server: n1 lost bind 1 without releasing it, so n2 takes it over although n1 is live.
      await client.delete().key(`${PREFIX}${ownerKey('route/r/bind/1')}`).exec();
      await waitFor('n1 no longer owns bind 1', () => !n1.owned().some((o) => o.resource === 'route/r/bind/1'));
      assert.ok((await n2.tryAcquire('route/r/bind/1')) !== null);
      await waitFor('n1 sees n2 take bind 1 over', () => changesOf(v1)[0] === 'route/r/bind/1 n1→n2 takeover');
      // n2 cannot tell a removed key from a release: to it, n1 (live) handed the bind over.
      await waitFor('n2 sees the move', () => changesOf(v2)[0] === 'route/r/bind/1 n1→n2 handover');
      assert.deepEqual(Object.fromEntries(failovers), { n1: 1, n2: 0 }, 'n1 counted its takeover; n2 counted none (a handover to it, and n3→n1 not its own)');

      // A client's SMPP bind slot changing hands (docs/smpp-server.md) is neither a change nor an owner listed.
      const slot = (await n1.tryAcquire('client-binds/acme/0'))!;
      await waitFor('n2 sees n1 hold the slot', () => n2.owners().get('client-binds/acme/0')?.nodeId === 'n1');
      await slot.release();
      assert.ok((await n2.tryAcquire('client-binds/acme/0')) !== null);
      await waitFor('n1 sees n2 hold the slot', () => n1.owners().get('client-binds/acme/0')?.nodeId === 'n2');
      assert.ok([v1, v2].every((view) => !changesOf(view).some((change) => change.startsWith('client-binds/'))), 'slots are not ownership changes');

      await n1.tryAcquire('pool/p/active');
      let report: ClusterReport | null = null;
      await waitFor('n2 sees the pool\'s active node', () => {
        report = v2.report();
        return report.pools[0]?.active === 'n1';
      });
      const seen = report!;
      assert.deepEqual([seen.coordinator, seen.self, seen.phase], ['etcd', 'n2', 'live']);
      assert.ok(seen.liveAt !== null && seen.takenAt - seen.liveAt < 2000, 'live: confirmed within a lease renewal');
      assert.deepEqual(seen.nodes.map((n) => `${n.id}@${n.site}`).sort(), ['n1@a', 'n2@b']);
      assert.deepEqual(seen.owners.map((o) => `${o.resource}=${o.nodeId}`).sort(), ['pool/p/active=n1', 'route/r/bind/0=n2', 'route/r/bind/1=n2']);
      v1.stop();
      v2.stop();
    } finally {
      client.close();
      await Promise.all(nodes.map((node) => node.close()));
    }
  });
}
