import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import smpp from 'smpp';
import { decodeOwner } from '../../cluster/coordinator/etcd/keys.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import { closeEsme, request } from '../../ops/smsc-sim/esme-client.js';
import { waitFor } from '../e2e/callback-harness.js';
import { bindRecording, type RecordingSession } from '../e2e/smpp-server-harness.js';
import { EtcdCluster, etcdAvailable, etcdBinary } from './etcd-cluster.js';
import { startSmppNode, type SmppNode, type SmppNodeOptions } from './smpp-bind-limit-node.js';

/**
 * The client's bind limit across nodes (docs/smpp-server.md, "Binding"): two SMPP servers on two
 * coordinators of one three-member etcd; node A in a child process so that it can die by kill -9.
 * Binds go over TCP with the `smpp` package.
 */
if (!etcdAvailable()) {
  console.log(`cluster bind limit test not registered: ${etcdBinary} is missing (test/services.sh installs etcd-server as root)`);
} else {
  let etcd: EtcdCluster;
  let reader: Etcd3;
  before(async () => {
    etcd = await EtcdCluster.start(3);
    reader = new Etcd3({ hosts: [...etcd.endpoints] });
  });
  after(async () => {
    reader.close();
    await etcd.stop();
  });

  test('a client with maxBinds 2 holds at most 2 binds over both nodes; a dead node\'s slots free up with its lease', { timeout: 120_000 }, async () => {
    const keyPrefix = `smsproc-bl${process.pid}-${randomBytes(3).toString('hex')}/`;
    const client = { id: 'bindco', password: 'secret1', maxBinds: 2 };
    const common = { endpoints: [...etcd.endpoints], keyPrefix, client };
    // A's lease outlives its kill by at least TTL − TTL/4 = 3 s: long enough to see its slot still held.
    const optionsA: SmppNodeOptions = { ...common, nodeId: 'node-a', leaseTtlS: 4 };
    const childA = spawn(process.execPath, [fileURLToPath(new URL('./smpp-bind-limit-child.js', import.meta.url)), JSON.stringify(optionsA)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const opened: RecordingSession[] = [];
    let b: SmppNode | null = null;
    try {
      let output = '';
      childA.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor('node A serving', () => output.includes('\n'), 30_000);
      const portA = (JSON.parse(output) as { port: number }).port;
      b = await startSmppNode({ ...common, nodeId: 'node-b', leaseTtlS: 2 });
      const portB = b.port;

      const bind = async (port: number): Promise<RecordingSession> => {
        const session = await bindRecording(port, client.id, client.password, 'transceiver');
        opened.push(session);
        return session;
      };
      /** Node id per slot key of the client, as etcd holds them now. */
      const slots = async (): Promise<string[]> => {
        const kvs = await reader.getAll().prefix(`${keyPrefix}owners/client-binds/${client.id}/`).strings();
        return Object.keys(kvs).sort().map((key) => decodeOwner(kvs[key]!) ?? '?');
      };

      const a1 = await bind(portA);
      const a2 = await bind(portA);
      assert.equal(a1.bindStatus, smpp.ESME_ROK);
      assert.equal(a2.bindStatus, smpp.ESME_ROK);
      assert.deepEqual(await slots(), ['node-a', 'node-a']);
      assert.equal((await bind(portB)).bindStatus, smpp.ESME_RBINDFAIL, 'a third bind, on node B, is over the limit');

      const unbound = await request(a1.session, 'unbind');
      assert.equal(unbound.command_status, smpp.ESME_ROK);
      await closeEsme(a1.session);
      await waitFor('node A released the slot', async () => (await slots()).length === 1);
      assert.equal((await bind(portB)).bindStatus, smpp.ESME_ROK, 'after the unbind on A, B accepts');
      assert.deepEqual((await slots()).sort(), ['node-a', 'node-b']);
      assert.equal((await bind(portA)).bindStatus, smpp.ESME_RBINDFAIL, 'and A refuses: B holds the other slot');

      const killedAt = Date.now();
      childA.kill('SIGKILL');
      assert.equal((await bind(portB)).bindStatus, smpp.ESME_RBINDFAIL, 'the dead node\'s slot holds until its lease expires');
      await waitFor('node A\'s lease expired', async () => !(await slots()).includes('node-a'), 15_000);
      console.log(`node A's slot freed ${Date.now() - killedAt} ms after kill -9 (lease TTL 4 s)`);
      assert.equal((await bind(portB)).bindStatus, smpp.ESME_ROK, 'its slot is free again');
      assert.deepEqual(await slots(), ['node-b', 'node-b']);
      assert.equal((await bind(portB)).bindStatus, smpp.ESME_RBINDFAIL, 'two binds on B: the limit');
      assert.equal(b.smppServer.bindCount(client.id as ClientId), 2);
    } finally {
      childA.kill('SIGKILL');
      for (const session of opened) await closeEsme(session.session);
      await b?.close();
    }
  });

  test('a node whose lease is revoked keeps its sessions and takes their slots back; with etcd frozen each node admits its share', { timeout: 120_000 }, async () => {
    const keyPrefix = `smsproc-bl${process.pid}-${randomBytes(3).toString('hex')}/`;
    const client = { id: 'shareco', password: 'secret2', maxBinds: 4 };
    const common = { endpoints: [...etcd.endpoints], keyPrefix, client, leaseTtlS: 2 };
    const opened: RecordingSession[] = [];
    const nodes: SmppNode[] = [];
    let frozen = false;
    try {
      const b = await startSmppNode({ ...common, nodeId: 'node-b' });
      nodes.push(b);
      const c = await startSmppNode({ ...common, nodeId: 'node-c' });
      nodes.push(c);
      const bind = async (node: SmppNode): Promise<number> => {
        const session = await bindRecording(node.port, client.id, client.password, 'transceiver');
        opened.push(session);
        return session.bindStatus;
      };
      const slotKvs = async () => (await reader.getAll().prefix(`${keyPrefix}owners/client-binds/${client.id}/`).exec()).kvs;
      const slots = async () => (await slotKvs()).map((kv) => decodeOwner(kv.value.toString()) ?? '?').sort();

      assert.equal(await bind(b), smpp.ESME_ROK);
      assert.equal(await bind(b), smpp.ESME_ROK);
      const [held] = await slotKvs();
      const oldLease = held!.lease;
      await reader.leaseClient.leaseRevoke({ ID: oldLease });
      await waitFor('node B holds both slots again, under its new lease', async () => {
        const kvs = await slotKvs();
        return kvs.length === 2 && kvs.every((kv) => kv.lease !== oldLease && decodeOwner(kv.value.toString()) === 'node-b');
      }, 15_000);
      for (const session of opened) {
        const answer = await request(session.session, 'enquire_link');
        assert.equal(answer.command_status, smpp.ESME_ROK, 'the sessions were never closed');
      }
      assert.equal(b.smppServer.bindCount(client.id as ClientId), 2);

      // No etcd answers: both nodes fence; each admits maxBinds ÷ 2 live nodes = 2 of the client's sessions.
      const leaseBeforeOutage = (await slotKvs())[0]!.lease;
      for (let i = 0; i < 3; i++) etcd.freeze(i, true);
      frozen = true;
      await waitFor('both nodes fenced', () => b.coordinator.status().phase === 'fenced' && c.coordinator.status().phase === 'fenced', 15_000);
      assert.equal(await bind(b), smpp.ESME_RBINDFAIL, 'node B has its share already');
      assert.equal(await bind(c), smpp.ESME_ROK);
      assert.equal(await bind(c), smpp.ESME_ROK);
      assert.equal(await bind(c), smpp.ESME_RBINDFAIL, 'node C at its share');

      for (let i = 0; i < 3; i++) etcd.freeze(i, false);
      frozen = false;
      // B's keys of before the outage linger until that lease expires: wait for B's sessions to hold new ones.
      await waitFor('every session holds a slot once etcd answers', async () => {
        const kvs = await slotKvs();
        return kvs.length === 4 && kvs.every((kv) => kv.lease !== leaseBeforeOutage);
      }, 30_000);
      assert.equal((await slots()).join(), 'node-b,node-b,node-c,node-c');
      assert.equal(await bind(c), smpp.ESME_RBINDFAIL, 'four binds over the cluster: the limit');
    } finally {
      if (frozen) for (let i = 0; i < 3; i++) etcd.freeze(i, false);
      for (const session of opened) await closeEsme(session.session);
      for (const node of nodes) await node.close();
    }
  });
}
