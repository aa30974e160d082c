import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { freePort } from './free-port.js';

export const etcdBinary = '/usr/bin/etcd';

export function etcdAvailable(): boolean {
  return existsSync(etcdBinary);
}

interface Member {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  process: ChildProcess | null;
}

/**
 * A three-member etcd cluster on loopback (random ports, temp data dirs), with fast elections
 * (heartbeat 50 ms, election timeout 500 ms) so that tests of leader loss stay short.
 */
export class EtcdCluster {
  private constructor(
    private readonly members: readonly Member[],
    private readonly root: string,
    private readonly initialCluster: string,
  ) {}

  static async start(size = 3): Promise<EtcdCluster> {
    const root = mkdtempSync(join(tmpdir(), 'smsproc-etcd-'));
    const members: Member[] = [];
    for (let i = 0; i < size; i++) {
      members.push({
        name: `m${i}`,
        clientUrl: `http://127.0.0.1:${await freePort()}`,
        peerUrl: `http://127.0.0.1:${await freePort()}`,
        dataDir: join(root, `m${i}`),
        process: null,
      });
    }
    const cluster = new EtcdCluster(members, root, members.map((m) => `${m.name}=${m.peerUrl}`).join(','));
    process.once('exit', () => cluster.killAll());
    for (let i = 0; i < size; i++) cluster.launch(i);
    await cluster.waitHealthy(20_000);
    return cluster;
  }

  get endpoints(): readonly string[] {
    return this.members.map((m) => m.clientUrl);
  }

  /** Process ids of the running members (for the benchmarks' CPU and memory figures). */
  get pids(): readonly number[] {
    return this.members.flatMap((m) => (m.process?.pid === undefined ? [] : [m.process.pid]));
  }

  private launch(index: number): void {
    const member = this.members[index]!;
    const child = spawn(etcdBinary, [
      '--name', member.name,
      '--data-dir', member.dataDir,
      '--listen-client-urls', member.clientUrl,
      '--advertise-client-urls', member.clientUrl,
      '--listen-peer-urls', member.peerUrl,
      '--initial-advertise-peer-urls', member.peerUrl,
      '--initial-cluster', this.initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', `smsproc-test-${process.pid}`,
      '--heartbeat-interval', '50',
      '--election-timeout', '500',
      '--logger', 'zap',
      '--log-level', 'error',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      if (code !== 0 && code !== null && signal === null) process.stderr.write(`etcd ${member.name} exited ${code}: ${errors}\n`);
    });
    member.process = child;
  }

  /** Stops a member at once (SIGKILL), as a crash would. */
  async kill(index: number): Promise<void> {
    const child = this.members[index]!.process;
    this.members[index]!.process = null;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) a member: it keeps its sockets but answers nothing. */
  freeze(index: number, frozen: boolean): void {
    this.members[index]!.process?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Starts a stopped member again on its data dir and ports. */
  restart(index: number): void {
    if (this.members[index]!.process !== null) throw new Error(`member ${index} is running`);
    this.launch(index);
  }

  /** The index of the member that is the Raft leader now, asked of the given member (default: the first running one). */
  async leaderIndex(askIndex = this.members.findIndex((m) => m.process !== null)): Promise<number> {
    const asked = this.members[askIndex];
    if (asked === undefined) throw new Error('no etcd member is running');
    const client = new Etcd3({ hosts: asked.clientUrl, dialTimeout: 2000 });
    try {
      const ids: string[] = [];
      for (const member of this.members) {
        const probe = new Etcd3({ hosts: member.clientUrl, dialTimeout: 1000 });
        try {
          const status = await probe.maintenance.status({ deadline: Date.now() + 1000 });
          ids.push(status.header.member_id);
        } catch {
          ids.push('');
        } finally {
          probe.close();
        }
      }
      const status = await client.maintenance.status({ deadline: Date.now() + 2000 });
      const index = ids.indexOf(status.leader);
      if (index < 0) throw new Error(`leader ${status.leader} is not among ${ids.join(',')}`);
      return index;
    } finally {
      client.close();
    }
  }

  /** Resolves when a write through every running member succeeds. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const giveUpAt = Date.now() + timeoutMs;
    for (const member of this.members) {
      if (member.process === null) continue;
      // A fresh client per attempt: the client's circuit breaker would hold a failed host for 5 s.
      for (;;) {
        const client = new Etcd3({ hosts: member.clientUrl, dialTimeout: 1000 });
        try {
          await client.put('smsproc-test/health').value(member.name).options({ deadline: Date.now() + 1000 }).exec();
          break;
        } catch (error) {
          if (Date.now() > giveUpAt) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        } finally {
          client.close();
        }
      }
    }
  }

  private killAll(): void {
    for (const member of this.members) member.process?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    for (let i = 0; i < this.members.length; i++) await this.kill(i);
    rmSync(this.root, { recursive: true, force: true });
  }
}
