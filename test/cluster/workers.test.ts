import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../../daemon/config/schema.js';
import { hashPassword, sha256Hex } from '../../daemon/domain/credentials.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import { openStore } from '../../daemon/storage/open.js';
import type { ClusterSection } from '../../daemon/web/dashboard.js';
import { startReceiver, waitFor } from '../e2e/callback-harness.js';
import { provisionNode, simulator, statusOf, tempDir, TOKEN, type Submitted } from '../e2e/deliver-harness.js';
import { createTestSchema, dropTestSchema, pgUnreachable, testPgUrl } from '../support/postgres.js';
import { EtcdCluster } from './etcd-cluster.js';

/**
 * smsprocd with `cluster.workers: 2` on a PostgreSQL schema, as a child process, with the SMSC
 * simulator: the workers serve the API on one port and run the binds the primary hands them; kill -9
 * of a worker → it is restarted, its binds run on the other worker, nothing accepted is lost; /metrics
 * sums the workers; SIGHUP reaches the workers; SIGTERM drains (binds unbound), exit 0.
 */
const mainScript = fileURLToPath(new URL('../../daemon/main.js', import.meta.url));

/** A log line of the daemon (primary or worker: `pid` says which), with when the test read it. */
interface LogEntry {
  readonly msg?: string;
  readonly pid?: number;
  readonly routeId?: string;
  readonly bind?: number | string;
  readonly worker?: number;
  readonly readAt: number;
}

interface Daemon {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly opsUrl: string;
  /** Pids of the workers that said they serve, in order (a restarted worker adds one). */
  readonly workers: number[];
  readonly log: LogEntry[];
}

async function startDaemon(configFile: string): Promise<Daemon> {
  const child = spawn(process.execPath, [mainScript, '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const workers: number[] = [];
  const log: LogEntry[] = [];
  child.stdout?.setEncoding('utf8');
  let buffer = '';
  const ready = await new Promise<{ api: string; ops: string }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        const entry = JSON.parse(line) as LogEntry & { api?: string; ops?: string };
        log.push({ ...entry, readAt: performance.now() });
        if (entry.msg === 'worker serving' && entry.worker !== undefined) workers.push(entry.worker);
        if (entry.msg === 'smsprocd ready' && entry.api !== undefined && entry.ops !== undefined) resolve({ api: entry.api, ops: entry.ops });
      }
    });
    child.once('exit', (code) => reject(new Error(`smsprocd exited with ${code} before it was ready`)));
  });
  return { child, baseUrl: `http://${ready.api}`, opsUrl: `http://${ready.ops}`, workers, log };
}

