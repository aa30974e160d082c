import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { decodeOwner, ownerKey } from '../../cluster/coordinator/etcd/keys.js';
import type { NodeOptions } from '../e2e/deliver-harness.js';

/**
 * smsproc nodes as child processes sharing one PostgreSQL store and one etcd (for the cluster test
 * and ops/bench/failover.ts): start, kill -9, SIGTERM, and who owns a bind as etcd says.
 */
const childScript = fileURLToPath(new URL('./cluster-node-child.js', import.meta.url));
const running = new Set<ChildProcess>();

/** kill -9 of every node still running, as when the test or bench exits or is interrupted. */
export function killRunningNodes(): void {
  for (const child of running) child.kill('SIGKILL');
}
// A test or bench that dies must not leave nodes running.
process.once('exit', killRunningNodes);

export interface ClusterNode {
  readonly id: string;
  readonly site: string;
  readonly child: ChildProcess;
  readonly baseUrl: string;
}

export function alive(node: ClusterNode): boolean {
  return node.child.exitCode === null && node.child.signalCode === null;
}

export async function startClusterNode(options: NodeOptions & { node: { id: string; site: string } }): Promise<ClusterNode> {
  // The PostgreSQL run variable (deliver-store.ts) is inherited: every node opens the same schema.
  const child = spawn(process.execPath, [childScript, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  child.stdout?.setEncoding('utf8');
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`node ${options.node.id} exited with ${code} before serving`)));
  });
  const { baseUrl } = JSON.parse(line) as { baseUrl: string };
  return { id: options.node.id, site: options.node.site, child, baseUrl };
}

/** Sends the signal and waits for the exit; returns the exit code (null after a kill). */
export async function stopNode(node: ClusterNode, signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null> {
  if (!alive(node)) return node.child.exitCode;
  const exited = once(node.child, 'exit');
  node.child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

/** Reads who owns resources in etcd (the cluster's keys under `prefix`). */
export class OwnerReader {
  private readonly client: Etcd3;

  constructor(endpoints: readonly string[], private readonly prefix: string) {
    this.client = new Etcd3({ hosts: [...endpoints], dialTimeout: 2000 });
  }

  /** Rejects after 2 s when etcd does not answer (no majority). */
  async ownerOf(resource: string): Promise<string | null> {
    const value = await this.client.get(`${this.prefix}${ownerKey(resource)}`).options({ deadline: Date.now() + 2000 }).string();
    return value === null ? null : decodeOwner(value);
  }

  /** The owner of each resource, in order. */
  ownersOf(resources: readonly string[]): Promise<(string | null)[]> {
    return Promise.all(resources.map((resource) => this.ownerOf(resource)));
  }

  close(): void {
    this.client.close();
  }
}
