import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { sha256Hex } from '../../daemon/domain/credentials.js';
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import { createLogger } from '../../daemon/log.js';
import { openProvisioningCache } from '../../daemon/storage/provisioning-cache.js';
import { ACME_TOKEN, ACME_URL_TOKEN, client, openApiFixture, route, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;
before(async () => {
  fx = await openApiFixture();
});
after(async () => fx.close());

test('clients are indexed by id, login, URL token and API token hash', () => {
  const cache = fx.provisioning;
  assert.equal(cache.clientById('acme' as ClientId)?.login, 'acme');
  assert.equal(cache.clientByLogin('acme')?.id, 'acme');
  assert.equal(cache.clientByUrlToken(ACME_URL_TOKEN)?.id, 'acme');
  assert.equal(cache.clientByApiTokenHash(sha256Hex(ACME_TOKEN))?.id, 'acme');
  assert.equal(cache.clientByLogin('nobody'), undefined);
  assert.equal(cache.routeById('uk' as RouteId)?.concatenation, 'sar');
});

test('routeNumbers: overrides from the store, then the longest prefix, null without a route', async () => {
  const routes = await fx.provisioning.routeNumbers(['79161234567', '79031234567', '79160000001', '33612345678']);
  assert.deepEqual([...routes].map(([msisdn, r]) => [msisdn, r?.id ?? null]), [
    ['79161234567', 'mts'], ['79031234567', 'ru'], ['79160000001', 'uk'], ['33612345678', null],
  ]);
});

test('a change is picked up by refresh(), and by polling; close() stops polling', async () => {
  const cache = await openProvisioningCache(fx.store, { pollIntervalMs: 100, logger: createLogger('silent') });
  try {
    const version = cache.version;
    await fx.store.applyProvisioning([{ op: 'route.put', route: route('fr') }, { op: 'prefix.put', prefix: { prefix: '33', routeId: 'fr' as RouteId } }]);
    const deadline = Date.now() + 2000;
    while (cache.version === version && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(cache.version > version, 'polled within 2 s');
    assert.equal((await cache.routeNumbers(['33612345678'])).get('33612345678')?.id, 'fr');
    cache.close();
    const closedAt = cache.version;
    await fx.store.applyProvisioning([{ op: 'client.put', client: client('late') }]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(cache.version, closedAt, 'no polling after close');
    await cache.refresh();
    assert.equal(cache.clientById('late' as ClientId)?.id, 'late', 'refresh() still reloads on demand');
  } finally {
    cache.close();
  }
});