/** Kills what a failed test left running: the primary and its workers. */
function killDaemon(daemon: Daemon): void {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  daemon.child.kill('SIGKILL');
  for (const pid of daemon.workers) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
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

/**
 * The operator dashboard's bind list as a worker serves it. Sessions live in the worker that made
 * them, so a login and the request that follows may meet different workers: tried a few times.
 */
async function dashboardOf(baseUrl: string): Promise<{ binds: { bindId: string; state: string }[]; cluster: ClusterSection }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const login = await fetch(`${baseUrl}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'ops', password: ADMIN_PASSWORD }).toString(),
      redirect: 'manual',
    });
    await login.text();
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const response = await fetch(`${baseUrl}/admin/api/v1/dashboard`, { headers: { cookie } });
    if (response.status === 200) return (await response.json()) as { binds: { bindId: string; state: string }[]; cluster: ClusterSection };
    await response.text();
  }
  throw new Error('no dashboard answer after 10 logins');
}

const ADMIN_PASSWORD = 'workers-admin-password';

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
      // Only workers accept: the primary's own count is 0, so 40 is the workers' sum. A worker too busy
      // to answer a scrape within 2 s is left out of it: scraped again until both answered.
      let total = 0;
      await waitFor('/metrics sums both workers', async () => (total = await acceptedTotal(daemon.opsUrl)) >= 40, 20_000);
      assert.equal(total, 40);

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
      killDaemon(daemon);
      await smsc.close();
      await receiver.close();
      await dropTestSchema(schema);
      temp.remove();
    }
  });

  test('cluster.workers 2, a route of 2 binds: each bind runs in a worker; kill -9 of its worker moves it to the other at once with nothing lost; SIGTERM unbinds', { timeout: 120_000 }, async (t) => {
    const temp = tempDir();
    const schema = await createTestSchema();
    const smsc = await simulator();
    const receiver = await startReceiver(() => ({ status: 200 }));
    const store = { kind: 'postgres', postgresUrl: testPgUrl, postgresSchema: schema };
    const setup = await openStore(configSchema.parse({ store, log: { level: 'silent' } }));
    const windowSize = 10;
    await provisionNode(setup, { smscPort: smsc.address().port, callbackUrl: receiver.url, route: { binds: 2, windowSize, tps: 100 } });
    await setup.close();
    const configFile = `${temp.dir}/smsproc.yaml`;
    writeFileSync(configFile, [
      'node: { id: workers-binds }',
      `store: ${JSON.stringify(store)}`,
      'api: { port: 0 }',
      'ops: { port: 0 }',
      'cluster: { workers: 2 }',
      // A killed worker's messages lapse into IN_DOUBT after the lease and are resent soon after (policy resend).
      'dispatch: { leaseMs: 2000, inDoubtIntervalMs: 300, claimIdleMs: 50 }',
      `web: { admins: [${JSON.stringify(`ops:${await hashPassword(ADMIN_PASSWORD)}`)}] }`,
      'queue: { sweepIntervalMs: 200, retryDelayMs: 200 }',
      'callbacks: { pollIntervalMs: 50 }',
      "msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 }",
      'log: { level: info }',
      '',
    ].join('\n'));
    const daemon = await startDaemon(configFile);
    const primary = daemon.child.pid!;
    /** The pid that raised bind `index`'s epoch (and so runs it) most recently after `since`, if any. */
    const runnerOf = (index: number, since = 0): number | undefined => daemon.log.findLast((e) => e.msg === 'bind acquired' && e.routeId === 'sim' && e.bind === index && e.readAt >= since)?.pid;
    try {
      await waitFor('both binds bound', () => smsc.stats().binds.open === 2, 30_000);
      const [first, second] = [runnerOf(0), runnerOf(1)];
      assert.ok(first !== undefined && second !== undefined);
      assert.ok(daemon.workers.includes(first) && daemon.workers.includes(second), 'the binds run in worker processes');
      assert.notEqual(first, primary);
      assert.notEqual(first, second, 'each worker runs one of the two binds (fewest binds first)');

      // Steady load: a message every 20 ms while one worker is killed.
      const accepted: Submitted[] = [];
      let loading = true;
      const load = (async () => {
        for (let i = 0; loading; i++) {
          const message = await submitOrNull(daemon.baseUrl, { to: `7916${String(i).padStart(7, '0')}`, text: `load ${i}`, dlr: true });
          if (message !== null) accepted.push(message);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await waitFor('load delivered on both binds', () => Object.keys(smsc.stats().submits.byBind).length >= 2 && smsc.stats().submits.total >= 40, 30_000);
      // One bind_up series per bind, from the worker that runs it (scraped again while a busy worker misses the 2 s).
      let bindUp: string[] = [];
      await waitFor('/metrics has both workers\' bind gauges', async () => {
        const metrics = await (await fetch(`${daemon.opsUrl}/metrics`)).text();
        bindUp = metrics.split('\n').filter((line) => line.startsWith('smsproc_bind_up{'));
        return bindUp.length >= 2;
      }, 20_000);
      assert.equal(bindUp.length, 2, bindUp.join('\n'));
      assert.ok(bindUp.every((line) => line.endsWith(' 1')), bindUp.join('\n'));
      // The dashboard (served by a worker) lists both binds, whichever worker runs them, and the
      // cluster as the primary's coordinator sees it (sent over IPC): this node owning both.
      let cluster: ClusterSection | null = null;
      await waitFor('the dashboard lists both binds bound', async () => {
        const dashboard = await dashboardOf(daemon.baseUrl);
        cluster = dashboard.cluster;
        return JSON.stringify(dashboard.binds.map((b) => [b.bindId, b.state]).sort()) === JSON.stringify([['route/sim/bind/0', 'bound'], ['route/sim/bind/1', 'bound']]);
      }, 10_000);
      const seen = cluster!;
      assert.deepEqual([seen.scope, seen.coordinator, seen.staleness], ['cluster', 'local', null]);
      assert.deepEqual(seen.nodes.map((n) => [n.id, n.bindsOwned, n.self]), [['workers-binds', 2, true]]);
      assert.deepEqual(seen.binds.map((b) => [b.resource, b.owner, b.ownerLive]), [['route/sim/bind/0', 'workers-binds', true], ['route/sim/bind/1', 'workers-binds', true]]);

      const killedAt = performance.now();
      process.kill(first, 'SIGKILL');
      await waitFor('bind 0 runs in another worker', () => {
        const now = runnerOf(0, killedAt);
        return now !== undefined && now !== first;
      }, 10_000);
      const moved = daemon.log.findLast((e) => e.msg === 'bind acquired' && e.bind === 0)!;
      t.diagnostic(`kill -9 of bind 0's worker → bind 0's epoch raised in worker ${moved.pid}: ${Math.round(moved.readAt - killedAt)} ms`);
      assert.ok(moved.readAt - killedAt < 10_000);
      assert.equal(moved.pid, second, 'the live worker took it (the killed one was still restarting)');
      await waitFor('the killed worker restarted', () => daemon.workers.length === 3, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      loading = false;
      await load;
      assert.ok(accepted.length > 50, `accepted ${accepted.length}`);

      const finals = new Set(['delivered', 'undeliverable', 'rejected', 'failed', 'expired']);
      const pending = new Set(accepted.map((m) => m.id));
      await waitFor('every accepted message final', async () => {
        for (const id of [...pending]) if (finals.has(await statusOf(daemon.baseUrl, id))) pending.delete(id);
        return pending.size === 0;
      }, 60_000);
      const statuses = await Promise.all(accepted.map((m) => statusOf(daemon.baseUrl, m.id)));
      assert.deepEqual(statuses.filter((s) => s !== 'delivered'), [], 'the simulator delivers everything');
      await waitFor('a receipt callback for every message', () => {
        const bodies = receiver.received.map((r) => r.body).join('\n');
        return accepted.every((m) => bodies.includes(m.id));
      }, 30_000);
      const duplicates = smsc.stats().duplicates.messages;
      t.diagnostic(`accepted ${accepted.length}, duplicates at the simulator ${duplicates}`);
      assert.ok(duplicates <= windowSize, `duplicates ${duplicates} exceed the killed worker's window ${windowSize}`);

      const draining = performance.now();
      daemon.child.kill('SIGTERM');
      const [code] = (await once(daemon.child, 'exit')) as [number | null];
      assert.equal(code, 0);
      const released = daemon.log.filter((e) => e.msg === 'bind released' && e.routeId === 'sim' && e.readAt >= draining);
      assert.deepEqual(released.map((e) => e.bind).sort(), [0, 1], 'both binds finished their window and unbound');
      assert.ok(released.every((e) => e.pid !== primary && daemon.workers.includes(e.pid!)));
      await waitFor('the simulator saw both binds close', () => smsc.stats().binds.open === 0, 5000);
      assert.deepEqual(daemon.workers.filter(processAlive), []);
    } finally {
      killDaemon(daemon);
      await smsc.close();
      await receiver.close();
      await dropTestSchema(schema);
      temp.remove();
    }
  });

  test('cluster.workers 2 over etcd: renewals keep the workers\' binds; with the primary frozen (SIGSTOP) each worker fences its bind at the lease deadline, and after it thaws the binds run again', { timeout: 120_000 }, async (t) => {
    const etcd = await EtcdCluster.start(1);
    const temp = tempDir();
    const schema = await createTestSchema();
    const smsc = await simulator();
    const store = { kind: 'postgres', postgresUrl: testPgUrl, postgresSchema: schema };
    const setup = await openStore(configSchema.parse({ store, log: { level: 'silent' } }));
    await provisionNode(setup, { smscPort: smsc.address().port, callbackUrl: 'http://127.0.0.1:9', route: { binds: 2 } });
    await setup.close();
    const configFile = `${temp.dir}/smsproc.yaml`;
    writeFileSync(configFile, [
      'node: { id: workers-etcd, site: a }',
      `store: ${JSON.stringify(store)}`,
      'api: { port: 0 }',
      'ops: { port: 0 }',
      `cluster: { workers: 2, coordinator: etcd, etcdEndpoints: ${JSON.stringify(etcd.endpoints)}, leaseTtlMs: 2000 }`,
      "msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 }",
      'log: { level: info }',
      '',
    ].join('\n'));
    const daemon = await startDaemon(configFile);
    const selfFenced = (): LogEntry[] => daemon.log.filter((e) => e.msg === 'lease deadline passed without a renewal: fencing the bind');
    try {
      await waitFor('both binds bound', () => smsc.stats().binds.open === 2, 30_000);
      // Several lease TTLs: the forwarded renewals keep both binds running.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      assert.deepEqual(selfFenced(), []);
      assert.equal(smsc.stats().binds.open, 2);
      const accepted = await sendSome(daemon.baseUrl, 'renewed', 10);
      assert.equal(accepted.length, 10);
      await waitFor('delivered under forwarded renewals', async () => (await Promise.all(accepted.map((m) => statusOf(daemon.baseUrl, m.id)))).every((s) => s === 'delivered'), 20_000);

      // The primary stops forwarding deadlines (frozen): each worker fences by itself, within the TTL.
      const frozenAt = performance.now();
      daemon.child.kill('SIGSTOP');
      try {
        await waitFor('both workers fenced their binds', () => selfFenced().length === 2, 10_000);
        await waitFor('the simulator saw both binds close', () => smsc.stats().binds.open === 0, 5000);
      } finally {
        daemon.child.kill('SIGCONT');
      }
      const fencedAfter = Math.max(...selfFenced().map((e) => e.readAt - frozenAt));
      t.diagnostic(`primary frozen → both binds fenced by their workers after ${Math.round(fencedAfter)} ms (lease TTL 2 s)`);
      assert.ok(selfFenced().every((e) => daemon.workers.includes(e.pid!)));
      await waitFor('both binds running again after the primary thawed', () => smsc.stats().binds.open === 2, 30_000);
      const after = await sendSome(daemon.baseUrl, 'thawed', 10);
      assert.equal(after.length, 10);
      await waitFor('delivered after the primary rejoined', async () => (await Promise.all(after.map((m) => statusOf(daemon.baseUrl, m.id)))).every((s) => s === 'delivered'), 20_000);

      daemon.child.kill('SIGTERM');
      const [code] = (await once(daemon.child, 'exit')) as [number | null];
      assert.equal(code, 0);
    } finally {
      // SIGKILL reaches a stopped (SIGSTOP) primary too.
      killDaemon(daemon);
      await smsc.close();
      await dropTestSchema(schema);
      await etcd.stop();
      temp.remove();
    }
  });
}
