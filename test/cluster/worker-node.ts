import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { configSchema, type Config } from '../../daemon/config/schema.js';
import type { RouteRecord } from '../../daemon/domain/provisioning.js';
import { openStore } from '../../daemon/storage/open.js';
import type { SmscSimulator } from '../../ops/smsc-sim/simulator.js';
import { provisionNode, simulator, tempDir, TOKEN, type Submitted } from '../e2e/deliver-harness.js';
import { spawnSmsprocd, type LogEntry } from '../e2e/ops-harness.js';
import { createTestSchema, dropTestSchema, testPgUrl } from '../support/postgres.js';

export type { LogEntry };

/**
 * smsprocd with `cluster.workers: 2` on a fresh PostgreSQL schema, as a child process, with the SMSC
 * simulator in this process and the route `sim` to it: set up and torn down alike for the worker
 * tests (workers.test.ts) and the worker failover bench (ops/bench/worker-failover.ts).
 */

export interface WorkerNodeOptions {
  readonly node: { readonly id: string; readonly site?: string };
  /** Where the client's callbacks go. */
  readonly callbackUrl: string;
  readonly route?: Partial<RouteRecord>;
  /** Settings of `cluster` besides `workers: 2`. */
  readonly cluster?: Record<string, unknown>;
  /** Settings of `store` besides the fresh schema (pool size…). */
  readonly store?: Record<string, unknown>;
  /** Further sections of the node config (dispatch, web, callbacks…). */
  readonly config?: Record<string, unknown>;
  /** Prefix of the PostgreSQL schema's name. */
  readonly schemaPrefix?: string;
}

export interface WorkerNode {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly opsUrl: string;
  /** Pids of the workers that said they serve, in order (a restarted worker adds one). */
  readonly workers: readonly number[];
  readonly log: readonly LogEntry[];
  readonly smsc: SmscSimulator;
  /** The node's store settings, for a test that opens the store itself. */
  readonly storeConfig: Config;
  /** SIGTERM (the drain) and the primary's exit code. */
  stop(): Promise<number | null>;
  /** Kills whatever still runs (primary and workers), closes the simulator, drops the schema. */
  close(): Promise<void>;
}

export async function startWorkerNode(options: WorkerNodeOptions): Promise<WorkerNode> {
  const temp = tempDir();
  const schema = await createTestSchema(options.schemaPrefix);
  const smsc = await simulator();
  const store = { kind: 'postgres', postgresUrl: testPgUrl, postgresSchema: schema, ...options.store };
  const storeConfig = configSchema.parse({ store, log: { level: 'silent' } });
  let child: ChildProcess | null = null;
  let workers: readonly number[] = [];
  const close = async (): Promise<void> => {
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      // SIGKILL reaches a stopped (SIGSTOP) primary too; its workers do not die with it.
      child.kill('SIGKILL');
      for (const pid of workers) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await smsc.close();
    await dropTestSchema(schema);
    temp.remove();
  };
  try {
    const setup = await openStore(storeConfig);
    await provisionNode(setup, { smscPort: smsc.address().port, callbackUrl: options.callbackUrl, ...(options.route === undefined ? {} : { route: options.route }) });
    await setup.close();
    const configFile = `${temp.dir}/smsproc.yaml`;
    // JSON is YAML.
    writeFileSync(configFile, JSON.stringify({
      node: options.node,
      store,
      api: { port: 0 },
      ops: { port: 0 },
      cluster: { workers: 2, ...options.cluster },
      msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 },
      log: { level: 'info' },
      ...options.config,
    }));
    const daemon = await spawnSmsprocd(configFile);
    const started = daemon.child;
    child = started;
    workers = daemon.workers;
    return {
      child: started,
      baseUrl: `http://${daemon.api}`,
      opsUrl: `http://${daemon.ops}`,
      workers: daemon.workers,
      log: daemon.log,
      smsc,
      storeConfig,
      async stop() {
        if (started.exitCode !== null || started.signalCode !== null) return started.exitCode;
        const exited = once(started, 'exit');
        started.kill('SIGTERM');
        const [code] = (await exited) as [number | null];
        return code;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** POST /api/v1/sms; the accepted message, or null for any other answer, a cut connection or no answer in time. */
export async function submitOrNull(baseUrl: string, body: Record<string, unknown>): Promise<Submitted | null> {
  try {
    const response = await fetch(`${baseUrl}/api/v1/sms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'ACME', ...body }),
      // A connection the primary was handing to a worker as it died is never answered (node:cluster).
      signal: AbortSignal.timeout(3000),
    });
    if (response.status >= 300) return null;
    return ((await response.json()) as { messages: Submitted[] }).messages[0] ?? null;
  } catch {
    return null;
  }
}
