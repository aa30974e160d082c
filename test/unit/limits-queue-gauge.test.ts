import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { ClientId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import { newMessageId } from '../../daemon/domain/ids.js';
import { createQueueGauge } from '../../daemon/limits/queue-gauge.js';
import { openApiFixture, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;
before(async () => {
  fx = await openApiFixture();
});
after(async () => fx.close());

async function enqueue(count: number): Promise<void> {
  const messages = Array.from({ length: count }, () => ({
    id: newMessageId() as MessageId, clientId: 'acme' as ClientId, clientRef: null, routeId: 'ru' as RouteId, sender: 'ACME',
    recipient: '79031234567', text: 'x', encoding: 'gsm7' as const, segments: 1, priority: 1, notBefore: null,
    expiresAt: new Date(Date.now() + 3_600_000), dlrRequested: false, kannelDlrMask: null, kannelDlrUrl: null, source: 'http' as const,
  }));
  const [outcome] = await fx.store.enqueueMt([{ clientId: 'acme' as ClientId, idempotencyKey: null, requestHash: 'h', messages }]);
  assert.equal(outcome?.kind, 'accepted');
}

test('queue gauge: the store count, plus what this process accepted, refreshed after a second', async () => {
  let now = 0;
  const gauge = createQueueGauge(fx.store, () => now, 1000);
  assert.equal(await gauge.queued('acme' as ClientId), 0);
  await enqueue(3);
  gauge.accepted('acme' as ClientId, 3);
  assert.equal(await gauge.queued('acme' as ClientId), 3, 'counted locally before the refresh');
  await enqueue(2); // accepted by another node: unseen until the refresh
  assert.equal(await gauge.queued('acme' as ClientId), 3);
  now = 1000;
  assert.equal(await gauge.queued('acme' as ClientId), 5, 'the store count replaces the local one');
  assert.equal(await gauge.queued('demo' as ClientId), 0);
});
