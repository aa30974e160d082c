import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import type { ClientId } from '../../daemon/domain/ids.js';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import { clientLookup, clientPut, newSender, provision, raiseDlr, raiseMo, signatureIsValid, startReceiver, waitFor } from './callback-harness.js';

test('events reach each client in its format, signed with its secret, once each', async () => {
  const handle = await openTestSqliteStore();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const { store } = handle;
  try {
    const formats = ['get', 'post-form', 'post-json', 'post-xml'] as const;
    await provision(
      store,
      formats.map((format) =>
        clientPut(format, {
          callbackFormat: format,
          callbackSecret: `secret-${format}`,
          moUrl: `${receiver.url}/mo/${format}?source=smsproc`,
          dlrUrl: `${receiver.url}/dlr/${format}`,
        }),
      ),
    );
    const expected = new Map<string, { format: string; kind: string }>();
    for (const format of formats) {
      expected.set(await raiseMo(store, format, `VOTE for ${format} & <more>`), { format, kind: 'mo' });
      expected.set(await raiseDlr(store, format), { format, kind: 'dlr' });
    }
    const sender = newSender(store, await clientLookup(store), {});
    sender.start();
    try {
      await waitFor('every event', () => new Set(receiver.received.map((r) => r.eventId)).size === expected.size);
      await waitFor('an empty backlog', async () => (await store.callbackBacklog()).size === 0);
    } finally {
      await sender.stop();
    }
    assert.equal(receiver.received.length, expected.size, 'each event delivered once');
    for (const entry of receiver.received) {
      const want = expected.get(entry.eventId);
      assert.ok(want, `unknown event ${entry.eventId}`);
      assert.ok(signatureIsValid(`secret-${want.format}`, entry), `signature of ${want.format}`);
      assert.ok(!signatureIsValid('secret-other', entry));
      const path = entry.url.split('?')[0];
      assert.equal(path, `/${want.kind}/${want.format}`);
      const fields = fieldsOf(want.format, entry.method, entry.url, entry.body, entry.headers['content-type']);
      assert.equal(fields['eventId'], entry.eventId);
      assert.equal(fields['type'], want.kind);
      if (want.kind === 'mo') assert.equal(fields['text'], `VOTE for ${want.format} & <more>`);
      else assert.equal(fields['status'], 'delivered');
      if (want.format === 'get' && want.kind === 'mo') assert.equal(new URL(entry.url, receiver.url).searchParams.get('source'), 'smsproc');
    }
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});

function fieldsOf(format: string, method: string, url: string, body: string, contentType: string | undefined): Record<string, unknown> {
  switch (format) {
    case 'get':
      assert.equal(method, 'GET');
      return Object.fromEntries(new URL(url, 'http://x').searchParams);
    case 'post-form':
      assert.equal(contentType, 'application/x-www-form-urlencoded');
      return Object.fromEntries(new URLSearchParams(body));
    case 'post-json':
      assert.equal(contentType, 'application/json');
      return JSON.parse(body) as Record<string, unknown>;
    default: {
      assert.match(contentType ?? '', /^application\/xml/);
      const parsed = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(body) as { callback: Record<string, unknown> };
      return { ...parsed.callback, type: parsed.callback['@_type'] };
    }
  }
}

test('a Kannel sendsms message\'s receipts go to its dlr-url with the escapes filled', async () => {
  const handle = await openTestSqliteStore();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const { store } = handle;
  try {
    await provision(store, [clientPut('kannel', { callbackFormat: 'post-json' })]);
    await raiseDlr(store, 'kannel', {
      kannelDlrMask: 1 | 8,
      kannelDlrUrl: `${receiver.url}/k?type=%d&to=%p&from=%P&id=%I&smsc=%F&at=%T&reply=%A&pct=%%`,
      sender: 'ACME Bank',
    });
    const sender = newSender(store, await clientLookup(store), {});
    sender.start();
    try {
      await waitFor('the submitted and delivered reports', () => receiver.received.length >= 2);
      await waitFor('an empty backlog', async () => (await store.callbackBacklog()).size === 0);
    } finally {
      await sender.stop();
    }
    const types = receiver.received.map((entry) => new URL(entry.url, receiver.url).searchParams.get('type')).sort();
    assert.deepEqual(types, ['1', '8'], 'one GET per dlr-mask bit reached: 8 submitted, 1 delivered');
    const delivered = receiver.received.find((entry) => entry.url.includes('type=1'));
    assert.ok(delivered);
    assert.equal(delivered.method, 'GET');
    const params = new URL(delivered.url, receiver.url).searchParams;
    assert.equal(params.get('to'), '79161234567');
    assert.equal(params.get('from'), 'ACME Bank');
    assert.match(params.get('id') ?? '', /^[0-9a-f-]{36}$/);
    assert.match(params.get('smsc') ?? '', /^S\d+x\d+$/);
    assert.match(params.get('at') ?? '', /^\d{10}$/);
    assert.match(params.get('reply') ?? '', /stat:DELIVRD/);
    assert.ok(delivered.url.endsWith('&pct=%'), delivered.url);
    assert.ok(signatureIsValid('secret', delivered), 'signed like every callback');
    assert.ok((await store.listDeadCallbacks({ clientId: 'kannel' as ClientId, limit: 10 })).length === 0);
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});
