import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { waitFor } from '../e2e/callback-harness.js';
import { statusOf, submit } from '../e2e/deliver-harness.js';
import { stopNode } from './cluster-nodes.js';
import { clusterServicesMissing, withClusterServices } from './cluster-services.js';

/**
 * `smsprocctl cluster move <bind> <node>` over three smsproc nodes (child processes) on the cluster
 * services (cluster-services.ts; the simulator refuses binds beyond the route's count): the
 * owner hands the bind over to the pinned node, which keeps it (the planner honours the pin); while
 * the pinned node is dead the bind runs elsewhere; `cluster unpin` removes the pin; `cluster status`
 * shows it meanwhile.
 */
const execFileAsync = promisify(execFile);
const ctl = fileURLToPath(new URL('../../ops/smsprocctl/main.js', import.meta.url));
const BINDS = 2;

interface Status {
  owners: { resource: string; node: string }[];
  pins: { resource: string; node: string }[];
}

const missing = await clusterServicesMissing();
if (missing !== null) {
  console.log(`cluster move test not registered: ${missing}`);
} else {
  test('cluster move pins a bind to a node: it is handed over there, falls back while the node is dead, unpin ends it', { timeout: 120_000 }, async () => {
    await withClusterServices('mv', BINDS, async ({ etcd, smsc, owners, prefix, nodes, startNode }) => {
      const ctlEnv = { ...process.env, SMSPROC_CLUSTER_COORDINATOR: 'etcd', SMSPROC_CLUSTER_ETCD_ENDPOINTS: etcd.endpoints.join(','), SMSPROC_CLUSTER_ETCD_KEY_PREFIX: prefix };
      const smsprocctl = async (...args: string[]) => (await execFileAsync(process.execPath, [ctl, ...args], { env: ctlEnv })).stdout;
      const bind = 'route/sim/bind/0';
      for (const [id, site] of [['n1', 'a'], ['n2', 'b'], ['n3', 'a']] as const) await startNode(id, site);
      const binds = Array.from({ length: BINDS }, (_, i) => `route/sim/bind/${i}`);
      await waitFor('both binds owned and bound', async () => (await owners.ownersOf(binds)).every((o) => o !== null) && smsc.stats().binds.open === BINDS, 30_000);

      const before = (await owners.ownerOf(bind))!;
      const target = nodes.find((n) => n.id !== before)!;
      await smsprocctl('cluster', 'move', bind, target.id);
      await waitFor(`${bind} handed over to ${target.id}`, async () => (await owners.ownerOf(bind)) === target.id && smsc.stats().binds.open === BINDS, 15_000);
      const status = JSON.parse(await smsprocctl('--json', 'cluster', 'status')) as Status;
      assert.deepEqual(status.pins, [{ resource: bind, node: target.id }], 'cluster status shows the pin');
      // Several planning rounds later the pin still holds (the plan does not move the bind back).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await owners.ownerOf(bind), target.id, 'the pinned bind stays on its node');
      const message = await submit(nodes[0]!.baseUrl, { to: '79160000001', text: 'after the move', dlr: true });
      await waitFor('a message after the move delivered', async () => (await statusOf(nodes[0]!.baseUrl, message.id)) === 'delivered', 30_000);

      // The pinned node dies: the bind runs elsewhere (normal plan) although the pin remains.
      await stopNode(target, 'SIGKILL');
      await waitFor(`${bind} owned by a live node`, async () => {
        const owner = await owners.ownerOf(bind);
        return owner !== null && owner !== target.id;
      }, 20_000);

      await smsprocctl('cluster', 'unpin', bind);
      const after = JSON.parse(await smsprocctl('--json', 'cluster', 'status')) as Status;
      assert.deepEqual(after.pins, [], 'unpin removed the pin');
      await assert.rejects(smsprocctl('cluster', 'move', bind, 'no-such-node'), 'a move to an unknown node is refused');
      assert.equal(smsc.stats().binds.refused, 0, 'no bind was opened while another session of it was open');
    });
  });
}
