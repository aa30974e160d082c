import { strict as assert } from 'node:assert';
import { waitFor } from '../e2e/callback-harness.js';
import { statusOf, submit, type Submitted } from '../e2e/deliver-harness.js';
import { alive } from './cluster-nodes.js';
import { withClusterServices, type ClusterServices } from './cluster-services.js';

/**
 * Four smsproc nodes (two sites) as child processes over the cluster services (cluster-services.ts)
 * under steady HTTP load, for the tests that kill parts of it (cluster-failover, cluster-etcd-loss).
 * The simulator allows exactly the route's bind count and refuses any bind beyond it, so a refused
 * bind means two sessions of one bind were open at once.
 */
export const BINDS = 2;
export const WINDOW = 10;
// The route's in-doubt policy is `resend`: a message a killed owner left IN_DOUBT is sent again, so
// in_doubt is a passing state here, not an end.
const FINAL = new Set(['delivered', 'failed', 'rejected', 'expired', 'undeliverable']);

/** A running cluster of four nodes (n1, n3 in site a; n2, n4 in site b) under steady load. */
export interface Cluster extends Omit<ClusterServices, 'startNode'> {
  readonly binds: readonly string[];
  /** The messages the nodes accepted so far (it grows while the load runs). */
  readonly accepted: readonly Submitted[];
}

/** Whether every bind has an owner in etcd; false while etcd does not answer. */
export async function everyBindOwned({ owners, binds }: Pick<Cluster, 'owners' | 'binds'>): Promise<boolean> {
  try {
    return (await owners.ownersOf(binds)).every((o) => o !== null);
  } catch {
    return false;
  }
}

/** SMPP sessions the simulator saw close at or after `sinceMs`: each is a bind that stopped (fenced, killed or handed over). */
export function sessionsClosedSince(smsc: Cluster['smsc'], sinceMs: number): number {
  return smsc.stats().binds.list.filter((b) => b.closedAt !== null && Date.parse(b.closedAt) >= sinceMs).length;
}

/**
 * Starts the cluster and its load, runs `body` (which returns how many duplicate messages its kills
 * allow: the windows of the binds they stopped uncleanly), then checks that every accepted message was
 * delivered, the duplicates, and that no bind was refused; tears down.
 */
export async function withCluster(body: (cluster: Cluster) => Promise<number>): Promise<void> {
  await withClusterServices('cl', BINDS, async ({ startNode, ...services }) => {
    const { smsc, owners, nodes } = services;
    // The first node provisions the shared store; the others find it provisioned.
    for (const [id, site] of [['n1', 'a'], ['n2', 'b'], ['n3', 'a'], ['n4', 'b']] as const) {
      await startNode(id, site, { route: { binds: BINDS, windowSize: WINDOW, tps: 200 } });
    }
    const binds = Array.from({ length: BINDS }, (_, i) => `route/sim/bind/${i}`);
    await waitFor('both binds owned and bound', async () => await everyBindOwned({ owners, binds }) && smsc.stats().binds.open === BINDS, 30_000);

    const accepted: Submitted[] = [];
    let stop = false;
    // Three lanes, each waiting for its answer and 5 ms: a steady load whatever the machine's speed.
    const lane = async (offset: number): Promise<void> => {
      for (let i = offset; !stop; i += 3) {
        const live = nodes.filter(alive);
        const node = live[i % live.length];
        if (node === undefined) return;
        try {
          accepted.push(await submit(node.baseUrl, { to: `7916${String(i).padStart(7, '0')}`, text: `cluster ${i}`, dlr: true }));
        } catch {
          // The node died under the request: the message was not accepted; the next goes elsewhere.
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const traffic = Promise.all([0, 1, 2].map(lane));
    await waitFor('traffic under way', () => smsc.stats().messages.total >= 80, 30_000);
    let allowedDuplicates: number;
    try {
      allowedDuplicates = await body({ ...services, binds, accepted });
    } finally {
      stop = true;
      await traffic;
    }
    assert.ok(accepted.length >= 100, `${accepted.length} messages accepted`);
    const survivor = nodes.find(alive)!;
    await waitFor('every accepted message final', async () => {
      const statuses = await Promise.all(accepted.map((m) => statusOf(survivor.baseUrl, m.id)));
      return statuses.every((s) => FINAL.has(s));
    }, 60_000);
    const statuses = await Promise.all(accepted.map((m) => statusOf(survivor.baseUrl, m.id)));
    assert.equal(statuses.filter((s) => s === 'delivered').length, accepted.length, 'every accepted message delivered');
    const stats = smsc.stats();
    console.log(`${accepted.length} accepted; SMSC: ${stats.submits.total} submits, ${stats.duplicates.messages} duplicate messages (at most ${allowedDuplicates}), ${stats.binds.list.length} sessions, ${stats.binds.refused} refused binds`);
    assert.ok(stats.duplicates.messages <= allowedDuplicates, `${stats.duplicates.messages} duplicates, at most the stopped binds' windows (${allowedDuplicates})`);
    if (stats.binds.refused > 0) {
      // Which sessions were open when a bind was refused: the overlap to look at.
      console.log(`refused binds: ${JSON.stringify(stats.binds.refusedList)}; sessions: ${JSON.stringify(stats.binds.list.map((b) => [b.id, b.openedAt, b.closedAt, b.submits]))}`);
    }
    assert.equal(stats.binds.refused, 0, 'no bind was opened while another session of it was open (the simulator refuses binds beyond the route count)');
  });
}
