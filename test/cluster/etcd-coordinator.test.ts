import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEtcdCoordinator } from '../../cluster/coordinator/etcd/etcd-coordinator.js';
import { CoordinatorUnavailableError, type Coordinator, type Ownership } from '../../cluster/coordinator/port.js';
import { EtcdCluster, etcdAvailable, etcdBinary } from './etcd-cluster.js';

const ttlS = 2;
const ttlMs = ttlS * 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > giveUpAt) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

if (!etcdAvailable()) {
  console.log(`etcd coordinator tests not registered: ${etcdBinary} is missing (test/services.sh installs etcd-server as root)`);
} else {
  let cluster: EtcdCluster;
  let prefixCounter = 0;
  const open: Coordinator[] = [];

  before(async () => {
    cluster = await EtcdCluster.start();
  });
  after(async () => {
    await Promise.all(open.map((c) => c.close()));
    await cluster.stop();
  });

  /** Coordinators of one test share a key prefix no other test uses. */
  function coordinators(count: number, leaseTtlS = ttlS, endpointsOf = (_i: number) => cluster.endpoints): Coordinator[] {
    const keyPrefix = `smsproc-${process.pid}-${++prefixCounter}/`;
    return Array.from({ length: count }, (_, i) => {
      const c = createEtcdCoordinator({
        endpoints: endpointsOf(i),
        keyPrefix,
        self: { id: `n${i + 1}`, site: i % 2 === 0 ? 'a' : 'b', weight: 1 },
        leaseTtlS,
      });
      open.push(c);
      return c;
    });
  }

  test('etcd coordinator: acquire, release, re-acquire with a higher epoch; the watch shows members and owners', async () => {
    const [a, b] = coordinators(2) as [Coordinator, Coordinator];
    await Promise.all([a.start(), b.start()]);
    const first = await a.tryAcquire('route/r1/bind/0');
    assert.ok(first !== null);
    assert.equal(await a.tryAcquire('route/r1/bind/0'), first, 'acquiring an owned resource again is idempotent');
    assert.equal(await b.tryAcquire('route/r1/bind/0'), null, 'another node cannot take an owned resource');
    assert.ok(first.validUntilMs() > Date.now() && first.validUntilMs() <= Date.now() + ttlMs);
    await eventually('b to see a as owner', 3000, () =>
      Promise.resolve(b.owners().get('route/r1/bind/0')?.nodeId === 'n1' ? true : null),
    );
    assert.equal(b.owners().get('route/r1/bind/0')?.epoch, first.epoch);
    assert.deepEqual(b.members().map((m) => `${m.id}@${m.site}`).sort(), ['n1@a', 'n2@b']);

    await first.release();
    assert.equal(first.lost.reason, 'released');
    const second = await b.tryAcquire('route/r1/bind/0');
    assert.ok(second !== null, 'released resources are free at once');
    assert.ok(second.epoch > first.epoch, `epoch ${second.epoch} after ${first.epoch}`);
    await b.close();
    const third = await a.tryAcquire('route/r1/bind/0');
    assert.ok(third !== null && third.epoch > second.epoch, 'closing a coordinator frees its resources at once');
    await eventually('b to leave membership', 3000, () => Promise.resolve(a.members().length === 1 ? true : null));
  });

  test('etcd coordinator: two coordinators racing for the same resources never both own one', async () => {
    const [a, b] = coordinators(2) as [Coordinator, Coordinator];
    await Promise.all([a.start(), b.start()]);
    const resources = Array.from({ length: 30 }, (_, i) => `route/race/bind/${i}`);
    const results = await Promise.all(resources.map((r) => Promise.all([a.tryAcquire(r), b.tryAcquire(r)])));
    for (const [i, [ofA, ofB]] of results.entries()) {
      assert.equal((ofA === null ? 0 : 1) + (ofB === null ? 0 : 1), 1, `${resources[i]} has exactly one owner`);
    }
    assert.equal(a.owned().length + b.owned().length, resources.length);
  });

  test('etcd coordinator: after kill -9 of the owner process another node acquires within TTL + 1.5 s', async () => {
    const [survivor] = coordinators(1) as [Coordinator];
    const keyPrefix = `smsproc-${process.pid}-${prefixCounter}/`;
    await survivor.start();
    const child = spawn(process.execPath, [
      fileURLToPath(new URL('./coordinator-child.js', import.meta.url)),
      JSON.stringify({ endpoints: cluster.endpoints, keyPrefix, nodeId: 'victim', resources: ['route/k/bind/0'] }),
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually('the child to own the bind', 10_000, () => Promise.resolve(output.includes('ready') ? true : null));
    const victimEpoch = Number(/owned route\/k\/bind\/0 (\d+)/.exec(output)?.[1]);
    assert.ok(victimEpoch > 0, `child output: ${output}`);
    assert.equal(await survivor.tryAcquire('route/k/bind/0'), null);

    const killedAt = Date.now();
    child.kill('SIGKILL');
    const taken = await eventually('the survivor to acquire', ttlMs + 5000, () => survivor.tryAcquire('route/k/bind/0'));
    const takeoverMs = Date.now() - killedAt;
    console.log(`takeover after kill -9: ${takeoverMs} ms (TTL ${ttlMs} ms)`);
    assert.ok(takeoverMs <= ttlMs + 1500, `takeover took ${takeoverMs} ms`);
    assert.ok(taken.epoch > victimEpoch);
  });

  test('etcd coordinator: an owner cut off from etcd fences itself before another node acquires', async () => {
    // The owner reaches etcd only through member 2; freezing that member cuts it off while members 0
    // and 1 keep a majority and the other node can acquire once the owner's lease expires.
    const endpoints = cluster.endpoints;
    const [owner, other] = coordinators(2, ttlS, (i) => (i === 0 ? [endpoints[2]!] : [endpoints[0]!, endpoints[1]!])) as [Coordinator, Coordinator];
    await Promise.all([owner.start(), other.start()]);
    const held = await owner.tryAcquire('route/p/bind/0');
    assert.ok(held !== null);
    const lostAt = new Promise<number>((resolve) => held.lost.addEventListener('abort', () => resolve(Date.now())));
    cluster.freeze(2, true);
    try {
      const taken = await eventually('the other node to acquire', ttlMs * 4, () => other.tryAcquire('route/p/bind/0'));
      const acquiredAt = Date.now();
      assert.equal(held.lost.aborted, true, 'the owner had fenced itself when the other node acquired');
      console.log(`cut-off owner fenced ${acquiredAt - (await lostAt)} ms before the other node acquired`);
      assert.ok(taken.epoch > held.epoch);
    } finally {
      cluster.freeze(2, false);
    }
    await cluster.waitHealthy(20_000);
  });

  test('etcd coordinator: killing one member, the leader too, keeps ownership in place', async () => {
    // TTL 3 s: a new leader takes up to two election timeouts (1 s here) to emerge, and keepalives
    // wait for it; the default 5 s TTL against etcd's default 1 s election timeout has more room still.
    const [a, b] = coordinators(2, 3) as [Coordinator, Coordinator];
    await Promise.all([a.start(), b.start()]);
    const held = await a.tryAcquire('route/l/bind/0');
    assert.ok(held !== null);
    const leader = await cluster.leaderIndex();
    await cluster.kill(leader);
    const other = (leader + 1) % 3;
    await sleep(ttlMs * 2);
    assert.equal(held.lost.aborted, false, `ownership lost: ${String(held.lost.reason)}`);
    assert.ok(held.validUntilMs() > Date.now(), 'the lease is still being confirmed');
    assert.equal(await b.tryAcquire('route/l/bind/0'), null, 'the resource stays with its owner');
    assert.ok((await b.tryAcquire('route/l/bind/1')) !== null, 'acquisitions still work');
    assert.notEqual(await cluster.leaderIndex(other), leader, 'a new leader was elected');
    cluster.restart(leader);
    await cluster.waitHealthy(20_000);
    assert.equal(held.lost.aborted, false);
  });

  test('etcd coordinator: losing the majority fences the owner before the TTL ends; service resumes with the majority', async () => {
    const [a, b] = coordinators(2) as [Coordinator, Coordinator];
    await Promise.all([a.start(), b.start()]);
    const held: Ownership | null = await a.tryAcquire('route/q/bind/0');
    assert.ok(held !== null);
    const lostAt = new Promise<number>((resolve) => held.lost.addEventListener('abort', () => resolve(Date.now())));
    let lastValidUntil = held.validUntilMs();
    a.onRenewed((until) => (lastValidUntil = until));

    await cluster.kill(1);
    await cluster.kill(2);
    const majorityLostAt = Date.now();
    const fencedAt = await Promise.race([lostAt, sleep(ttlMs * 2).then(() => Number.NaN)]);
    console.log(`fenced ${fencedAt - majorityLostAt} ms after the majority was lost, ${fencedAt - lastValidUntil} ms after its deadline (TTL ${ttlMs} ms)`);
    assert.equal(held.lost.reason, 'lease-expiring');
    // The etcd leader renews leases by itself until it notices the lost quorum (one election
    // timeout, 500 ms here), so the last confirmed renewal may come a little after the kill.
    assert.ok(fencedAt - majorityLostAt < ttlMs + 500, `fenced ${fencedAt - majorityLostAt} ms after the majority was lost`);
    // Its deadline is the earliest server-side expiry minus the 500 ms margin: fencing in the margin
    // is before anyone else could own the resource.
    assert.ok(fencedAt < lastValidUntil + 500, `fenced ${fencedAt - lastValidUntil} ms after its deadline`);
    assert.equal(held.validUntilMs(), 0);
    assert.deepEqual(a.status(), { phase: 'fenced', validUntilMs: 0 });
    await assert.rejects(a.tryAcquire('route/q/bind/0'), CoordinatorUnavailableError, 'a fenced node claims nothing');
    await assert.rejects(b.tryAcquire('route/q/bind/0'), CoordinatorUnavailableError, 'no one owns it without a majority');
    const [late] = coordinators(1);
    const start = Date.now();
    await assert.rejects(late!.start(), CoordinatorUnavailableError, 'joining needs a majority');
    console.log(`joining without quorum failed after ${Date.now() - start} ms`);
    assert.ok(Date.now() - start < 3000, `a call without quorum failed after ${Date.now() - start} ms`);

    const restartedAt = Date.now();
    cluster.restart(1);
    cluster.restart(2);
    await cluster.waitHealthy(20_000);
    const resumed = await eventually('someone to own the bind again', ttlMs * 3 + 5000, async () =>
      (await a.tryAcquire('route/q/bind/0').catch(() => null)) ?? (await b.tryAcquire('route/q/bind/0').catch(() => null)),
    );
    assert.ok(resumed.epoch > held.epoch, 'the new ownership has a higher epoch');
    await eventually('the fenced node to rejoin', 5000, () => Promise.resolve(a.status().phase === 'live' ? true : null));
    console.log(`service resumed ${Date.now() - restartedAt} ms after the two members were restarted`);
  });
}
