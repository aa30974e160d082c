import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, envNameOf, loadConfig } from '../../daemon/config/load.js';

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
