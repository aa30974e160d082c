import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, envNameOf, loadConfig } from '../../daemon/config/load.js';
import { projectRoot } from '../testdata.js';

test('the embedded default needs no file: SQLite under ./var, API on 127.0.0.1:8080', () => {
  const config = loadConfig({ env: {} });
  assert.equal(config.store.kind, 'sqlite');
  assert.equal(config.store.sqlitePath, './var/smsproc.db');
  assert.equal(config.api.host, '127.0.0.1');
  assert.equal(config.api.port, 8080);
  assert.ok(Object.isFrozen(config.api), 'config is frozen');
});

test('environment overrides the file, with types taken from the defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-config-'));
  const file = join(dir, 'node.yaml');
  writeFileSync(file, 'api:\n  port: 9000\n  maxBatchSize: 50\nnode:\n  site: dc1\n');
  const config = loadConfig({ file, env: { SMSPROC_API_PORT: '9100', SMSPROC_API_TRUSTED_PROXIES: '10.0.0.1, ::1' } });
  assert.equal(config.api.port, 9100);
  assert.equal(config.api.maxBatchSize, 50);
  assert.equal(config.node.site, 'dc1');
  assert.deepEqual(config.api.trustedProxies, ['10.0.0.1', '::1']);
});

test('every problem is listed at once, with its environment name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-config-'));
  const file = join(dir, 'node.yaml');
  writeFileSync(file, 'api:\n  prot: 9000\n');
  assert.throws(
    () => loadConfig({ file, env: { SMSPROC_LOG_LEVEL: 'loud', SMSPROC_API_TLS_CERT_FILE: '/x.pem' } }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      assert.match(text, /prot/, 'unknown key reported');
      assert.match(text, /SMSPROC_LOG_LEVEL/);
      return true;
    },
  );
});

test('cross-field rules: TLS needs both files', () => {
  assert.throws(() => loadConfig({ env: { SMSPROC_API_TLS_CERT_FILE: '/x.pem' } }), /tlsCertFile and api.tlsKeyFile/);
});

test('cross-field rules: a pool route names a pool that cluster.pools defines', () => {
  const config = loadConfig({ env: { SMSPROC_CLUSTER_POOLS: 'bank:a1/b1', SMSPROC_CLUSTER_POOL_ROUTES: 'bank:mts, bank:mgf' } });
  assert.deepEqual(config.cluster.poolRoutes, ['bank:mts', 'bank:mgf']);
  assert.throws(() => loadConfig({ env: { SMSPROC_CLUSTER_POOLS: 'bank:a1/b1', SMSPROC_CLUSTER_POOL_ROUTES: 'shop:mts' } }), /poolRoutes names a pool/);
});

test('cross-field rules: callback concurrency and lease against the request timeout', () => {
  assert.throws(() => loadConfig({ env: { SMSPROC_CALLBACKS_LEASE_MS: '5000', SMSPROC_CALLBACKS_REQUEST_TIMEOUT_MS: '5000' } }), /callbacks.leaseMs must exceed/);
  assert.throws(() => loadConfig({ env: { SMSPROC_CALLBACKS_GLOBAL_CONCURRENCY: '4' } }), /globalConcurrency must be at least/);
  const config = loadConfig({ env: { SMSPROC_DISPATCH_CLAIM_IDLE_MS: '50', SMSPROC_INBOUND_DEDUP_WITHOUT_IDENTITY: 'false' } });
  assert.equal(config.dispatch.claimIdleMs, 50);
  assert.equal(config.dispatch.leaseMs, 30_000, 'today\'s values are the defaults');
  assert.equal(config.inbound.dedupWithoutIdentity, false);
  assert.equal(config.callbacks.perClientConcurrency, 32);
});

test('env names are derived from the path', () => {
  assert.equal(envNameOf(['api', 'tlsCertFile']), 'SMSPROC_API_TLS_CERT_FILE');
  assert.equal(envNameOf(['store', 'sqlitePath']), 'SMSPROC_STORE_SQLITE_PATH');
});

test('a missing or malformed file is a clear error', () => {
  assert.throws(() => loadConfig({ file: '/nonexistent/node.yaml', env: {} }), /cannot read/);
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-config-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'api: [1, 2\n');
  assert.throws(() => loadConfig({ file, env: {} }), /not valid YAML/);
});

test('docs/config.md documents every setting with its environment name and default', () => {
  const doc = readFileSync(join(projectRoot(), 'docs', 'config.md'), 'utf8');
  const defaults = loadConfig({ env: {} }) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, settings] of Object.entries(defaults)) {
    for (const [key, value] of Object.entries(settings)) {
      if (section === 'node' && key === 'id') continue; // the host name: differs per machine
      const shown = Array.isArray(value) ? '[]' : String(value);
      const row = `| \`${section}.${key}\` | \`${envNameOf([section, key])}\` | \`${shown}\` |`;
      assert.ok(doc.includes(row), `docs/config.md lacks the row: ${row}`);
    }
  }
});

test('the example node file in docs is valid', () => {
  const config = loadConfig({ file: join(projectRoot(), 'docs', 'examples', 'node.yaml'), env: {} });
  assert.equal(config.node.site, 'dc1');
});

test('regression: a nullable number set from the environment is a number, a nullable digit string stays text', () => {
  const config = loadConfig({ env: { SMSPROC_MSISDN_NATIONAL_NUMBER_LENGTH: '10', SMSPROC_MSISDN_DEFAULT_COUNTRY_CODE: '7', SMSPROC_MSISDN_NATIONAL_PREFIX: '8' } });
  assert.equal(config.msisdn.nationalNumberLength, 10);
  assert.equal(config.msisdn.defaultCountryCode, '7');
  assert.equal(config.msisdn.nationalPrefix, '8');
  assert.equal(loadConfig({ env: { SMSPROC_API_TLS_CERT_FILE: 'null' } }).api.tlsCertFile, null);
});
