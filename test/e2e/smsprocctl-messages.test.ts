import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../daemon/config/load.js';
import { bindIdOf, type ClientId, type MessageId, type RouteId } from '../../daemon/domain/ids.js';
import type { MessageView, Store } from '../../daemon/storage/port.js';
import { openStore } from '../../daemon/storage/open.js';
import { clientPut, HOUR_MS, mo, request, route, submission } from '../storage/fixtures.js';
import { ctlHarness } from './smsprocctl-harness.js';

const ctl = ctlHarness();
after(() => ctl.cleanup());
const bind0 = bindIdOf('mts-1' as RouteId, 0);

interface Seeded {
  readonly queued: MessageId;
  readonly scheduled: MessageId;
  readonly failed: MessageId;
  readonly toNumber: MessageId[];
}

async function withCtlStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig({ env: { SMSPROC_STORE_SQLITE_PATH: join(ctl.dir, 'smsproc.db') } }));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

let seeded: Seeded;

before(async () => {
  seeded = await withCtlStore(async (store) => {
    await store.applyProvisioning([
      { op: 'route.put', route: route('mts-1') },
      { op: 'prefix.put', prefix: { prefix: '7', routeId: 'mts-1' as RouteId } },
      { op: 'client.put', client: clientPut('acme') },
      { op: 'client.put', client: clientPut('zeta', { login: 'zeta-login', urlToken: 'zeta-url' }) },
    ]);
    const failed = submission('acme', 'mts-1', { recipient: '79160000009', clientRef: 'inv-9' });
    await store.enqueueMt([request('acme', [failed])]);
    const epoch = await store.acquireBindEpoch(bind0);
    await store.claimMt({ routeId: 'mts-1' as RouteId, bindId: bind0, epoch, owner: 'test', limit: 10, leaseMs: 60_000 });
    await store.nackMt(bind0, epoch, [{ id: failed.id, disposition: { kind: 'fail', status: 'failed', errorCode: 8, reason: 'system error' } }]);
    const toNumber = [submission('acme', 'mts-1', { recipient: '79161234567' }), submission('acme', 'mts-1', { recipient: '79161234567', clientRef: 'inv-1' })];
    for (const message of toNumber) await store.enqueueMt([request('acme', [message])]);
    const scheduled = submission('acme', 'mts-1', { notBefore: new Date(Date.now() + HOUR_MS) });
    await store.enqueueMt([request('acme', [scheduled]), request('zeta', [submission('zeta', 'mts-1', { recipient: '79161234567' })])]);
    return { queued: toNumber[1]!.id, scheduled: scheduled.id, failed: failed.id, toNumber: toNumber.map((m) => m.id) };
  });
});

test('smsprocctl messages show: a message of any client with its history; unknown id exits 3', () => {
  const view = ctl.json<MessageView>(['messages', 'show', seeded.failed]);
  assert.equal(view.clientId, 'acme');
  assert.equal(view.status, 'failed');
  assert.deepEqual(view.history.map((event) => event.status), ['accepted', 'failed']);
  const text = ctl.run(['messages', 'show', seeded.failed]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^status: +failed$/m);
  assert.match(text.stdout, /failed +8: system error/);
  assert.equal(ctl.run(['messages', 'show', 'no-such-id']).code, 3);
});

test('smsprocctl messages find: by client, by number as the client writes it, by reference; newest first', () => {
  const all = ctl.json<MessageView[]>(['messages', 'find', '--client', 'acme']);
  assert.equal(all.length, 4);
  assert.ok(all.every((view) => view.clientId === 'acme'));
  const byNumber = ctl.json<MessageView[]>(['messages', 'find', '--client', 'acme', '--to', '+7 (916) 123-45-67']);
  assert.deepEqual(byNumber.map((view) => view.id), [seeded.scheduled, ...[...seeded.toNumber].reverse()]);
  assert.deepEqual(ctl.json<MessageView[]>(['messages', 'find', '--client', 'acme', '--ref', 'inv-1']).map((v) => v.id), [seeded.queued]);
  assert.deepEqual(ctl.json<MessageView[]>(['messages', 'find', '--client', 'acme', '--limit', '1']).length, 1);
  const text = ctl.run(['messages', 'find', '--client', 'acme', '--ref', 'inv-9']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /AT +STATUS +DETAIL/, 'each message with its history');
  assert.equal(ctl.run(['messages', 'find', '--client', 'nobody']).code, 3);
  assert.equal(ctl.run(['messages', 'find', '--client', 'acme', '--to', 'hello']).code, 2);
  assert.equal(ctl.run(['messages', 'find']).code, 2, '--client is required');
});

