import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../daemon/config/load.js';
import type { RouteId } from '../../daemon/domain/ids.js';
import { openStore } from '../../daemon/storage/open.js';
import { clientPut, mo, route } from '../storage/fixtures.js';
import { ctlHarness } from './smsprocctl-harness.js';

const ctl = ctlHarness();
after(() => ctl.cleanup());

/** Two MO callbacks of client acme that the outbox gave up on, made through the Store port. */
async function seedDeadCallbacks(): Promise<string[]> {
  const store = await openStore(loadConfig({ env: { SMSPROC_STORE_SQLITE_PATH: join(ctl.dir, 'smsproc.db') } }));
  try {
    await store.applyProvisioning([
      { op: 'route.put', route: route('mts-1') },
      { op: 'prefix.put', prefix: { prefix: '7', routeId: 'mts-1' as RouteId } },
      { op: 'client.put', client: clientPut('acme', { moUrl: 'https://acme.test/mo' }) },
    ]);
    for (const text of ['VOTE 1', 'VOTE 2']) await store.recordMo(mo('acme', { text }));
    const events = await store.claimCallbacks({ owner: 'test', limit: 10, perClientLimit: 10, leaseMs: 60_000, scope: { http: true, smppClients: [] } });
    for (const event of events) await store.completeCallback(event.id, 'test', { kind: 'dead', error: 'HTTP 404' });
    return events.map((event) => event.id);
  } finally {
    await store.close();
  }
}

test('smsprocctl callbacks: dead letters are listed and replayed, by id and by client', async () => {
  const ids = await seedDeadCallbacks();
  assert.equal(ids.length, 2);
  const dead = ctl.json<Array<{ id: string; clientId: string; lastError: string }>>(['callbacks', 'dead', '--client', 'acme']);
  assert.deepEqual(dead.map((event) => event.id).sort(), [...ids].sort());
  assert.ok(dead.every((event) => event.lastError === 'HTTP 404' && event.clientId === 'acme'));
  const table = ctl.run(['callbacks', 'dead']);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /HTTP 404/);

  assert.deepEqual(ctl.json(['callbacks', 'replay', ids[0] ?? '']), { replayed: 1 });
  assert.deepEqual(ctl.json<unknown[]>(['callbacks', 'dead']).length, 1);
  assert.deepEqual(ctl.json(['callbacks', 'replay', '--client', 'acme']), { replayed: 1 });
  assert.deepEqual(ctl.json(['callbacks', 'dead']), []);
});

test('smsprocctl callbacks: bad usage exits 2, an unknown client 3', () => {
  assert.equal(ctl.run(['callbacks', 'replay']).code, 2);
  assert.equal(ctl.run(['callbacks', 'replay', 'x', '--client', 'acme']).code, 2);
  assert.equal(ctl.run(['callbacks', 'dead', '--limit', '0']).code, 2);
  assert.equal(ctl.run(['callbacks', 'dead', '--client', 'nobody']).code, 3);
});

test('smsprocctl inbound problems: lists kept problems, filters by kind', async () => {
  const store = await openStore(loadConfig({ env: { SMSPROC_STORE_SQLITE_PATH: join(ctl.dir, 'smsproc.db') } }));
  try {
    await store.recordInboundProblem({ kind: 'receipt-unparsed', routeId: 'mts-1' as RouteId, bindId: null, rawHex: '6964', detail: 'no receipt fields' });
    await store.recordInboundProblem({ kind: 'mo-unrouted', routeId: null, bindId: null, rawHex: '41', detail: 'unknown short code 1111' });
  } finally {
    await store.close();
  }
  const all = ctl.json<Array<{ kind: string }>>(['inbound', 'problems']);
  assert.deepEqual(all.map((problem) => problem.kind).sort(), ['mo-unrouted', 'receipt-unparsed']);
  assert.deepEqual(ctl.json<Array<{ detail: string }>>(['inbound', 'problems', '--kind', 'mo-unrouted']).map((problem) => problem.detail), ['unknown short code 1111']);
  assert.equal(ctl.run(['inbound', 'problems', '--kind', 'nonsense']).code, 2);
});
