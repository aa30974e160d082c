import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { IpcBindHost } from '../../daemon/cluster/ipc-bind-host.js';
import { configSchema } from '../../daemon/config/schema.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import { DeliveryService, type DeliveryDeps } from '../../daemon/dispatch/delivery-service.js';
import { createLogger } from '../../daemon/log.js';
import { openProvisioningCache } from '../../daemon/storage/provisioning-cache.js';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import { clientPut, provision, raiseMo, startReceiver, waitFor } from './callback-harness.js';

/**
 * The dead-letter check of SMPP-channel events that no node claimed is one query over the whole
 * outbox, so it runs once a node: with workers not in each worker's sender but in the primary's,
 * which runs it even when the node has no SMPP server (its sender then claims nothing).
 */
test('dead-letter check of unclaimed SMPP events: a worker\'s callback sender leaves it to the primary\'s', async () => {
  const handle = await openTestSqliteStore();
  const { store } = handle;
  const receiver = await startReceiver(() => ({ status: 200 }));
  const logger = createLogger(process.env['SMSPROC_TEST_LOG'] ?? 'silent');
  const provisioning = await openProvisioningCache(store, { pollIntervalMs: 60_000, logger });
  try {
    await provision(store, [
      clientPut('acme', { moUrl: null, smpp: { systemId: 'acme', passwordHash: 'scrypt$x', maxBinds: 2, enabled: true } }),
      clientPut('zeta', { moUrl: `${receiver.url}/mo`, shortCodes: ['5555'], keywords: [] }),
    ]);
    await provisioning.refresh();
    const unclaimed = await raiseMo(store, 'acme', 'NOBODY BOUND');
    // An SMPP-channel event due for 100 ms has waited its span; the check may run every 50 ms.
    const callbacks = { pollIntervalMs: 50, unclaimedCheckIntervalMs: 50, backoff: { firstDelayMs: 200, maxDelayMs: 1000, maxAgeMs: 100, jitterRatio: 0.2 } };
    await new Promise((resolve) => setTimeout(resolve, 300));
    const config = configSchema.parse({ node: { id: 'unclaimed-check' }, store: { sqlitePath: handle.database }, log: { level: 'silent' } });
    const delivery = (where: Pick<DeliveryDeps, 'placement' | 'sendsHttpCallbacks'>): DeliveryService => new DeliveryService({ config, store, provisioning, logger, options: { callbacks }, ...where });
    const dead = async (): Promise<string[]> => (await store.listDeadCallbacks({ limit: 10 })).map((event) => event.id);

    const worker = delivery({ placement: { runs: 'when-told' } });
    const http = await raiseMo(store, 'zeta', 'PING');
    await worker.start();
    try {
      // The claim that sent it came right after the check, had this sender run one.
      await waitFor('the worker sent the HTTP callback', () => receiver.received.some((entry) => entry.eventId === http));
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await worker.stop();
    }
    assert.deepEqual(await dead(), [], 'a worker does not dead-letter');
    assert.equal((await store.waitingSmppCallbacks()).get('acme' as ClientId)?.events, 1);

    const primary = delivery({ placement: { runs: 'in-workers', host: new IpcBindHost({ logger }) }, sendsHttpCallbacks: false });
    await primary.start();
    try {
      await waitFor('the primary (no SMPP server) dead-lettered the unclaimed event', async () => (await dead()).length > 0, 5_000);
    } finally {
      await primary.stop();
    }
    assert.deepEqual(await dead(), [unclaimed]);
  } finally {
    provisioning.close();
    await receiver.close();
    await handle.cleanup();
  }
});