test('smsprocctl messages cancel and resend: queued only, failed only; refusals exit 5 and change nothing', async () => {
  assert.deepEqual(ctl.json(['messages', 'cancel', seeded.scheduled, '--reason', 'client asked']), { id: seeded.scheduled, status: 'cancelled' });
  const cancelled = ctl.json<MessageView>(['messages', 'show', seeded.scheduled]);
  assert.equal(cancelled.status, 'cancelled');
  assert.match(cancelled.history.at(-1)?.detail ?? '', /^cancelled by .+ \(smsprocctl\): client asked$/);
  const again = ctl.run(['messages', 'cancel', seeded.scheduled]);
  assert.equal(again.code, 5);
  assert.match(again.stderr, /is cancelled: not cancelled, it is no longer queued/);

  const notFailed = ctl.run(['messages', 'resend', seeded.queued]);
  assert.equal(notFailed.code, 5);
  assert.match(notFailed.stderr, /only failed or in-doubt messages are resent/);
  assert.deepEqual(ctl.json(['messages', 'resend', seeded.failed]), { id: seeded.failed, status: 'accepted' });
  const resent = ctl.json<MessageView>(['messages', 'show', seeded.failed]);
  assert.equal(resent.status, 'accepted');
  assert.equal(resent.queueState, 'READY');
  assert.equal(ctl.run(['messages', 'cancel', 'no-such-id']).code, 3);
  const balance = await withCtlStore((store) => store.clientBalance('acme' as ClientId));
  assert.equal(balance.queued, 3, 'the resent message waits again; the cancelled one does not');
});

test('smsprocctl queues: depth per route and state with the oldest age', () => {
  const rows = ctl.json<Array<{ routeId: string; state: string; messages: number; oldestAgeS: number }>>(['queues']);
  const ready = rows.find((row) => row.routeId === 'mts-1' && row.state === 'READY');
  assert.ok(ready !== undefined && ready.messages >= 3);
  assert.ok(ready.oldestAgeS >= 0 && ready.oldestAgeS < 600);
  assert.match(ctl.run(['queues']).stdout, /^ROUTE +STATE +MESSAGES/m);
  assert.doesNotMatch(ctl.run(['queues']).stdout, /SMPP CALLBACKS WAITING/, 'none waits');
});

test('smsprocctl queues: SMPP callbacks waiting for a receiving bind, per client', async () => {
  await withCtlStore(async (store) => {
    const smpp = { systemId: 'smppco', passwordHash: 'scrypt$x', maxBinds: 1, enabled: true };
    await store.applyProvisioning([{ op: 'client.put', client: clientPut('smppco', { login: 'smppco-login', urlToken: 'smppco-url', moUrl: null, smpp }) }]);
    for (const text of ['VOTE 1', 'VOTE 2']) await store.recordMo(mo('smppco', { text }));
  });
  const text = ctl.run(['queues']).stdout;
  assert.match(text, /SMPP CALLBACKS WAITING FOR A RECEIVING BIND\nCLIENT +EVENTS +OLDEST DUE +AGE S\nsmppco +2 /);
});

test('smsprocctl callbacks replay shows progress on a terminal only; the count is the same', async () => {
  const deadIds = await withCtlStore(async (store) => {
    await store.applyProvisioning([{ op: 'client.put', client: clientPut('zeta', { login: 'zeta-login', urlToken: 'zeta-url', moUrl: 'https://zeta.test/mo' }) }]);
    for (let n = 0; n < 3; n += 1) await store.recordMo(mo('zeta', { text: `VOTE ${n}` }));
    // The receipts of the cancelled and failed messages are due too; only zeta's MO events die here.
    const events = (await store.claimCallbacks({ owner: 'test', limit: 20, perClientLimit: 20, leaseMs: 60_000, scope: { http: true, smppClients: [] } })).filter((event) => event.clientId === 'zeta');
    for (const event of events) await store.completeCallback(event.id, 'test', { kind: 'dead', error: 'HTTP 410' });
    return events.map((event) => event.id);
  });
  assert.equal(deadIds.length, 3);
  const piped = ctl.run(['callbacks', 'replay', deadIds[0] ?? '']);
  assert.equal(piped.code, 0);
  assert.equal(piped.stderr, '', 'no progress into a pipe');
  // script(1) gives the CLI a terminal; its output (stdout and stderr together) comes back through the pipe.
  const mainPath = fileURLToPath(new URL('../../ops/smsprocctl/main.js', import.meta.url));
  const env = { ...process.env, SMSPROC_STORE_SQLITE_PATH: join(ctl.dir, 'smsproc.db') };
  const tty = spawnSync('script', ['-qec', `${process.execPath} ${mainPath} callbacks replay --client zeta`, '/dev/null'], { env, encoding: 'utf8' });
  assert.equal(tty.status, 0, tty.stderr);
  assert.ok(tty.stdout.includes('\r\u001b[Kreplaying zeta: 2'), `progress line on the terminal: ${JSON.stringify(tty.stdout)}`);
  assert.match(tty.stdout, /replayed 2 callbacks/);
});
