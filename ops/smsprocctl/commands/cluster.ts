import { Command } from 'commander';
import { Etcd3 } from 'etcd3';
import { decodeNode, decodeOwner, encodeNode, encodeOwner, nodeKey, nodesPrefix, ownersPrefix, pinKey, pinsPrefix } from '../../../cluster/coordinator/etcd/keys.js';
import { loadConfig } from '../../../daemon/config/load.js';
import type { Config } from '../../../daemon/config/schema.js';
import { clientBindsPrefix } from '../../../daemon/smpp-server/bind-limit.js';
import { CliError, ExitCode, invalid, notFound } from '../cli-error.js';
import { globalsOf } from '../context.js';
import { renderTable, writeJson, writeNote, writeOut } from '../output.js';

/**
 * The cluster as etcd sees it (docs/cluster.md): `status` lists the live nodes and who owns which
 * bind or pool role with its fencing epoch; `drain <node>` sets the node's weight to 0 so that it
 * hands every bind over (its lease kept: the node stays a member); `move <bind> <node>` pins a bind
 * to a node (every node's planner honours the pin while that node is live), `unpin <bind>` ends it.
 */
export function clusterCommand(): Command {
  const cluster = new Command('cluster').description('nodes, bind owners and draining, read from etcd (cluster.coordinator etcd)');
  cluster
    .command('status')
    .description('live nodes (site, weight, binds owned) and the owner and epoch of every bind, pool role and client bind slot')
    .action(async (_options: unknown, command: Command) => {
      await withEtcd(command, async (client, prefix) => {
        const nodeKeys = await client.getAll().prefix(`${prefix}${nodesPrefix}`).exec();
        const ownerKeys = await client.getAll().prefix(`${prefix}${ownersPrefix}`).exec();
        const pinKeys = await client.getAll().prefix(`${prefix}${pinsPrefix}`).exec();
        const pins = pinKeys.kvs.map((kv) => ({
          resource: kv.key.toString().slice(prefix.length + pinsPrefix.length),
          node: decodeOwner(kv.value.toString()),
        })).sort((a, b) => a.resource.localeCompare(b.resource, 'en', { numeric: true }));
        const owners = ownerKeys.kvs.map((kv) => ({
          resource: kv.key.toString().slice(prefix.length + ownersPrefix.length),
          node: decodeOwner(kv.value.toString()),
          epoch: Number(kv.create_revision),
        })).sort((a, b) => a.resource.localeCompare(b.resource, 'en', { numeric: true }));
        const nodes = nodeKeys.kvs.flatMap((kv) => {
          const node = decodeNode(kv.key.toString().slice(prefix.length + nodesPrefix.length), kv.value.toString());
          // Binds and pool roles; the client bind slots (client-binds/…) are listed with the owners but not counted here.
          return node === null ? [] : [{ ...node, owns: owners.filter((o) => o.node === node.id && !o.resource.startsWith(clientBindsPrefix)).length, draining: node.weight === 0 }];
        }).sort((a, b) => a.site.localeCompare(b.site) || a.id.localeCompare(b.id));
        if (globalsOf(command).json === true) {
          writeJson({ nodes, owners, pins });
          return;
        }
        if (nodes.length === 0) writeNote('no live node is registered under this prefix');
        else writeOut(renderTable(['node', 'site', 'weight', 'owns', 'draining'], nodes.map((n) => [n.id, n.site, n.weight, n.owns, n.draining])));
        const live = new Set(nodes.map((n) => n.id));
        if (owners.length > 0) writeOut(renderTable(['resource', 'owner', 'epoch', 'owner live'], owners.map((o) => [o.resource, o.node, o.epoch, o.node !== null && live.has(o.node)])));
        if (pins.length > 0) writeOut(renderTable(['pinned bind', 'to node', 'node live', 'honoured'], pins.map((p) => [p.resource, p.node, p.node !== null && live.has(p.node), owners.some((o) => o.resource === p.resource && o.node === p.node)])));
      });
    });
  cluster
    .command('drain')
    .argument('<node>', 'node id')
    .description('sets the node\'s weight to 0: it hands every bind over and takes none (until it restarts)')
    .action(async (nodeId: string, _options: unknown, command: Command) => {
      await withEtcd(command, async (client, prefix) => {
        const key = `${prefix}${nodeKey(nodeId)}`;
        const value = await client.get(key).string();
        const node = value === null ? null : decodeNode(nodeId, value);
        if (node === null) throw notFound('node', nodeId);
        // Same lease as the node's own registration: the key still vanishes if the node dies.
        await client.put(key).value(encodeNode({ ...node, weight: 0 })).ignoreLease().exec();
        writeNote(`node ${nodeId} is draining: its binds move to the other nodes within a planning round`);
      });
    });
  cluster
    .command('move')
    .argument('<bind>', 'bind resource, route/<routeId>/bind/<n>')
    .argument('<node>', 'node id')
    .description('pins the bind to the node: its owner hands it over and the node binds it; the pin lasts until `cluster unpin`, and is set aside while the node is down or draining')
    .action(async (bind: string, nodeId: string, _options: unknown, command: Command) => {
      if (!bindPattern.test(bind)) throw invalid(`not a bind: ${bind} (give route/<routeId>/bind/<n>)`);
      await withEtcd(command, async (client, prefix) => {
        const node = await client.get(`${prefix}${nodeKey(nodeId)}`).string();
        if (node === null) throw notFound('node', nodeId);
        // No lease: the pin outlives every node, and is set aside by the planner while its node is down.
        await client.put(`${prefix}${pinKey(bind)}`).value(encodeOwner(nodeId)).exec();
        writeNote(`${bind} is pinned to ${nodeId}: it moves there within a planning round (cluster unpin ${bind} to end the pin)`);
      });
    });
  cluster
    .command('unpin')
    .argument('<bind>', 'bind resource, route/<routeId>/bind/<n>')
    .description('ends the bind\'s pin: the normal plan applies again (it may move back, paced)')
    .action(async (bind: string, _options: unknown, command: Command) => {
      await withEtcd(command, async (client, prefix) => {
        const deleted = await client.delete().key(`${prefix}${pinKey(bind)}`).exec();
        if (Number(deleted.deleted) === 0) throw notFound('pin', bind);
        writeNote(`${bind} is no longer pinned`);
      });
    });
  return cluster;
}

const bindPattern = /^route\/[^/]+\/bind\/\d+$/;

async function withEtcd(command: Command, work: (client: Etcd3, prefix: string) => Promise<void>): Promise<void> {
  const config: Config = loadConfig({ file: globalsOf(command).config });
  if (config.cluster.coordinator !== 'etcd' || config.cluster.etcdEndpoints.length === 0) {
    throw invalid('the node config does not name an etcd cluster (cluster.coordinator etcd, cluster.etcdEndpoints)');
  }
  const client = new Etcd3({ hosts: [...config.cluster.etcdEndpoints], dialTimeout: config.cluster.callTimeoutMs });
  try {
    await work(client, config.cluster.etcdKeyPrefix);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`etcd: ${(error as Error).message}`, ExitCode.failure);
  } finally {
    client.close();
  }
}
