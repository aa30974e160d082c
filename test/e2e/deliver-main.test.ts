import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { configSchema } from '../../daemon/config/schema.js';
import type { ClientId, MessageId } from '../../daemon/domain/ids.js';
import { openStore } from '../../daemon/storage/open.js';
import { startReceiver, waitFor } from './callback-harness.js';
import { provisionNode, simulator, statusOf, submit, tempDir, type Submitted } from './deliver-harness.js';
import { spawnSmsprocd } from './ops-harness.js';

/** smsprocd itself (dist/daemon/main.js) with a config file beside the database; resolves with its API base URL once ready. */
async function startDaemon(dbPath: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const configFile = `${dbPath}.yaml`;
  writeFileSync(
    configFile,
    [
      'node: { id: main-e2e }',
      `store: { sqlitePath: ${JSON.stringify(dbPath)} }`,
      'api: { port: 0 }',
      'ops: { port: 0 }',
      "msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 }",
      'log: { level: info }',
      '',
    ].join('\n'),
  );
  const { child, api } = await spawnSmsprocd(configFile);
  return { child, baseUrl: `http://${api}` };
}

test('smsprocd drains on SIGTERM mid-traffic (exit 0, nothing left in flight) and a restart delivers the rest with no duplicate', async () => {
  const temp = tempDir();
  const smsc = await simulator();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const dbPath = `${temp.dir}/smsproc.db`;
  const config = configSchema.parse({ store: { sqlitePath: dbPath }, log: { level: 'silent' } });
  const setup = await openStore(config);
  await provisionNode(setup, { smscPort: smsc.address().port, callbackUrl: receiver.url, route: { tps: 50 } });
  await setup.close();
  const first = await startDaemon(dbPath);
  let second: Awaited<ReturnType<typeof startDaemon>> | null = null;
  try {
    // 100 messages at a bind of 50/s: the drain lands with messages in flight and more waiting.
    const sent: Submitted[] = [];
    for (let i = 0; i < 100; i += 10) {
      sent.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => submit(first.baseUrl, { to: `7916${String(i + j).padStart(7, '0')}`, text: `drain ${i + j}`, dlr: true })))));
    }
    await waitFor('traffic under way', () => smsc.stats().messages.total >= 20);
    first.child.kill('SIGTERM');
    const [code] = (await once(first.child, 'exit')) as [number | null];
    assert.equal(code, 0);
    const atStop = smsc.stats().messages.total;
    assert.ok(atStop < 100, `the drain stopped sending (${atStop} sent)`);

    const store = await openStore(config);
    const views = await Promise.all(sent.map((m) => store.findMessage('acme' as ClientId, { id: m.id as MessageId })));
    await store.close();
    const states = new Set(views.map((v) => v?.queueState ?? 'none'));
    assert.ok(!states.has('IN_FLIGHT') && !states.has('IN_DOUBT'), `queue states after the drain: ${[...states].join(', ')}`);

    second = await startDaemon(dbPath);
    const baseUrl = second.baseUrl;
    await waitFor('all delivered after the restart', async () => (await Promise.all(sent.map((m) => statusOf(baseUrl, m.id)))).every((s) => s === 'delivered'), 20_000);
    assert.equal(smsc.stats().messages.total, 100);
    assert.equal(smsc.stats().duplicates.messages, 0);
  } finally {
    for (const daemon of [first, second]) {
      if (daemon !== null && daemon.child.exitCode === null && daemon.child.signalCode === null) {
        daemon.child.kill('SIGTERM');
        await once(daemon.child, 'exit');
      }
    }
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
