import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import smpp from 'smpp';
import type { ClientId, MessageId } from '../../daemon/domain/ids.js';
import { closeEsme } from '../../ops/smsc-sim/esme-client.js';
import { waitFor } from '../e2e/callback-harness.js';
import { simulator, startNode, tempDir, type Node } from '../e2e/deliver-harness.js';
import { dropPgRun, postgresStoreFor, startPgRun } from '../e2e/deliver-store.js';
import { addSmppClient, bindRecording, submitSm } from '../e2e/smpp-server-harness.js';
import { pgUnreachable, withAdmin } from '../support/postgres.js';
import { EtcdCluster, etcdAvailable, etcdBinary } from './etcd-cluster.js';

/**
 * Receipts over SMPP in a cluster: two nodes (in this process) share one PostgreSQL schema, with a
 * one-member etcd so that the route's bind runs on one of them; the client binds as receiver to node
 * B only and submits over SMPP through node A. Its receipts must reach its bind at B, each at the
 * first attempt: node A's callback sender never claims them (docs/smpp-server.md).
 */
const unreachable = await pgUnreachable();
if (!etcdAvailable()) {
  console.log(`cluster SMPP receipts test not registered: ${etcdBinary} is missing (test/services.sh installs etcd-server as root)`);
} else if (unreachable !== null) {
  console.log(`cluster SMPP receipts test not registered: no PostgreSQL at the test URL: ${unreachable}`);
} else {
  test('SMPP receipts go to the node where the client holds its receiving bind, never attempted on the other', { timeout: 120_000 }, async () => {
    const run = startPgRun('sr');
    const etcd = await EtcdCluster.start(1);
    const smsc = await simulator();
    const temp = tempDir();
    const dbPath = `${temp.dir}/shared`;
    const nodes: Node[] = [];
    try {
      for (const id of ['node-a', 'node-b']) {
        nodes.push(await startNode({
          dbPath,
          smscPort: smsc.address().port,
          callbackUrl: 'http://127.0.0.1:9',
          smppServer: {},
          node: { id, site: 'a' },
          cluster: { coordinator: 'etcd', etcdEndpoints: [...etcd.endpoints], etcdKeyPrefix: `smsproc-${run}/`, leaseTtlMs: 2000, planIntervalMs: 300, orphanGraceMs: 500 },
          // A failed attempt would be retried within the test: a retry would show in `attempts`.
          callbacks: { backoff: { firstDelayMs: 300, maxDelayMs: 600, maxAgeMs: 60_000, jitterRatio: 0 } },
        }));
      }
      const [a, b] = nodes as [Node, Node];
      await addSmppClient(a, { id: 'smppco', password: 'secret1' });
      await waitFor('node B knows the client', async () => {
        await b.provisioning.refresh();
        return b.provisioning.clientById('smppco' as ClientId) !== undefined;
      });
      await waitFor('the route bound on one node', () => smsc.stats().binds.open === 1, 30_000);

      const receiver = await bindRecording(b.smppServer!.port, 'smppco', 'secret1', 'receiver');
      assert.equal(receiver.bindStatus, smpp.ESME_ROK);
      const transmitter = await bindRecording(a.smppServer!.port, 'smppco', 'secret1', 'transmitter');
      const ids: MessageId[] = [];
      for (let n = 0; n < 6; n += 1) {
        const response = await submitSm(transmitter.session, { destination_addr: `7916123000${n}`, short_message: `cluster receipt ${n}`, registered_delivery: 1 });
        assert.equal(response.command_status, smpp.ESME_ROK);
        ids.push(String(response.message_id) as MessageId);
      }
      const received = () => new Set(receiver.delivered.map((pdu) => String(pdu.receipted_message_id)));
      await waitFor('every receipt on the bind at node B', () => ids.every((id) => received().has(id)), 60_000);
      assert.equal(transmitter.delivered.length, 0, 'a transmitter bind gets no deliver_sm');

      const schema = (await postgresStoreFor(dbPath))!.postgresSchema;
      const outbox = async () => (await withAdmin((client) => client.query<{ state: string; attempts: number; last_error: string | null }>(
        `SELECT state, attempts, last_error FROM ${schema}.callback_outbox WHERE client_id = 'smppco' ORDER BY seq`))).rows;
      await waitFor('every receipt event recorded delivered', async () => (await outbox()).every((row) => row.state === 'delivered'));
      assert.deepEqual(await outbox(), ids.map(() => ({ state: 'delivered', attempts: 1, last_error: null })), 'each delivered at its first attempt: node A never tried one');
      assert.deepEqual(await a.store.listDeadCallbacks({ limit: 10 }), []);

      // With no receiving bind anywhere a receipt waits, unattempted, and shows as waiting; a bind on
      // node A then takes it.
      await closeEsme(receiver.session);
      const response = await submitSm(transmitter.session, { destination_addr: '79161230099', short_message: 'waits for a bind', registered_delivery: 1 });
      const waitingId = String(response.message_id);
      await waitFor('the receipt raised', async () => (await a.store.waitingSmppCallbacks()).get('smppco' as ClientId)?.events === 1, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal((await b.store.waitingSmppCallbacks()).get('smppco' as ClientId)?.events, 1, 'still waiting after many polls of both nodes');
      assert.equal((await outbox()).at(-1)?.attempts, 0, 'no node attempted it');
      const late = await bindRecording(a.smppServer!.port, 'smppco', 'secret1', 'transceiver');
      await waitFor('the waiting receipt on the new bind at node A', () => late.delivered.some((pdu) => String(pdu.receipted_message_id) === waitingId), 10_000);
      await closeEsme(late.session);
      await closeEsme(transmitter.session);
    } finally {
      for (const node of nodes.reverse()) await node.close();
      await smsc.close();
      await etcd.stop();
      temp.remove();
      await dropPgRun(run);
    }
  });
}
