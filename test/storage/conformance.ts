import { describe } from 'node:test';
import { defineAdminTests } from './conformance-admin.js';
import { defineEnqueueTests } from './conformance-enqueue.js';
import { defineMoTests } from './conformance-mo.js';
import { defineOutboxTests } from './conformance-outbox.js';
import { definePayoutTests } from './conformance-payouts.js';
import { defineDurabilityTests } from './conformance-durability.js';
import { defineProvisioningTests } from './conformance-provisioning.js';
import { defineQueueTests } from './conformance-queue.js';
import { defineReceiptTests } from './conformance-receipts.js';
import { defineStatsTests } from './conformance-stats.js';
import { defineScenarioTests } from './conformance-scenarios.js';
import { defineWebSessionTests } from './conformance-web-sessions.js';
import type { StoreFactory } from './store-factory.js';

export type { StoreFactory, StoreHandle, StoreTestOptions } from './store-factory.js';
export { defaultStoreTestOptions } from './store-factory.js';

/**
 * The Store conformance suite: every adapter runs these tests unchanged, through the port only (no
 * SQL, no adapter imports). Each test gets a fresh store from `factory`.
 */
export function defineStoreConformance(adapterName: string, factory: StoreFactory): void {
  describe(`Store conformance (${adapterName})`, () => {
    defineProvisioningTests(factory);
    defineEnqueueTests(factory);
    defineQueueTests(factory);
    defineReceiptTests(factory);
    defineOutboxTests(factory);
    defineMoTests(factory);
    defineScenarioTests(factory);
    definePayoutTests(factory);
    defineDurabilityTests(factory);
    defineAdminTests(factory);
    defineStatsTests(factory);
    defineWebSessionTests(factory);
  });
}
