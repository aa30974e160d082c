import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../../daemon/config/schema.js';
import { sha256Hex } from '../../daemon/domain/credentials.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import { openStore } from '../../daemon/storage/open.js';
import { startReceiver, waitFor } from '../e2e/callback-harness.js';
import { provisionNode, simulator, statusOf, tempDir, TOKEN, type Submitted } from '../e2e/deliver-harness.js';
import { createTestSchema, dropTestSchema, pgUnreachable, testPgUrl } from '../support/postgres.js';

/**
 * smsprocd with `cluster.workers: 2` on a PostgreSQL schema, as a child process, with the SMSC
 * simulator: the workers serve the API on one port and the primary delivers; kill -9 of a worker →
 * it is restarted and nothing accepted is lost; /metrics sums the workers; SIGHUP reaches the workers;
 * SIGTERM drains, exit 0.
 */
const mainScript = fileURLToPath(new URL('../../daemon/main.js', import.meta.url));

interface Daemon {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly opsUrl: string;
  /** Pids of the workers that said they serve, in order (a restarted worker adds one). */
  readonly workers: number[];
}

async function startDaemon(configFile: string): Promise<Daemon> {
  const child = spawn(process.execPath, [mainScript, '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const workers: number[] = [];
  child.stdout?.setEncoding('utf8');
  let buffer = '';
  const ready = await new Promise<{ api: string; ops: string }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        const entry = JSON.parse(line) as { msg?: string; api?: string; ops?: string; worker?: number };
        if (entry.msg === 'worker serving' && entry.worker !== undefined) workers.push(entry.worker);
        if (entry.msg === 'smsprocd ready' && entry.api !== undefined && entry.ops !== undefined) resolve({ api: entry.api, ops: entry.ops });
      }
    });
    child.once('exit', (code) => reject(new Error(`smsprocd exited with ${code} before it was ready`)));
  });
  return { child, baseUrl: `http://${ready.api}`, opsUrl: `http://${ready.ops}`, workers };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** POST /api/v1/sms; the accepted message, or null for any other answer, a cut connection or no answer in time. */
async function submitOrNull(baseUrl: string, body: Record<string, unknown>): Promise<Submitted | null> {
  try {
    const response = await fetch(`${baseUrl}/api/v1/sms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'ACME', ...body }),
      // A connection the primary was handing to the worker as it died is never answered (node:cluster).
      signal: AbortSignal.timeout(3000),
    });
    if (response.status >= 300) return null;
    return ((await response.json()) as { messages: Submitted[] }).messages[0] ?? null;
  } catch {
    return null;
  }
}

/** Sends `count` messages; returns those accepted (a request cut by a dying worker was not accepted). */
async function sendSome(baseUrl: string, label: string, count: number): Promise<Submitted[]> {
  const results = await Promise.all(Array.from({ length: count }, (_, i) => submitOrNull(baseUrl, { to: `7916${String(i).padStart(7, '0')}`, text: `${label} ${i}`, dlr: true })));
  return results.filter((r): r is Submitted => r !== null);
}

/** Whether the workers accept a token: asked several times, so that every worker answers at least once over fresh connections. */
async function tokenAccepted(baseUrl: string, token: string): Promise<boolean> {
  const answers = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
    const response = await fetch(`${baseUrl}/api/v1/sms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ from: 'ACME', to: '79160000001', text: `new token ${Date.now()} ${i}` }),
    });
    await response.text();
    return response.status;
  }));
  return answers.every((status) => status < 300);
}

async function acceptedTotal(opsUrl: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith('smsproc_accepted_messages_total{')).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

const unreachable = await pgUnreachable();
if (unreachable !== null) {
  console.log(`workers test not registered: no PostgreSQL at the test URL: ${unreachable}`);
} else {
  test('cluster.workers 2: API on the workers, SIGHUP reloads them, kill -9 of a worker restarts it with nothing lost, /metrics aggregated, SIGTERM drains', { timeout: 60_000 }, async () => {
    const temp = tempDir();
    const schema = await createTestSchema();
    const smsc = await simulator();
    const receiver = await startReceiver(() => ({ status: 200 }));
    const store = { kind: 'postgres', postgresUrl: testPgUrl, postgresSchema: schema };
    const storeConfig = configSchema.parse({ store, log: { level: 'silent' } });
    const setup = await openStore(storeConfig);
    await provisionNode(setup, { smscPort: smsc.address().port, callbackUrl: receiver.url, route: { tps: 200 } });
    await setup.close();
    const configFile = `${temp.dir}/smsproc.yaml`;
    writeFileSync(configFile, [
      'node: { id: workers-e2e }',
      `store: ${JSON.stringify(store)}`,
      'api: { port: 0 }',
      'ops: { port: 0 }',
      'cluster: { workers: 2 }',
      // Provisioning changes reach the workers by SIGHUP here, long before the next poll.
      'provisioning: { pollIntervalMs: 60000 }',
      "msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 }",
      'log: { level: info }',
      '',
    ].join('\n'));
    const daemon = await startDaemon(configFile);
    try {
      assert.equal(daemon.workers.length, 2);
      const sent = await sendSome(daemon.baseUrl, 'first', 40);
      assert.equal(sent.length, 40);
      const allDelivered = async (): Promise<boolean> => (await Promise.all(sent.map((m) => statusOf(daemon.baseUrl, m.id)))).every((s) => s === 'delivered');
      await waitFor('first batch delivered', allDelivered, 20_000);
      // Only workers accept: the primary's own count is 0, so 40 is the workers' sum.
      assert.equal(await acceptedTotal(daemon.opsUrl), 40);

      const newToken = 'sp_workers_e2e_token_0123456789abcdef';
      const admin = await openStore(storeConfig);
      await admin.applyProvisioning([{ op: 'apiToken.add', clientId: 'acme' as ClientId, token: { id: 't2', sha256: sha256Hex(newToken), createdAt: new Date(0), label: 'sighup' } }]);
      await admin.close();
      assert.equal(await tokenAccepted(daemon.baseUrl, newToken), false);
      daemon.child.kill('SIGHUP');
      await waitFor('the workers reloaded provisioning on SIGHUP', () => tokenAccepted(daemon.baseUrl, newToken), 5000);

      const victim = daemon.workers[0]!;
      process.kill(victim, 'SIGKILL');
      const during = await sendSome(daemon.baseUrl, 'during', 20);
      await waitFor('the killed worker restarted', () => daemon.workers.length === 3, 5000);
      assert.ok(!processAlive(victim));
      const after = await sendSome(daemon.baseUrl, 'after', 20);
      assert.equal(after.length, 20);
      sent.push(...during, ...after);
      await waitFor('every accepted message delivered', allDelivered, 20_000);
      assert.equal(smsc.stats().duplicates.messages, 0);
      // The killed worker's counters died with it; the live workers' still add up.
      assert.ok(await acceptedTotal(daemon.opsUrl) >= 20);

      const live = daemon.workers.slice(1);
      daemon.child.kill('SIGTERM');
      const [code] = (await once(daemon.child, 'exit')) as [number | null];
      assert.equal(code, 0);
      assert.deepEqual(live.filter(processAlive), []);
    } finally {
      if (daemon.child.exitCode === null && daemon.child.signalCode === null) {
        daemon.child.kill('SIGKILL');
        for (const pid of daemon.workers) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
      }
      await smsc.close();
      await receiver.close();
      await dropTestSchema(schema);
      temp.remove();
    }
  });
}
