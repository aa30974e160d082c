import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../daemon/log.js';
import { createSystemdNotifier } from '../../daemon/systemd-notify.js';
import { waitFor } from './callback-harness.js';
import { listenNotifySocket } from './ops-harness.js';

const logger = createLogger('silent');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('systemd notifier: READY=1 with status and MAINPID, watchdog pings only while healthy, STOPPING=1; nothing without NOTIFY_SOCKET', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-notify-'));
  const listener = await listenNotifySocket(join(dir, 'notify.sock'));
  let healthy = false;
  const notifier = createSystemdNotifier({ env: { ...process.env, NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '200000' }, logger, healthy: () => healthy, pid: 4242 });
  try {
    await notifier.ready('serving');
    await waitFor('READY=1', () => listener.messages.some((m) => m.includes('READY=1')));
    const ready = listener.messages.find((m) => m.includes('READY=1')) ?? '';
    assert.match(ready, /STATUS=serving/);
    assert.match(ready, /MAINPID=4242/);
    await sleep(400);
    assert.ok(!listener.messages.some((m) => m.includes('WATCHDOG=1')), 'no ping while the checks fail: systemd will restart the node');
    healthy = true;
    await waitFor('a watchdog ping once healthy', () => listener.messages.some((m) => m.includes('WATCHDOG=1')));
    notifier.close();
    await notifier.stopping();
    await waitFor('STOPPING=1', () => listener.messages.some((m) => m.includes('STOPPING=1')));

    const before = listener.messages.length;
    const silent = createSystemdNotifier({ env: { WATCHDOG_USEC: '200000' }, logger, healthy: () => true });
    await silent.ready('serving');
    await silent.stopping();
    silent.close();
    await sleep(300);
    assert.equal(listener.messages.length, before, 'without NOTIFY_SOCKET nothing is sent');
  } finally {
    notifier.close();
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
