import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Errors, SmsprocError } from '../../daemon/domain/errors.js';
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import { clientPut, route } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

function isProvisioningInvalid(error: unknown): boolean {
  assert.ok(error instanceof SmsprocError, `expected SmsprocError, got ${String(error)}`);
  assert.equal(error.definition, Errors.PROVISIONING_INVALID);
  return true;
}

export function defineProvisioningTests(factory: StoreFactory): void {
  test('provisioning: a fresh store is empty at version 0 and migrate() is safe to repeat', () =>
    withStore(factory, {}, async (store) => {
      await store.migrate();
      assert.equal(await store.provisioningVersion(), 0);
      const snapshot = await store.loadProvisioning();
      assert.deepEqual(snapshot, { version: 0, clients: [], routes: [], prefixes: [] });
      assert.equal(await store.countNumberOverrides(), 0);
    }));

  test('provisioning: clients, tokens, routes and prefixes round-trip, one version per applied list', () =>
    withStore(factory, {}, async (store) => {
      const createdAt = new Date('2026-01-02T03:04:05.678Z');
      const version = await store.applyProvisioning([
        { op: 'route.put', route: route('mts-1') },
        { op: 'route.put', route: route('beeline', { tls: true, inDoubtPolicy: 'hold', bindMode: 'transmitter+receiver' }) },
        { op: 'prefix.put', prefix: { prefix: '7916', routeId: 'mts-1' as RouteId } },
        { op: 'prefix.put', prefix: { prefix: '7903', routeId: 'beeline' as RouteId } },
        { op: 'client.put', client: clientPut('acme', { passwordHash: 'scrypt$x', maxTps: 50, demo: true }) },
        { op: 'apiToken.add', clientId: 'acme' as ClientId, token: { id: 't1', sha256: 'ab'.repeat(32), createdAt, label: 'ci' } },
      ]);
      assert.equal(version, 1);
      assert.equal(await store.provisioningVersion(), 1);
      const snapshot = await store.loadProvisioning();
      assert.equal(snapshot.version, 1);
      assert.deepEqual(snapshot.routes, [route('beeline', { tls: true, inDoubtPolicy: 'hold', bindMode: 'transmitter+receiver' }), route('mts-1')]);
      assert.deepEqual(snapshot.prefixes, [{ prefix: '7903', routeId: 'beeline' }, { prefix: '7916', routeId: 'mts-1' }]);
      const [client] = snapshot.clients;
      assert.ok(client);
      const { apiTokens, ...record } = client;
      const virtualPort = record.virtualPort;
      assert.deepEqual({ ...record, virtualPort: null }, clientPut('acme', { passwordHash: 'scrypt$x', maxTps: 50, demo: true }));
      assert.ok(Number.isInteger(virtualPort) && virtualPort > 0);
      assert.deepEqual(apiTokens, [{ id: 't1', sha256: 'ab'.repeat(32), createdAt, label: 'ci' }]);

      assert.equal(await store.applyProvisioning([
        { op: 'apiToken.remove', clientId: 'acme' as ClientId, tokenId: 't1' },
        { op: 'client.put', client: clientPut('acme', { name: 'Acme Bank' }) },
        { op: 'prefix.delete', prefix: '7903' },
      ]), 2);
      const after = await store.loadProvisioning();
      assert.equal(after.clients[0]?.name, 'Acme Bank');
      assert.equal(after.clients[0]?.virtualPort, virtualPort, 'a put without a port keeps the port');
      assert.deepEqual(after.clients[0]?.apiTokens, []);
      assert.deepEqual(after.prefixes.map((p) => p.prefix), ['7916']);
    }));

  test('provisioning: a client\'s SMPP access round-trips, and null removes it', () =>
    withStore(factory, {}, async (store) => {
      const smpp = { systemId: 'acme-smpp', passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', maxBinds: 3, enabled: false };
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { smpp }) }]);
      assert.deepEqual((await store.loadProvisioning()).clients[0]?.smpp, smpp);
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { smpp: null }) }]);
      assert.equal((await store.loadProvisioning()).clients[0]?.smpp, null);
    }));

  test('provisioning: a list naming a missing client or route is rejected whole, version unchanged', () =>
    withStore(factory, {}, async (store) => {
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme') }]);
      const rejected = [
        [{ op: 'route.put', route: route('r2') }, { op: 'prefix.put', prefix: { prefix: '7999', routeId: 'nope' as RouteId } }],
        [{ op: 'route.put', route: route('r2') }, { op: 'client.delete', id: 'ghost' as ClientId }],
        [{ op: 'route.put', route: route('r2') }, { op: 'route.delete', id: 'ghost' as RouteId }],
        [{ op: 'apiToken.add', clientId: 'ghost' as ClientId, token: { id: 't', sha256: 'cd'.repeat(32), createdAt: new Date(), label: '' } }],
        [{ op: 'apiToken.remove', clientId: 'acme' as ClientId, tokenId: 'missing' }],
        [{ op: 'route.put', route: route('r2') }, { op: 'overrides.replace', overrides: [{ msisdn: '79160000000', routeId: 'ghost' as RouteId }] }],
      ] as const;
      for (const changes of rejected) {
        await assert.rejects(store.applyProvisioning(changes), isProvisioningInvalid, JSON.stringify(changes));
      }
      assert.equal(await store.provisioningVersion(), 1);
      const snapshot = await store.loadProvisioning();
      assert.deepEqual(snapshot.routes.map((r) => r.id), ['mts-1'], 'r2 of the rejected lists is absent');
      assert.equal(await store.countNumberOverrides(), 0);
    }));

  test('provisioning: a route still named by a prefix cannot be deleted', () =>
    withStore(factory, {}, async (store) => {
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'prefix.put', prefix: { prefix: '7916', routeId: 'mts-1' as RouteId } }]);
      await assert.rejects(store.applyProvisioning([{ op: 'route.delete', id: 'mts-1' as RouteId }]), isProvisioningInvalid);
      assert.equal(await store.applyProvisioning([{ op: 'prefix.delete', prefix: '7916' }, { op: 'route.delete', id: 'mts-1' as RouteId }]), 2);
      assert.deepEqual((await store.loadProvisioning()).routes, []);
    }));

  test('provisioning: virtual ports are unique, kept on update and never reused after a delete', () =>
    withStore(factory, {}, async (store) => {
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('a') }, { op: 'client.put', client: clientPut('b') }]);
      const ports = new Map((await store.loadProvisioning()).clients.map((c) => [c.id as string, c.virtualPort]));
      const portA = ports.get('a');
      const portB = ports.get('b');
      assert.ok(portA !== undefined && portB !== undefined && portA !== portB);
      await store.applyProvisioning([{ op: 'client.delete', id: 'b' as ClientId }]);
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('c') }]);
      const portC = (await store.loadProvisioning()).clients.find((c) => c.id === 'c')?.virtualPort;
      assert.ok(portC !== undefined && portC !== portA && portC !== portB, `port ${portC} is new`);
      await assert.rejects(store.applyProvisioning([{ op: 'client.put', client: clientPut('d', { virtualPort: portB }) }]), isProvisioningInvalid);
      await assert.rejects(store.applyProvisioning([{ op: 'client.put', client: clientPut('d', { virtualPort: portA }) }]), isProvisioningInvalid);
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('e', { virtualPort: 90_000 }) }]);
      assert.equal((await store.loadProvisioning()).clients.find((c) => c.id === 'e')?.virtualPort, 90_000);
    }));

  test('provisioning: number overrides are replaced whole and looked up by number', () =>
    withStore(factory, {}, async (store) => {
      await store.applyProvisioning([
        { op: 'route.put', route: route('mts-1') },
        { op: 'route.put', route: route('beeline') },
        { op: 'overrides.replace', overrides: [{ msisdn: '79161111111', routeId: 'beeline' as RouteId }, { msisdn: '79032222222', routeId: 'mts-1' as RouteId }] },
      ]);
      assert.equal(await store.countNumberOverrides(), 2);
      const found = await store.findNumberOverrides(['79161111111', '79160000000']);
      assert.deepEqual([...found], [['79161111111', 'beeline']]);
      await store.applyProvisioning([{ op: 'overrides.replace', overrides: [{ msisdn: '79160000000', routeId: 'mts-1' as RouteId }] }]);
      assert.equal(await store.countNumberOverrides(), 1);
      assert.deepEqual([...await store.findNumberOverrides(['79161111111', '79160000000'])], [['79160000000', 'mts-1']]);
    }));
}
