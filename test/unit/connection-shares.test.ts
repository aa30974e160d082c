import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { connectionName, connectionShares, connectionsOf, MIN_PROCESS_CONNECTIONS, minimumNodeConnections } from '../../daemon/cluster/connection-shares.js';
import { ConfigError, loadConfig } from '../../daemon/config/load.js';
import { createOracledbPool } from '../../daemon/storage/oracle/oracledb-session.js';

/**
 * The node's database connections split between the primary and its workers
 * (docs/cluster.md, "Process model"): the sum is the configured total, no process gets fewer than
 * the floor, and a total below the floor is a config error.
 */

test('connection shares: the primary and the workers together hold exactly the node total, each at least the floor', () => {
  for (const intake of [false, true]) {
    for (let workers = 2; workers <= 64; workers++) {
      for (let total = minimumNodeConnections(workers); total <= 300; total++) {
        const { primary, worker } = connectionShares(total, workers, intake);
        const where = `total ${total}, workers ${workers}, intake ${intake}`;
        assert.equal(primary + worker * workers, total, where);
        assert.ok(primary >= MIN_PROCESS_CONNECTIONS && worker >= MIN_PROCESS_CONNECTIONS, where);
        // The leftover of the division never exceeds one connection per worker.
        if (intake) assert.ok(primary >= worker && primary - worker < workers + 1, where);
        else assert.ok(primary - MIN_PROCESS_CONNECTIONS < workers, where);
      }
    }
  }
  // Without an SMPP server the primary keeps two and the workers share the rest; with one, even shares.
  assert.deepEqual(connectionShares(10, 2, false), { primary: 2, worker: 4 });
  assert.deepEqual(connectionShares(10, 2, true), { primary: 4, worker: 3 });
  assert.deepEqual(connectionShares(6, 2, false), { primary: 2, worker: 2 });
  // One process alone holds it all.
  assert.equal(connectionsOf({ role: 'node' }, 10, 1, false), 10);
  assert.equal(connectionsOf({ role: 'primary' }, 10, 2, false), 2);
  assert.equal(connectionsOf({ role: 'worker', id: 7 }, 10, 2, false), 4);
  assert.equal(connectionsOf({ role: 'smsprocctl' }, 10, 2, false), 2);
});

test('connection shares: a pool setting below the floor of its processes is a config error, on PostgreSQL and Oracle', () => {
  const postgres = { SMSPROC_STORE_KIND: 'postgres', SMSPROC_STORE_POSTGRES_URL: 'postgres://smsproc@db/smsproc', SMSPROC_CLUSTER_WORKERS: '4' };
  assert.throws(() => loadConfig({ env: { ...postgres, SMSPROC_STORE_POSTGRES_POOL_SIZE: '9' } }), (error: unknown) =>
    error instanceof ConfigError && error.problems.some((problem) => problem.startsWith('store.postgresPoolSize') && problem.includes('at least 10')));
  assert.equal(loadConfig({ env: { ...postgres, SMSPROC_STORE_POSTGRES_POOL_SIZE: '10' } }).store.postgresPoolSize, 10);
  // One process: any size from 1.
  assert.equal(loadConfig({ env: { ...postgres, SMSPROC_CLUSTER_WORKERS: '1', SMSPROC_STORE_POSTGRES_POOL_SIZE: '1' } }).store.postgresPoolSize, 1);
  const oracle = { SMSPROC_STORE_KIND: 'oracle', SMSPROC_CLUSTER_WORKERS: '4', SMSPROC_STORE_ORACLE_CONNECT_STRING: 'db:1521/smsproc', SMSPROC_STORE_ORACLE_USER: 'smsproc', SMSPROC_STORE_ORACLE_PASSWORD: 'x' };
  // The default 8 does not cover a primary and four workers at two each.
  assert.throws(() => loadConfig({ env: oracle }), (error: unknown) =>
    error instanceof ConfigError && error.problems.some((problem) => problem.startsWith('store.oraclePoolMax')));
  assert.equal(loadConfig({ env: { ...oracle, SMSPROC_STORE_ORACLE_POOL_MAX: '10' } }).store.oraclePoolMax, 10);
});

test('connection names: node and process, in characters Oracle accepts as a program name', async () => {
  assert.equal(connectionName('a1', { role: 'node' }), 'smsproc/a1');
  assert.equal(connectionName('a1', { role: 'primary' }), 'smsproc/a1/primary');
  assert.equal(connectionName('a1', { role: 'smsprocctl' }), 'smsprocctl/a1');
  const name = connectionName('a1.site-b_2', { role: 'worker', id: 3 });
  assert.equal(name, 'smsproc/a1.site-b_2/worker-3');
  // Thin mode checks the program name when the pool is created (poolMin 0: no server is contacted).
  const target = { connectString: '127.0.0.1:9/none', user: 'u', password: 'p', schema: null, poolMax: 2, connectTimeoutS: 1 };
  const pool = await createOracledbPool({ ...target, program: name });
  await pool.close();
  await assert.rejects(createOracledbPool({ ...target, program: 'smsproc a1' }));
});
