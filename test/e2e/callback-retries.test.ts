import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { CallbackEvent } from '../../daemon/storage/port.js';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import { clientLookup, clientPut, newSender, provision, raiseDlr, raiseMo, startReceiver, waitFor, type Reply } from './callback-harness.js';

const quickBackoff = { firstDelayMs: 200, maxDelayMs: 1000, maxAgeMs: 60_000, jitterRatio: 0.2 };

test('503 then 200: retried after the backoff and delivered once', async () => {
  const handle = await openTestSqliteStore();
  let calls = 0;
  const receiver = await startReceiver(() => {
    calls += 1;
    return { status: calls === 1 ? 503 : 200 };
  });
  const { store } = handle;
  try {
    await provision(store, [clientPut('acme', { moUrl: `${receiver.url}/mo` })]);
    const eventId = await raiseMo(store, 'acme', 'HELLO');
    const sender = newSender(store, await clientLookup(store), { backoff: quickBackoff });
    sender.start();
    try {
      await waitFor('the retry', () => receiver.received.length >= 2);
      await waitFor('an empty backlog', async () => (await store.callbackBacklog()).size === 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await sender.stop();
    }
    assert.deepEqual(receiver.received.map((entry) => entry.eventId), [eventId, eventId], 'one failure, one success, no more');
    const [first, second] = receiver.received;
    assert.ok(first && second);
    assert.ok(second.at - first.at >= 150, `waited ${second.at - first.at} ms (backoff 160–200 ms)`);
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});

test('404: dead at once, listed, and delivered after a replay', async () => {
  const handle = await openTestSqliteStore();
  let status = 404;
  const receiver = await startReceiver(() => ({ status }));
  const { store } = handle;
  try {
    await provision(store, [clientPut('acme', { moUrl: `${receiver.url}/mo` })]);
    const eventId = await raiseMo(store, 'acme', 'HELLO');
    const sender = newSender(store, await clientLookup(store), { backoff: quickBackoff });
    sender.start();
    try {
      await waitFor('the dead letter', async () => (await store.listDeadCallbacks({ limit: 10 })).length === 1);
      const [dead] = await store.listDeadCallbacks({ clientId: 'acme' as ClientId, limit: 10 });
      assert.equal(dead?.id, eventId);
      assert.equal(dead?.lastError, 'HTTP 404');
      assert.equal(receiver.received.length, 1, 'not retried');
      status = 200;
      assert.equal(await store.replayDeadCallbacks({ eventIds: [eventId] }), 1);
      await waitFor('the replayed delivery', () => receiver.received.length === 2);
      await waitFor('an empty backlog', async () => (await store.callbackBacklog()).size === 0);
    } finally {
      await sender.stop();
    }
    assert.deepEqual(await store.listDeadCallbacks({ limit: 10 }), []);
    assert.equal(receiver.received[1]?.eventId, eventId, 'the same event id, so the client can deduplicate');
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});

test('429 with Retry-After pauses that client only', async () => {
  const handle = await openTestSqliteStore();
  let throttled = 0;
  const receiver = await startReceiver((entry) => {
    if (entry.url.startsWith('/slow') && throttled === 0) {
      throttled += 1;
      return { status: 429, headers: { 'Retry-After': '1' } };
    }
    return { status: 200 };
  });
  const { store } = handle;
  try {
    await provision(store, [
      clientPut('slow', { moUrl: `${receiver.url}/slow` }),
      clientPut('fast', { moUrl: `${receiver.url}/fast` }),
    ]);
    const first = await raiseMo(store, 'slow', 'ONE');
    const sender = newSender(store, await clientLookup(store), { backoff: quickBackoff, perClientConcurrency: 1 });
    sender.start();
    try {
      await waitFor('the 429', () => throttled === 1);
      const throttledAt = Date.now();
      await raiseMo(store, 'slow', 'TWO');
      await raiseMo(store, 'fast', 'THREE');
      await waitFor('the 429 and three deliveries', () => receiver.received.length >= 4);
      const fast = receiver.received.find((entry) => entry.url.startsWith('/fast'));
      const slowLater = receiver.received.filter((entry) => entry.url.startsWith('/slow')).slice(1);
      assert.ok(fast && fast.at - throttledAt < 800, 'the other client is not paused');
      assert.equal(slowLater.length, 2);
      for (const entry of slowLater) assert.ok(entry.at - throttledAt >= 800, `paused client waited ${entry.at - throttledAt} ms`);
      assert.ok(slowLater.some((entry) => entry.eventId === first));
    } finally {
      await sender.stop();
    }
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});

test('MO reply hook: only for MO of clients allowing replies that answer 2xx text/plain with text', async () => {
  const handle = await openTestSqliteStore();
  const replies: Record<string, Reply> = {
    '/allowed': { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: '  Thanks for voting!\n' },
    '/json': { status: 200, headers: { 'Content-Type': 'application/json' }, body: '"Thanks"' },
    '/empty': { status: 200, headers: { 'Content-Type': 'text/plain' }, body: '   ' },
    '/error': { status: 500, headers: { 'Content-Type': 'text/plain' }, body: 'oops' },
    '/refused': { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'not allowed to reply' },
  };
  const receiver = await startReceiver((entry) => {
    const path = entry.url.split('?')[0] ?? '';
    return replies[path] ?? { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'dlr reply ignored' };
  });
  const { store } = handle;
  const called: Array<{ event: CallbackEvent; text: string }> = [];
  try {
    await provision(store, [
      clientPut('allowed', { moUrl: `${receiver.url}/allowed`, dlrUrl: `${receiver.url}/allowed-dlr`, moReplyAllowed: true }),
      clientPut('json', { moUrl: `${receiver.url}/json`, moReplyAllowed: true }),
      clientPut('empty', { moUrl: `${receiver.url}/empty`, moReplyAllowed: true }),
      clientPut('error', { moUrl: `${receiver.url}/error`, moReplyAllowed: true }),
      clientPut('refused', { moUrl: `${receiver.url}/refused`, moReplyAllowed: false }),
    ]);
    const allowedEvent = await raiseMo(store, 'allowed', 'VOTE 1');
    for (const client of ['json', 'empty', 'error', 'refused']) await raiseMo(store, client, 'VOTE 2');
    await raiseDlr(store, 'allowed');
    const sender = newSender(store, await clientLookup(store), { backoff: { ...quickBackoff, firstDelayMs: 60_000 } }, {
      onMoReply: async (event, text) => {
        called.push({ event, text });
      },
    });
    sender.start();
    try {
      await waitFor('six attempts', () => receiver.received.length >= 6);
      await waitFor('five delivered', async () => (await store.callbackBacklog()).size === 1);
    } finally {
      await sender.stop();
    }
    assert.equal(called.length, 1, JSON.stringify(called.map((c) => c.text)));
    assert.equal(called[0]?.event.id, allowedEvent);
    assert.equal(called[0]?.event.kind, 'mo');
    assert.equal(called[0]?.text, 'Thanks for voting!');
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});

test('stop() is bounded: a hanging request is abandoned, recorded for a retry, and delivered later', async () => {
  const handle = await openTestSqliteStore();
  let hang = true;
  const receiver = await startReceiver(() => (hang ? { status: 200, delayMs: 30_000 } : { status: 200 }));
  const { store } = handle;
  try {
    await provision(store, [clientPut('acme', { moUrl: `${receiver.url}/mo` })]);
    const eventId = await raiseMo(store, 'acme', 'HELLO');
    const clientOf = await clientLookup(store);
    const first = newSender(store, clientOf, { requestTimeoutMs: 20_000, leaseMs: 30_000, stopTimeoutMs: 300, backoff: quickBackoff });
    first.start();
    await waitFor('the hanging request', () => receiver.received.length === 1);
    const stoppedAt = Date.now();
    await first.stop();
    assert.ok(Date.now() - stoppedAt < 2000, `stop took ${Date.now() - stoppedAt} ms`);
    assert.equal(first.inFlightCount(), 0);
    hang = false;
    const second = newSender(store, clientOf, { backoff: quickBackoff }, { owner: 'second' });
    second.start();
    try {
      // Recorded as a retry (not left leased for 30 s): the next sender gets it after the short backoff.
      await waitFor('the retry by the next sender', () => receiver.received.length === 2, 5000);
      await waitFor('an empty backlog', async () => (await store.callbackBacklog()).size === 0);
    } finally {
      await second.stop();
    }
    assert.equal(receiver.received[1]?.eventId, eventId);
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});

test('events that can never be delivered are dead without a request: deleted client, non-http URL', async () => {
  const handle = await openTestSqliteStore();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const { store } = handle;
  try {
    await provision(store, [
      clientPut('gone', { moUrl: `${receiver.url}/mo` }),
      clientPut('ftp', { moUrl: 'ftp://127.0.0.1/mo' }),
    ]);
    const goneEvent = await raiseMo(store, 'gone', 'HELLO');
    const ftpEvent = await raiseMo(store, 'ftp', 'HELLO');
    const known = await clientLookup(store);
    const sender = newSender(store, (id) => (id === 'gone' ? undefined : known(id)), { backoff: quickBackoff });
    sender.start();
    try {
      await waitFor('two dead letters', async () => (await store.listDeadCallbacks({ limit: 10 })).length === 2);
    } finally {
      await sender.stop();
    }
    const dead = new Map((await store.listDeadCallbacks({ limit: 10 })).map((event) => [event.id, event.lastError]));
    assert.equal(dead.get(goneEvent), 'client is no longer provisioned');
    assert.match(dead.get(ftpEvent) ?? '', /^cannot build the request: not an http\(s\) URL/);
    assert.equal(receiver.received.length, 0);
  } finally {
    await receiver.close();
    await handle.cleanup();
  }
});
