import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { waitFor } from '../e2e/callback-harness.js';
import { stopNode } from './cluster-nodes.js';
import { clusterServicesMissing } from './cluster-services.js';
import { BINDS, WINDOW, withCluster } from './cluster-under-load.js';

/**
 * Four smsproc nodes under steady load (cluster-under-load.ts): `smsprocctl cluster drain` of a bind
 * owner → it hands over (and `cluster status` shows it); kill -9 the owner of a bind → another node
 * submits on it; SIGTERM a node → it hands over; kill -9 a whole site. Every accepted message ends
 * delivered; duplicates at the simulator stay within the killed nodes' windows; no bind was ever
 * opened twice at once.
 */
const execFileAsync = promisify(execFile);
const ctl = fileURLToPath(new URL('../../ops/smsprocctl/main.js', import.meta.url));

const missing = await clusterServicesMissing();
if (missing !== null) {
  console.log(`cluster failover test not registered: ${missing}`);
} else {
  test('4 nodes under load: drain, kill -9 of a bind owner and SIGTERM of another move binds with nothing lost and no bind open twice', { timeout: 170_000 }, async () => {
    await withCluster(async ({ etcd, smsc, nodes, owners, prefix, binds }) => {
      // smsprocctl cluster drain: the owner of bind 0 hands it over and stays a member owning nothing.
      const ctlEnv = { ...process.env, SMSPROC_CLUSTER_COORDINATOR: 'etcd', SMSPROC_CLUSTER_ETCD_ENDPOINTS: etcd.endpoints.join(','), SMSPROC_CLUSTER_ETCD_KEY_PREFIX: prefix };
      const drainedByCtl = (await owners.ownerOf(binds[0]!))!;
      await execFileAsync(process.execPath, [ctl, 'cluster', 'drain', drainedByCtl], { env: ctlEnv });
      await waitFor('the drained node owns nothing', async () => (await owners.ownersOf(binds)).every((o) => o !== null && o !== drainedByCtl), 15_000);
      const status = JSON.parse((await execFileAsync(process.execPath, [ctl, '--json', 'cluster', 'status'], { env: ctlEnv })).stdout) as {
        nodes: { id: string; weight: number; owns: number }[];
        owners: { resource: string; node: string; epoch: number }[];
      };
      assert.deepEqual(status.nodes.map((n) => n.id).sort(), ['n1', 'n2', 'n3', 'n4'], 'cluster status lists every live node');
      assert.equal(status.nodes.find((n) => n.id === drainedByCtl)?.weight, 0);
      assert.deepEqual(status.owners.filter((o) => o.resource.startsWith('route/')).map((o) => o.resource), binds, 'cluster status lists the owner of each bind');
      assert.ok(status.owners.every((o) => o.epoch > 0 && o.node !== drainedByCtl));

      // kill -9 the owner of bind 0: another node owns it and submits on it.
      const victimId = await owners.ownerOf(binds[0]!);
      const victim = nodes.find((n) => n.id === victimId)!;
      const victimBinds = (await owners.ownersOf(binds)).filter((o) => o === victimId).length;
      await stopNode(victim, 'SIGKILL');
      const submittedAtKill = smsc.stats().submits.total;
      await waitFor('bind 0 owned by another node', async () => {
        const owner = await owners.ownerOf(binds[0]!);
        return owner !== null && owner !== victimId;
      }, 20_000);
      await waitFor('submits continue after the takeover', () => smsc.stats().submits.total >= submittedAtKill + 30 && smsc.stats().binds.open === BINDS, 30_000);

      // SIGTERM the owner of bind 1: it drains, exits 0, and another node owns the bind.
      const drainedId = await owners.ownerOf(binds[1]!);
      const drained = nodes.find((n) => n.id === drainedId)!;
      assert.equal(await stopNode(drained, 'SIGTERM'), 0, 'a node drains and exits 0 on SIGTERM');
      await waitFor('bind 1 handed over', async () => {
        const owner = await owners.ownerOf(binds[1]!);
        return owner !== null && owner !== drainedId;
      }, 15_000);
      console.log(`cluster failover: killed ${victimId} (${victimBinds} binds), drained ${drainedId}`);
      return WINDOW * victimBinds;
    });
  });

  test('a whole site dies (kill -9 of both its nodes): the other site owns every bind, nothing lost', { timeout: 120_000 }, async () => {
    await withCluster(async ({ smsc, nodes, owners, binds }) => {
      const killed = nodes.filter((n) => n.site === 'a');
      const ownedBySiteA = (await owners.ownersOf(binds)).filter((o) => killed.some((n) => n.id === o)).length;
      await Promise.all(killed.map((n) => stopNode(n, 'SIGKILL')));
      const submittedAtKill = smsc.stats().submits.total;
      await waitFor('site b owns every bind', async () => (await owners.ownersOf(binds)).every((o) => o === 'n2' || o === 'n4'), 20_000);
      await waitFor('submits continue on site b', () => smsc.stats().submits.total >= submittedAtKill + 30 && smsc.stats().binds.open === BINDS, 30_000);
      console.log(`site loss: site a owned ${ownedBySiteA} binds`);
      return WINDOW * ownedBySiteA;
    });
  });
}
