import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { createEtcdCoordinator } from '../../cluster/coordinator/etcd/etcd-coordinator.js';
import { parsePool, PoolRoles } from '../../daemon/cluster/pool-roles.js';
import { createLogger } from '../../daemon/log.js';
import { startOpsServer } from '../../daemon/stats/ops-server.js';
import { EtcdCluster, etcdAvailable, etcdBinary } from './etcd-cluster.js';

/**
 * Hot standby of a dedicated-server pool over a real three-member etcd: the active node (a
 * coordinator in a child process) owns `pool/bank/active`; the standby's `/health/pool/bank` answers
 * 503 until the active node is killed -9, then 200 within the lease TTL plus a second or so.
 */
const ttlMs = 2000;

async function health(port: number, pool: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/health/pool/${pool}`)).status;
}

if (!etcdAvailable()) {
  console.log(`pool role test not registered: ${etcdBinary} is missing (test/services.sh installs etcd-server as root)`);
} else {
  test('pool active role: /health/pool answers 503 on the standby until the active node dies, then 200 within TTL + 1.5 s', { timeout: 60_000 }, async () => {
    const etcd = await EtcdCluster.start();
    const keyPrefix = `smsproc-pool-${process.pid}/`;
    const logger = createLogger('silent');
    const active = spawn(process.execPath, [
      fileURLToPath(new URL('./coordinator-child.js', import.meta.url)),
      JSON.stringify({ endpoints: etcd.endpoints, keyPrefix, nodeId: 'a1', resources: ['pool/bank/active'] }),
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    const standbyCoordinator = createEtcdCoordinator({ endpoints: etcd.endpoints, keyPrefix, self: { id: 'b1', site: 'b', weight: 1 }, leaseTtlS: ttlMs / 1000 });
    const roles = new PoolRoles(standbyCoordinator, ['bank:a1/b1', 'other:x1/x2'].map(parsePool), { checkIntervalMs: 100, standbyDelayMs: 200 }, logger);
    const ops = await startOpsServer({
      host: '127.0.0.1', port: 0, registry: new Registry(), readiness: [], logger,
      poolActive: (name) => (roles.isKnown(name) ? roles.isActive(name) : null),
    });
    try {
      let output = '';
      active.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const readyBy = Date.now() + 10_000;
      while (!output.includes('ready') && Date.now() < readyBy) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(output, /owned pool\/bank\/active \d+/, 'the active node owns the pool role');
      await standbyCoordinator.start();
      roles.start();
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(await health(ops.port, 'bank'), 503, 'the standby is not active while the active node lives');
      assert.equal(await health(ops.port, 'nope'), 404, 'an unknown pool is 404');
      assert.deepEqual(roles.mine.map((p) => p.name), ['bank'], 'the node serves only the pools that list it');

      const killedAt = Date.now();
      active.kill('SIGKILL');
      while ((await health(ops.port, 'bank')) !== 200) {
        assert.ok(Date.now() - killedAt < ttlMs + 5000, 'the standby did not take over');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const takeoverMs = Date.now() - killedAt;
      console.log(`pool takeover after kill -9 of the active node: ${takeoverMs} ms (TTL ${ttlMs} ms)`);
      assert.ok(takeoverMs <= ttlMs + 1500, `takeover within TTL + 1.5 s, took ${takeoverMs} ms`);
    } finally {
      if (active.exitCode === null && active.signalCode === null) active.kill('SIGKILL');
      await roles.stop();
      await standbyCoordinator.close();
      await ops.close();
      await etcd.stop();
    }
  });
}
