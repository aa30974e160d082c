import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { configSchema } from '../../daemon/config/schema.js';
import { hashPassword } from '../../daemon/domain/credentials.js';
import { openStore } from '../../daemon/storage/open.js';
import { tempDir } from '../e2e/deliver-harness.js';
import { spawnSmsprocd } from '../e2e/ops-harness.js';
import { clientPut } from '../storage/fixtures.js';
import { createTestSchema, dropTestSchema, pgUnreachable, testPgUrl } from '../support/postgres.js';

/**
 * Regression: web sessions lived in the serving process's memory, so with `cluster.workers` > 1 or
 * several nodes behind a load balancer a request landing on another process logged the user out, and
 * a restart logged everyone out. Here two smsprocd on one PostgreSQL schema: node A with two workers
 * (node:cluster hands each new connection to the next worker), node B a single process. A login on
 * one is a session on every worker of both; a logout on one ends it on the other, live streams
 * included; B's restart keeps the sessions.
 */
const CLIENT_PASSWORD = 'shared-session-password';
const ADMIN_PASSWORD = 'shared-admin-password';

interface Daemon {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Pids of the workers that said they serve. */
  readonly workers: readonly number[];
}

async function startDaemon(configFile: string): Promise<Daemon> {
  const { child, api, workers } = await spawnSmsprocd(configFile);
  return { child, baseUrl: `http://${api}`, workers };
}

async function stop(daemon: Daemon): Promise<void> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  daemon.child.kill('SIGTERM');
  await once(daemon.child, 'exit');
}

function form(fields: Record<string, string>, cookie?: string): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { cookie }) },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  };
}

async function login(baseUrl: string, path: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}${path}/login`, form({ username, password }));
  assert.equal(response.status, 303, await response.text());
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/**
 * The statuses of `times` GETs, each on a new connection: node:cluster hands connections to its
 * workers in turn, so on node A every worker answers some of them.
 */
async function statuses(url: string, cookie: string, times: number): Promise<number[]> {
  const answers: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const response = await fetch(url, { headers: { cookie, connection: 'close' }, redirect: 'manual' });
    await response.arrayBuffer();
    answers.push(response.status);
  }
  return answers;
}

const unreachable = await pgUnreachable();
if (unreachable !== null) {
  console.log(`web sessions cluster test not registered: no PostgreSQL at the test URL: ${unreachable}`);
} else {
  test('web sessions: a login on one node (or worker) is served by every other; a logout on one ends it everywhere; a restart keeps it', { timeout: 90_000 }, async () => {
    const temp = tempDir();
    const schema = await createTestSchema();
    const store = { kind: 'postgres', postgresUrl: testPgUrl, postgresSchema: schema };
    const setup = await openStore(configSchema.parse({ store, log: { level: 'silent' } }));
    await setup.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { login: 'acme', passwordHash: await hashPassword(CLIENT_PASSWORD) }) }]);
    await setup.close();
    const admin = `ops:${await hashPassword(ADMIN_PASSWORD)}`;
    const configOf = (id: string, workers: number): string => {
      const file = `${temp.dir}/${id}.yaml`;
      writeFileSync(file, [
        `node: { id: ${id} }`,
        `store: ${JSON.stringify(store)}`,
        'api: { port: 0 }',
        'ops: { port: 0 }',
        `cluster: { workers: ${workers} }`,
        `web: { admins: [${JSON.stringify(admin)}], liveIntervalMs: 300 }`,
        "msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 }",
        'log: { level: info }',
        '',
      ].join('\n'));
      return file;
    };
    const configB = configOf('web-b', 1);
    const daemons: Daemon[] = [];
    try {
      const a = await startDaemon(configOf('web-a', 2));
      daemons.push(a);
      let b = await startDaemon(configB);
      daemons.push(b);
      assert.equal(a.workers.length, 2, 'node A serves on two workers');

      const stats = await login(a.baseUrl, '/stats', 'acme', CLIENT_PASSWORD);
      assert.deepEqual(await statuses(`${a.baseUrl}/stats`, stats, 6), [200, 200, 200, 200, 200, 200], 'every worker of A knows the session');
      assert.deepEqual(await statuses(`${b.baseUrl}/stats`, stats, 2), [200, 200], 'node B knows it');
      const operator = await login(b.baseUrl, '/admin', 'ops', ADMIN_PASSWORD);
      assert.deepEqual(await statuses(`${a.baseUrl}/admin/api/v1/dashboard`, operator, 4), [200, 200, 200, 200]);

      // A stream open on A ends when the session is logged out on B.
      const page = await (await fetch(`${b.baseUrl}/stats`, { headers: { cookie: stats } })).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
      const stream = await fetch(`${a.baseUrl}/stats/live`, { headers: { cookie: stats }, signal: AbortSignal.timeout(20_000) });
      assert.equal(stream.status, 200);
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let seen = '';
      while (!seen.includes('data: ')) {
        const { value, done } = await reader.read();
        assert.equal(done, false, 'a first update comes');
        seen += value;
      }
      const logout = await fetch(`${b.baseUrl}/stats/logout`, form({ _csrf: csrf }, stats));
      assert.equal(logout.status, 303);
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
      }
      assert.deepEqual(await statuses(`${a.baseUrl}/stats`, stats, 4), [303, 303, 303, 303], 'logged out on every worker of A');
      assert.deepEqual(await statuses(`${b.baseUrl}/stats`, stats, 1), [303]);

      await stop(b);
      b = await startDaemon(configB);
      daemons.push(b);
      assert.deepEqual(await statuses(`${b.baseUrl}/admin/api/v1/dashboard`, operator, 2), [200, 200], 'the restart kept the session');
    } finally {
      for (const daemon of daemons) {
        await stop(daemon).catch(() => undefined);
        for (const pid of daemon.workers) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone, as it should be.
          }
        }
      }
      await dropTestSchema(schema);
      temp.remove();
    }
  });
}
