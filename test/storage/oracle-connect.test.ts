import { strict as assert } from 'node:assert';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { test } from 'node:test';
import oracledb from 'oracledb';
import { loadConfig } from '../../daemon/config/load.js';
import { Errors, SmsprocError } from '../../daemon/domain/errors.js';
import { openStore } from '../../daemon/storage/open.js';
import { oracleErrorCode } from '../../daemon/storage/oracle/oracle-errors.js';
import { openOracleStore } from '../../daemon/storage/oracle/store.js';
import { parseOracleUrl } from './oracle-factory.js';
import { defaultStoreTestOptions } from './store-factory.js';

/**
 * Oracle adapter only: connection failures through the real driver (node-oracledb, Thin mode) over
 * real TCP on loopback, without an Oracle server: a port nobody listens on, and a "listener" that
 * hangs up at once. Both must reject quickly with STORE_UNAVAILABLE.
 */

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function storeAt(port: number): Promise<Awaited<ReturnType<typeof openOracleStore>>> {
  return openOracleStore(
    { connectString: `127.0.0.1:${port}/SMSPROC`, user: 'smsproc', password: 'not-a-real-password', schema: null, poolMax: 2, connectTimeoutS: 3 },
    { queue: defaultStoreTestOptions.queue, idempotencyRetentionMs: defaultStoreTestOptions.idempotencyRetentionMs, demoFreeSegments: 10 },
  );
}

async function expectUnavailable(call: Promise<unknown>): Promise<string | null> {
  let code: string | null = null;
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof SmsprocError, `not a SmsprocError: ${String(error)}`);
    assert.equal(error.definition, Errors.STORE_UNAVAILABLE);
    code = oracleErrorCode(error.cause);
    return true;
  });
  return code;
}

test('Oracle only: a closed port rejects STORE_UNAVAILABLE within the connect timeout, in Thin mode', async () => {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  const store = await storeAt(port);
  try {
    const started = Date.now();
    const code = await expectUnavailable(store.migrate());
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.equal(code, 'NJS-503');
    assert.equal(oracledb.thin, true);
  } finally {
    await store.close();
  }
});

test('Oracle only: a peer that hangs up at once rejects STORE_UNAVAILABLE', async () => {
  const server = createServer((socket) => socket.destroy());
  const port = await listen(server);
  const store = await storeAt(port);
  try {
    const started = Date.now();
    const code = await expectUnavailable(store.provisioningVersion());
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.match(code ?? '', /^NJS-(500|501|521)$/);
  } finally {
    await store.close();
    await close(server);
  }
});

test('Oracle only: openStore with store.kind oracle names the missing settings, and fails STORE_UNAVAILABLE on a closed port', async () => {
  await assert.rejects(openStore(loadConfig({ env: { SMSPROC_STORE_KIND: 'oracle' } })), /store\.oracleConnectString, store\.oracleUser and store\.oraclePassword/);
  const server = createServer();
  const port = await listen(server);
  await close(server);
  const config = loadConfig({
    env: {
      SMSPROC_STORE_KIND: 'oracle',
      SMSPROC_STORE_ORACLE_CONNECT_STRING: `127.0.0.1:${port}/SMSPROC`,
      SMSPROC_STORE_ORACLE_USER: 'smsproc_daemon',
      SMSPROC_STORE_ORACLE_PASSWORD: 'from-the-environment',
      SMSPROC_STORE_ORACLE_SCHEMA: 'SMSPROC',
    },
  });
  assert.equal(config.store.oraclePassword, 'from-the-environment');
  assert.equal(await expectUnavailable(openStore(config)), 'NJS-503');
});

test('Oracle only: the test URL is user/password@connect string', () => {
  assert.deepEqual(parseOracleUrl('smsproc/p@ss/w0rd@db:1521/FREEPDB1'), { user: 'smsproc', password: 'p@ss/w0rd', connectString: 'db:1521/FREEPDB1' });
  assert.throws(() => parseOracleUrl('db:1521/FREEPDB1'), /user\/password@host:port\/service/);
});
