import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import { signatureIsValid, startReceiver, waitFor } from './callback-harness.js';
import { CALLBACK_SECRET, SHORT_CODE, simulator, startNode, tempDir } from './deliver-harness.js';

interface MoBody {
  readonly type: string;
  readonly from: string;
  readonly shortCode: string;
  readonly text: string;
  readonly keyword: string;
  readonly partial: boolean;
}

test('MO at the SMSC → the client MO URL (signed) → its text/plain reply becomes an MT that reaches the SMSC; a 3-part MO arrives whole', async () => {
  const temp = tempDir();
  const smsc = await simulator();
  const receiver = await startReceiver((entry) =>
    entry.url === '/mo' ? { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `Thanks, ${(JSON.parse(entry.body) as MoBody).from}!` } : { status: 200 },
  );
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url });
  try {
    const mos = (): { body: MoBody; valid: boolean }[] =>
      receiver.received.filter((e) => e.url === '/mo').map((e) => ({ body: JSON.parse(e.body) as MoBody, valid: signatureIsValid(CALLBACK_SECRET, e) }));
    await waitFor('the bind', () => smsc.stats().binds.open === 1);
    smsc.injectMo({ from: '79005550001', to: SHORT_CODE, text: 'VOTE 7 Привет' });
    await waitFor('the MO callback', () => mos().length === 1);
    const [mo] = mos();
    assert.equal(mo?.valid, true);
    assert.equal(mo?.body.type, 'mo');
    assert.equal(mo?.body.from, '79005550001');
    assert.equal(mo?.body.shortCode, SHORT_CODE);
    assert.equal(mo?.body.text, 'VOTE 7 Привет');
    assert.equal(mo?.body.keyword, 'VOTE');
    await waitFor('the reply at the SMSC', () => (smsc.stats().received ?? []).some((m) => m.destination === '79005550001'));
    const reply = (smsc.stats().received ?? []).filter((m) => m.destination === '79005550001');
    assert.equal(reply.length, 1);
    assert.equal(reply[0]?.source, SHORT_CODE);
    assert.equal(reply[0]?.text, 'Thanks, 79005550001!');

    const long = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ') + ' ' + 'y'.repeat(200);
    assert.equal(smsc.injectMo({ from: '79005550002', to: SHORT_CODE, text: long, parts: 3 }).parts, 3);
    await waitFor('the long MO callback', () => mos().some((m) => m.body.from === '79005550002'));
    const longMos = mos().filter((m) => m.body.from === '79005550002');
    assert.equal(longMos.length, 1);
    assert.equal(longMos[0]?.body.text, long);
    assert.equal(longMos[0]?.body.partial, false);
    await waitFor('every MO part answered', () => smsc.stats().mo.acknowledged === 4);
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});

test('a short code provisioned while running routes its MO to the new client', async () => {
  const temp = tempDir();
  const smsc = await simulator();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url });
  try {
    await waitFor('the bind', () => smsc.stats().binds.open === 1);
    const version = await node.store.applyProvisioning([
      {
        op: 'client.put',
        client: {
          id: 'news' as ClientId, name: 'News', login: 'news', passwordHash: null, urlToken: 'news-deliver-url-token-0123', virtualPort: null,
          disabled: false, demo: false, allowedIps: ['127.0.0.1'], senders: [], reservedTps: 0, maxTps: null, maxQueued: 1000, dlrUrl: null,
          moUrl: `${receiver.url}/news-mo`, callbackFormat: 'post-json', callbackSecret: 'news-secret', shortCodes: ['5555'], keywords: [],
          moReplyAllowed: false,
          smpp: null,
        },
      },
    ]);
    // The node rebuilds its MO router when it sees the new provisioning version.
    await waitFor('the new version in delivery', () => node.delivery.provisioningVersion >= version);
    smsc.injectMo({ from: '79005550003', to: '5555', text: 'subscribe' });
    await waitFor('the MO at the new client', () => receiver.received.some((e) => e.url === '/news-mo'));
    const body = JSON.parse(receiver.received.find((e) => e.url === '/news-mo')?.body ?? '{}') as MoBody;
    assert.equal(body.text, 'subscribe');
    assert.equal(body.shortCode, '5555');
    assert.equal(receiver.received.filter((e) => e.url === '/mo').length, 0);
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});

test('an MO no short code or keyword routes goes to the configured default client (inbound.defaultMoClientId)', async () => {
  const temp = tempDir();
  const smsc = await simulator();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url, defaultMoClientId: 'acme' });
  try {
    await waitFor('the bind', () => smsc.stats().binds.open === 1);
    smsc.injectMo({ from: '79005550004', to: '7777', text: 'nobody has this short code' });
    await waitFor('the MO at the default client', () => receiver.received.some((e) => e.url === '/mo'));
    const body = JSON.parse(receiver.received.find((e) => e.url === '/mo')?.body ?? '{}') as MoBody;
    assert.equal(body.shortCode, '7777');
    assert.equal(body.text, 'nobody has this short code');
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
