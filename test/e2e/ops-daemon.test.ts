import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { configSchema } from '../../daemon/config/schema.js';
import { openStore } from '../../daemon/storage/open.js';
import { startReceiver, waitFor } from './callback-harness.js';
import { provisionNode, simulator, statusOf, submit, tempDir } from './deliver-harness.js';
import { listenNotifySocket, scrape, startDaemon, total } from './ops-harness.js';

test('smsprocd under a systemd notify socket: READY=1, watchdog pings, metrics of a delivered message, health, STOPPING=1', async () => {
  const temp = tempDir();
  const smsc = await simulator();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const notify = await listenNotifySocket(`${temp.dir}/notify.sock`);
  const dbPath = `${temp.dir}/smsproc.db`;
  const setup = await openStore(configSchema.parse({ store: { sqlitePath: dbPath }, log: { level: 'silent' } }));
  await provisionNode(setup, { smscPort: smsc.address().port, callbackUrl: receiver.url });
  await setup.close();
  const daemon = await startDaemon(dbPath, { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '400000' });
  try {
    await waitFor('READY=1 with MAINPID', () => notify.messages.some((m) => m.includes('READY=1') && m.includes(`MAINPID=${daemon.child.pid}`)));
    await waitFor('a watchdog ping', () => notify.messages.some((m) => m.includes('WATCHDOG=1')));

    assert.equal((await fetch(`${daemon.opsUrl}/health/live`)).status, 200);
    await waitFor('ready', async () => (await fetch(`${daemon.opsUrl}/health/ready`)).status === 200);
    const ready = (await (await fetch(`${daemon.opsUrl}/health/ready`)).json()) as { checks: Record<string, boolean> };
    assert.deepEqual(ready.checks, { store: true, api: true, dispatch: true });
    assert.equal((await fetch(`${daemon.opsUrl}/nowhere`)).status, 404);

    const sent = await Promise.all(['79160000001', '79160000002', '79160000003'].map((to) => submit(daemon.apiUrl, { to, text: 'metrics', dlr: true })));
    await waitFor('delivered', async () => (await Promise.all(sent.map((m) => statusOf(daemon.apiUrl, m.id)))).every((s) => s === 'delivered'));
    await waitFor('three receipt callbacks', () => receiver.received.filter((r) => r.url.startsWith('/dlr')).length >= 3);
    const refused = await fetch(`${daemon.apiUrl}/api/v1/sms`, { method: 'POST', headers: { authorization: 'Bearer wrong' }, body: '' });
    assert.equal(refused.status, 401);

    let samples = await scrape(daemon.opsUrl);
    await waitFor('callback attempts counted', async () => {
      samples = await scrape(daemon.opsUrl);
      return total(samples, 'smsproc_callback_attempts_total', { kind: 'dlr', outcome: 'delivered' }) >= 3;
    });
    const route = { route: 'sim' };
    assert.equal(total(samples, 'smsproc_accepted_messages_total', route), 3);
    assert.equal(total(samples, 'smsproc_accepted_segments_total', route), 3);
    assert.equal(total(samples, 'smsproc_submitted_messages_total', { ...route, bind: '0' }), 3);
    assert.equal(total(samples, 'smsproc_submitted_segments_total', route), 3);
    assert.equal(total(samples, 'smsproc_submit_duration_seconds_count', route), 3);
    assert.equal(total(samples, 'smsproc_receipts_total', { ...route, status: 'delivered', outcome: 'matched' }), 3);
    assert.equal(total(samples, 'smsproc_bind_up', { ...route, bind: '0' }), 1);
    assert.equal(total(samples, 'smsproc_submit_errors_total'), 0);
    assert.ok(samples.some((s) => s.name === 'smsproc_messages_expired_total' && s.value === 0), 'sweep counters exported');
    assert.equal(total(samples, 'smsproc_callback_duration_seconds_count', { kind: 'dlr' }), 3);
    assert.equal(total(samples, 'smsproc_api_refused_total', { code: 'AUTH_FAILED' }), 1);
    assert.equal(total(samples, 'smsproc_queue_messages'), 0, 'nothing left in the queue');
    assert.equal(total(samples, 'smsproc_callback_backlog_events'), 0);
    assert.ok(samples.some((s) => s.name === 'smsproc_fencing_events_total' && s.labels.reason === 'stale_epoch' && s.value === 0), 'fencing counter exported at 0');
    assert.ok(samples.some((s) => s.name === 'smsproc_failovers_total' && s.value === 0));
    assert.ok(samples.some((s) => s.name === 'process_resident_memory_bytes' && s.value > 0), 'default process metrics');
    assert.ok(samples.every((s) => s.labels.node === 'ops-e2e'), 'every series names its node');
    assert.ok(!samples.some((s) => s.name.startsWith('smsproc_client_')), 'no per-client series unless configured');

    assert.equal(await daemon.stop(), 0);
    assert.ok(notify.messages.some((m) => m.includes('STOPPING=1')), 'STOPPING=1 on SIGTERM');
  } finally {
    await daemon.stop();
    await notify.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
