import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { hashPassword, sha256Hex } from '../../daemon/domain/credentials.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import { openStore } from '../../daemon/storage/open.js';
import { openProvisioningCache } from '../../daemon/storage/provisioning-cache.js';
import { closeEsme } from '../../ops/smsc-sim/esme-client.js';
import { createLogger } from '../../daemon/log.js';
import type { ClusterSection } from '../../daemon/web/dashboard.js';
import { startReceiver, waitFor } from '../e2e/callback-harness.js';
import { statusOf, type Submitted } from '../e2e/deliver-harness.js';
import { addSmppClient, bindRecording } from '../e2e/smpp-server-harness.js';
import { Etcd3 } from 'etcd3';
import pg from 'pg';
import { pgUnreachable, testPgUrl } from '../support/postgres.js';
import { EtcdCluster } from './etcd-cluster.js';
import { processAlive, startWorkerNode, submitOrNull, type LogEntry } from './worker-node.js';

/**
 * smsprocd with `cluster.workers: 2` on a PostgreSQL schema, as a child process, with the SMSC
 * simulator: the workers serve the API on one port and run the binds the primary hands them; kill -9
 * of a worker → it is restarted, its binds run on the other worker, nothing accepted is lost; /metrics
 * sums the workers; SIGHUP reaches the workers; SIGTERM drains (binds unbound), exit 0.
 */

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
    const receiver = await startReceiver(() => ({ status: 200 }));
    const daemon = await startWorkerNode({
      node: { id: 'workers-e2e' },
      callbackUrl: receiver.url,
      route: { tps: 200 },
      // Provisioning changes reach the workers by SIGHUP here, long before the next poll.
      config: { provisioning: { pollIntervalMs: 60000 } },
    });
    const { smsc } = daemon;
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
      const admin = await openStore(daemon.storeConfig);
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
      assert.equal(await daemon.stop(), 0);
      assert.deepEqual(live.filter(processAlive), []);
    } finally {
      await daemon.close();
      await receiver.close();
    }
  });

  test('cluster.workers 2, a route of 2 binds: each bind runs in a worker; kill -9 of its worker moves it to the other at once with nothing lost; SIGTERM unbinds', { timeout: 120_000 }, async (t) => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    const windowSize = 10;
    const daemon = await startWorkerNode({
      node: { id: 'workers-binds' },
      callbackUrl: receiver.url,
      route: { binds: 2, windowSize, tps: 100 },
      config: {
        // A killed worker's messages lapse into IN_DOUBT after the lease and are resent soon after (policy resend).
        dispatch: { leaseMs: 2000, inDoubtIntervalMs: 300, claimIdleMs: 50 },
        web: { admins: [`ops:${await hashPassword(ADMIN_PASSWORD)}`] },
        queue: { sweepIntervalMs: 200, retryDelayMs: 200 },
        callbacks: { pollIntervalMs: 50 },
      },
    });
    const { smsc } = daemon;
    const primary = daemon.child.pid!;
    /** The pid that raised bind `index`'s epoch (and so runs it) most recently after `since`, if any. */
    const runnerOf = (index: number, since = 0): number | undefined => daemon.log.findLast((e) => e.msg === 'bind acquired' && e.routeId === 'sim' && e.bind === index && e.readAt >= since)?.pid;
    try {
      await waitFor('both binds bound', () => smsc.stats().binds.open === 2, 30_000);
      // A worker's log line may reach us after its bind reached the SMSC.
      await waitFor('both binds\' "bind acquired" lines read', () => runnerOf(0) !== undefined && runnerOf(1) !== undefined, 10_000);
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
      assert.equal(await daemon.stop(), 0);
      const released = daemon.log.filter((e) => e.msg === 'bind released' && e.routeId === 'sim' && e.readAt >= draining);
      assert.deepEqual(released.map((e) => e.bind).sort(), [0, 1], 'both binds finished their window and unbound');
      assert.ok(released.every((e) => e.pid !== primary && daemon.workers.includes(e.pid!)));
      await waitFor('the simulator saw both binds close', () => smsc.stats().binds.open === 0, 5000);
      assert.deepEqual(daemon.workers.filter(processAlive), []);
    } finally {
      await daemon.close();
      await receiver.close();
    }
  });

  test('cluster.workers 2: the node never holds more pooled PostgreSQL connections than store.postgresPoolSize, each named after its node and process, plus one LISTEN session per process', { timeout: 120_000 }, async (t) => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    const nodeId = 'workers-pools';
    const total = 8;
    // One connection of the test's own (not counted: another application_name) samples the node's.
    const watcher = new pg.Client({ connectionString: testPgUrl });
    await watcher.connect();
    const peak = new Map<string, number>();
    let peakTotal = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // Client backends only: a parallel query's workers carry their leader's application_name but
        // take no connection slot.
        const { rows } = await watcher.query<{ name: string; n: number }>(
          "SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1 AND backend_type = 'client backend' GROUP BY application_name",
          [`smsproc/${nodeId}/%`],
        );
        // The wake-up LISTEN sessions (`…/listen`) are outside the pools' total, one per process.
        const pooled = rows.filter((row) => !row.name.endsWith('/listen'));
        peakTotal = Math.max(peakTotal, pooled.reduce((sum, row) => sum + row.n, 0));
        for (const row of rows) peak.set(row.name, Math.max(peak.get(row.name) ?? 0, row.n));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const daemon = await startWorkerNode({
      node: { id: nodeId },
      callbackUrl: receiver.url,
      route: { binds: 2, tps: 500 },
      store: { postgresPoolSize: total },
      // Every kind of store work at once: intake, claims and acks on both binds, receipts, callbacks, sweeps.
      config: { dispatch: { claimIdleMs: 20 }, queue: { sweepIntervalMs: 100 }, callbacks: { pollIntervalMs: 20 } },
    });
    const { smsc } = daemon;
    try {
      await waitFor('both binds bound', () => smsc.stats().binds.open === 2, 30_000);
      const accepted: Submitted[] = [];
      for (let wave = 0; wave < 8; wave++) accepted.push(...await sendSome(daemon.baseUrl, `wave ${wave}`, 50));
      assert.equal(accepted.length, 400);
      // Scrapes read the store gauges in the primary meanwhile.
      const scrapes = Promise.all(Array.from({ length: 5 }, async () => (await fetch(`${daemon.opsUrl}/metrics`)).text()));
      await waitFor('every message delivered', async () => (await Promise.all(accepted.map((m) => statusOf(daemon.baseUrl, m.id)))).every((s) => s === 'delivered'), 60_000);
      await scrapes;
      await waitFor('a receipt callback for every message', () => receiver.received.length >= 400, 30_000);
      t.diagnostic(`peak connections: node ${peakTotal} of ${total}; ${[...peak].sort().map(([name, n]) => `${name} ${n}`).join(', ')}`);
      assert.ok(peakTotal <= total, `the node held ${peakTotal} connections, more than its ${total}`);
      // The primary keeps 2 (no SMPP server); the workers share the other 6.
      const processes = [`smsproc/${nodeId}/primary`, `smsproc/${nodeId}/worker-1`, `smsproc/${nodeId}/worker-2`];
      assert.deepEqual([...peak.keys()].sort(), [...processes, ...processes.map((name) => `${name}/listen`)].sort());
      for (const name of processes) assert.equal(peak.get(`${name}/listen`), 1, `${name}: one LISTEN session`);
      assert.ok((peak.get(`smsproc/${nodeId}/primary`) ?? 0) <= 2);
      assert.ok([1, 2].every((id) => (peak.get(`smsproc/${nodeId}/worker-${id}`) ?? 0) <= 3));
      assert.equal(await daemon.stop(), 0);
    } finally {
      sampling = false;
      await sampler;
      await watcher.end();
      await daemon.close();
      await receiver.close();
    }
  });

  test('cluster.workers 2 over etcd: renewals keep the workers\' binds; with the primary frozen (SIGSTOP) each worker fences its bind at the lease deadline, and after it thaws the binds run again', { timeout: 120_000 }, async (t) => {
    const etcd = await EtcdCluster.start(1);
    const daemon = await startWorkerNode({
      node: { id: 'workers-etcd', site: 'a' },
      callbackUrl: 'http://127.0.0.1:9',
      route: { binds: 2 },
      cluster: { coordinator: 'etcd', etcdEndpoints: etcd.endpoints, leaseTtlMs: 2000 },
    });
    const { smsc } = daemon;
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

      assert.equal(await daemon.stop(), 0);
    } finally {
      await daemon.close();
      await etcd.stop();
    }
  });

  test('smsprocd over etcd with its SMPP server (as daemon/main.ts wires it): a client\'s bind takes a slot in etcd, a bind over maxBinds is refused, an unbind frees the slot', { timeout: 120_000 }, async () => {
    const etcd = await EtcdCluster.start(1);
    const keyPrefix = 'smsproc-slots/';
    const daemon = await startWorkerNode({
      node: { id: 'workers-smpp', site: 'a' },
      callbackUrl: 'http://127.0.0.1:9',
      cluster: { coordinator: 'etcd', etcdEndpoints: etcd.endpoints, etcdKeyPrefix: keyPrefix, leaseTtlMs: 2000 },
      config: { smppServer: { enabled: true, port: 0 } },
    });
    const reader = new Etcd3({ hosts: [...etcd.endpoints] });
    const sessions: Awaited<ReturnType<typeof bindRecording>>[] = [];
    try {
      const admin = await openStore(daemon.storeConfig);
      try {
        const provisioning = await openProvisioningCache(admin, { pollIntervalMs: 60_000, logger: createLogger('silent') });
        await addSmppClient({ store: admin, provisioning }, { id: 'slotco', password: 'secret1', maxBinds: 1 });
        provisioning.close();
      } finally {
        await admin.close();
      }
      const listening = daemon.log.find((entry) => entry.msg === 'SMPP server listening') as { port?: number } | undefined;
      const port = listening?.port;
      assert.ok(port !== undefined, 'the SMPP server logged its port');
      const bind = async (): Promise<number> => {
        const bound = await bindRecording(port, 'slotco', 'secret1');
        sessions.push(bound);
        return bound.bindStatus;
      };
      // The node reads the new client at its next provisioning poll (1 s).
      await waitFor('the first bind accepted', async () => (await bind()) === 0, 15_000);
      const slots = async (): Promise<string[]> => Object.keys(await reader.getAll().prefix(`${keyPrefix}owners/client-binds/slotco/`).strings());
      assert.deepEqual(await slots(), [`${keyPrefix}owners/client-binds/slotco/0`], 'the session holds its slot in etcd');
      assert.equal(await bind(), 0x0d, 'a second bind over maxBinds 1 is refused with ESME_RBINDFAIL');
      const first = sessions.find((s) => s.bindStatus === 0);
      assert.ok(first !== undefined);
      await closeEsme(first.session);
      await waitFor('the slot released in etcd', async () => (await slots()).length === 0, 10_000);
      assert.equal(await bind(), 0, 'the freed slot takes a new bind');
      assert.equal(await daemon.stop(), 0);
    } finally {
      for (const { session } of sessions) session.destroy();
      reader.close();
      await daemon.close();
      await etcd.stop();
    }
  });
}
