import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEtcdCoordinator } from '../../cluster/coordinator/etcd/etcd-coordinator.js';
import type { Coordinator } from '../../cluster/coordinator/port.js';
import { configSchema } from '../../daemon/config/schema.js';
import { createLogger } from '../../daemon/log.js';
import { clusterBindLimit } from '../../daemon/smpp-server/bind-limit.js';
import { startSmppServer, type SmppServer } from '../../daemon/smpp-server/smpp-server.js';
import { openStore } from '../../daemon/storage/open.js';
import { openProvisioningCache } from '../../daemon/storage/provisioning-cache.js';
import { addSmppClient } from '../e2e/smpp-server-harness.js';

/** What the bind-limit cluster test gives each node (not a test). */
export interface SmppNodeOptions {
  readonly endpoints: readonly string[];
  readonly keyPrefix: string;
  readonly nodeId: string;
  readonly leaseTtlS: number;
  /** The SMPP client every node provisions: system_id = id. */
  readonly client: { readonly id: string; readonly password: string; readonly maxBinds: number };
}

export interface SmppNode {
  readonly port: number;
  readonly coordinator: Coordinator;
  readonly smppServer: SmppServer;
  close(): Promise<void>;
}

/**
 * An SMPP server whose bind limit holds through an etcd coordinator, as the daemon runs it with
 * `cluster.coordinator: etcd`, on a store of its own (the binds need only the client's provisioning).
 */
export async function startSmppNode(options: SmppNodeOptions): Promise<SmppNode> {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-bindlimit-'));
  const config = configSchema.parse({
    node: { id: options.nodeId },
    store: { sqlitePath: join(dir, 'smsproc.db') },
    smppServer: { enabled: true, host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  });
  const logger = createLogger(process.env['SMSPROC_TEST_LOG'] ?? 'silent');
  const store = await openStore(config);
  const provisioning = await openProvisioningCache(store, { pollIntervalMs: 60_000, logger });
  await addSmppClient({ store, provisioning }, options.client);
  const coordinator = createEtcdCoordinator({
    endpoints: options.endpoints,
    keyPrefix: options.keyPrefix,
    self: { id: options.nodeId, site: 'a', weight: 1 },
    leaseTtlS: options.leaseTtlS,
    log: logger,
  });
  await coordinator.start();
  const smppServer = await startSmppServer({ config, store, provisioning, logger, bindLimit: clusterBindLimit(coordinator, logger) });
  return {
    port: smppServer.port,
    coordinator,
    smppServer,
    async close() {
      await smppServer.close();
      await coordinator.close();
      provisioning.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
