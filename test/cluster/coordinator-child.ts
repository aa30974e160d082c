// A coordinator in its own process, so a test can kill -9 it: argv[2] is JSON
// {endpoints, keyPrefix, nodeId, resources}; prints `owned <resource> <epoch>` per acquisition.
import { createEtcdCoordinator } from '../../cluster/coordinator/etcd/etcd-coordinator.js';

interface ChildConfig {
  readonly endpoints: string[];
  readonly keyPrefix: string;
  readonly nodeId: string;
  readonly resources: string[];
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const coordinator = createEtcdCoordinator({
  endpoints: config.endpoints,
  keyPrefix: config.keyPrefix,
  self: { id: config.nodeId, site: 'b', weight: 1 },
  leaseTtlS: 2,
});
await coordinator.start();
for (const resource of config.resources) {
  const ownership = await coordinator.tryAcquire(resource);
  if (ownership !== null) process.stdout.write(`owned ${resource} ${ownership.epoch}\n`);
}
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
