import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../daemon/config/load.js';

test('config: store.kind postgres needs store.postgresUrl, and takes its pool size and schema from the environment', () => {
  assert.throws(() => loadConfig({ env: { SMSPROC_STORE_KIND: 'postgres' } }), (error: unknown) =>
    error instanceof ConfigError && error.problems.some((problem) => problem.includes('store.postgresUrl')));
  const config = loadConfig({
    env: { SMSPROC_STORE_KIND: 'postgres', SMSPROC_STORE_POSTGRES_URL: 'postgres://smsproc@db:5432/smsproc', SMSPROC_STORE_POSTGRES_POOL_SIZE: '20', SMSPROC_STORE_POSTGRES_SCHEMA: 'smsproc' },
  });
  assert.equal(config.store.kind, 'postgres');
  assert.equal(config.store.postgresPoolSize, 20);
  assert.equal(config.store.postgresSchema, 'smsproc');
  assert.throws(() => loadConfig({ env: { SMSPROC_STORE_POSTGRES_SCHEMA: 'Bad-Name' } }), ConfigError);
});
