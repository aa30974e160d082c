import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { waitFor } from '../e2e/callback-harness.js';
import { clusterServicesMissing } from './cluster-services.js';
import { BINDS, everyBindOwned, sessionsClosedSince, WINDOW, withCluster, type Cluster } from './cluster-under-load.js';

/**
 * Four smsproc nodes under steady load (cluster-under-load.ts) while etcd loses members: kill -9 of
 * a follower, then of the leader → the binds stay where they are or move without loss; kill -9 of
 * two members (no majority) → every owner fences itself (no session left open at the simulator,
 * nothing submitted) while the nodes keep accepting into PostgreSQL; the two members restarted on
 * their data → binds owned again and the backlog delivered. Every accepted message ends delivered,
 * duplicates stay within the windows of the sessions that stopped, no bind was ever open twice.
 * The fence and resume times are printed (docs/cluster.md records them), not asserted.
 */

/** Longer than the lease TTL (2 s): an owner that could no longer renew its lease has fenced by then. */
const PAST_TTL_MS = 3000;

/** What the simulator last received, as a wall-clock time (0 if nothing). */
function lastSubmitAt(smsc: Cluster['smsc']): number {
  return Math.max(0, ...(smsc.stats().received ?? []).map((m) => Date.parse(m.at)));
}

/** Kills one etcd member for longer than the TTL, checks that the binds still submit, restarts it. */
async function loseOneMember(cluster: Cluster, role: 'follower' | 'leader'): Promise<number> {
  const { etcd, smsc, owners, binds } = cluster;
  const leader = await etcd.leaderIndex();
  const victim = role === 'leader' ? leader : (leader + 1) % 3;
  const ownersBefore = await owners.ownersOf(binds);
  const submittedAtKill = smsc.stats().submits.total;
  const killedAt = Date.now();
  await etcd.kill(victim);
  await sleep(PAST_TTL_MS);
  await waitFor('every bind owned and submitting with one etcd member down', async () =>
    await everyBindOwned(cluster) && smsc.stats().binds.open === BINDS && smsc.stats().submits.total >= submittedAtKill + 30, 30_000);
  const ownersAfter = await owners.ownersOf(binds);
  const stopped = sessionsClosedSince(smsc, killedAt);
  console.log(`etcd ${role} m${victim} killed (leader now m${await etcd.leaderIndex()}): bind owners ${ownersBefore.join(',')} → ${ownersAfter.join(',')}, ${stopped} sessions stopped`);
  etcd.restart(victim);
  await etcd.waitHealthy(20_000);
  await waitFor('every bind owned after the member rejoined', () => everyBindOwned(cluster), 20_000);
  return WINDOW * stopped;
}

const missing = await clusterServicesMissing();
if (missing !== null) {
  console.log(`cluster etcd-loss test not registered: ${missing}`);
} else {
  test('kill -9 of an etcd follower: binds stay or move, nothing lost, no bind open twice', { timeout: 120_000 }, async () => {
    await withCluster((cluster) => loseOneMember(cluster, 'follower'));
  });

  test('kill -9 of the etcd leader: binds stay or move, nothing lost, no bind open twice', { timeout: 120_000 }, async () => {
    await withCluster((cluster) => loseOneMember(cluster, 'leader'));
  });

  test('etcd loses its majority: every owner fences, nodes keep accepting; the majority back → binds owned again, backlog delivered', { timeout: 150_000 }, async () => {
    await withCluster(async (cluster) => {
      const { etcd, smsc, accepted } = cluster;
      // The two followers: the leader is left alone and serves keepalives until it notices the lost quorum.
      const leader = await etcd.leaderIndex();
      const lost = [0, 1, 2].filter((i) => i !== leader);
      const killedAt = Date.now();
      await Promise.all(lost.map((i) => etcd.kill(i)));
      await waitFor('every owner fenced: no session open at the simulator', () => smsc.stats().binds.open === 0, 20_000);
      const fencedAt = Date.now();
      const lastSubmit = lastSubmitAt(smsc);
      const submittedAtFence = smsc.stats().submits.total;
      const acceptedAtFence = accepted.length;

      await sleep(PAST_TTL_MS);
      assert.equal(smsc.stats().binds.open, 0, 'no bind opened without an etcd majority');
      assert.equal(smsc.stats().submits.total, submittedAtFence, 'nothing submitted without an etcd majority');
      const acceptedWithoutMajority = accepted.length - acceptedAtFence;
      assert.ok(acceptedWithoutMajority > 0, 'the nodes accept messages while etcd has no majority');

      const restartedAt = Date.now();
      for (const i of lost) etcd.restart(i);
      await waitFor('binds owned and submitting again', async () =>
        smsc.stats().binds.open === BINDS && smsc.stats().submits.total > submittedAtFence && await everyBindOwned(cluster), 60_000);
      const resumedAt = Date.now();
      const firstSubmitAfter = Math.min(...(smsc.stats().received ?? []).map((m) => Date.parse(m.at)).filter((at) => at >= restartedAt));
      console.log(`etcd majority lost (m${lost.join(', m')} killed): last submit ${lastSubmit - killedAt} ms and every session closed ${fencedAt - killedAt} ms after the kill; ` +
        `${acceptedWithoutMajority} accepted meanwhile; restarted: first submit after ${firstSubmitAfter - restartedAt} ms, every bind bound and owned after ${resumedAt - restartedAt} ms`);
      return WINDOW * sessionsClosedSince(smsc, killedAt);
    });
  });
}
