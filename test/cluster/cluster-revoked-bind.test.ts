import { test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { ownerKey } from '../../cluster/coordinator/etcd/keys.js';
import { waitFor } from '../e2e/callback-harness.js';
import { clusterServicesMissing } from './cluster-services.js';
import { BINDS, everyBindOwned, sessionsClosedSince, WINDOW, withCluster } from './cluster-under-load.js';

/**
 * Regression: a bind whose owner key vanished from etcd (deleted by an operator: loss 'revoked') was
 * fenced, then acquired again by the same node at once, while its fenced loop was still stopping; the
 * dispatcher, which runs one loop per bind index, ignored the new start, so the node owned the bind
 * and never bound it again. Four nodes under load (cluster-under-load.ts); the key of bind 0 is
 * deleted several times, and each time the bind must be owned, bound and submitting again.
 */
const ROUNDS = 4;

const missing = await clusterServicesMissing();
if (missing !== null) {
  console.log(`cluster revoked-bind test not registered: ${missing}`);
} else {
  test('an owner key deleted in etcd: the bind is fenced, acquired again and bound again, each time', { timeout: 120_000 }, async () => {
    await withCluster(async (cluster) => {
      const { etcd, smsc, prefix, binds } = cluster;
      const client = new Etcd3({ hosts: [...etcd.endpoints], dialTimeout: 2000 });
      const startedAt = Date.now();
      try {
        for (let round = 1; round <= ROUNDS; round++) {
          const closed = () => smsc.stats().binds.list.filter((b) => b.closedAt !== null).length;
          const closedBefore = closed();
          await client.delete().key(prefix + ownerKey(binds[0]!)).exec();
          await waitFor(`round ${round}: the fenced session closed`, () => closed() > closedBefore, 15_000);
          const submitted = smsc.stats().submits.total;
          await waitFor(`round ${round}: bind 0 owned, bound and submitting again`, async () =>
            await everyBindOwned(cluster) && smsc.stats().binds.open === BINDS && smsc.stats().submits.total >= submitted + 20, 20_000);
        }
      } finally {
        client.close();
      }
      return WINDOW * sessionsClosedSince(smsc, startedAt);
    });
  });
}
