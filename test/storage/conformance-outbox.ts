import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { CallbackClaim, CallbackClaimScope, Store } from '../../daemon/storage/port.js';
import { clientPut, mo, route, sleep } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const acme = 'acme' as ClientId;
const zeta = 'zeta' as ClientId;

async function provision(store: Store): Promise<void> {
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    { op: 'client.put', client: clientPut('acme', { moUrl: 'https://acme.test/mo' }) },
    { op: 'client.put', client: clientPut('zeta', { moUrl: 'https://zeta.test/mo', shortCodes: ['5555'], keywords: [] }) },
  ]);
}

/** Raises `count` callback events for the client (one MO each); returns their ids in order. */
async function raise(store: Store, clientId: ClientId, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n += 1) {
    const outcome = await store.recordMo(mo(clientId, { text: `VOTE ${n}` }));
    assert.ok(outcome.kind === 'new' && outcome.eventId !== null);
    ids.push(outcome.eventId);
  }
  return ids;
}

function claim(owner: string, overrides: Partial<CallbackClaim> = {}): CallbackClaim {
  return { owner, limit: 100, perClientLimit: 100, leaseMs: 60_000, scope: httpOnly, ...overrides };
}

const httpOnly: CallbackClaimScope = { http: true, smppClients: [] };
const smppOf = (...clients: ClientId[]): CallbackClaimScope => ({ http: false, smppClients: clients });
const smppAccess = { systemId: 'acme', passwordHash: 'scrypt$x', maxBinds: 2, enabled: true };

/** acme's MO go over SMPP (SMPP access, no MO URL); zeta's over HTTP. */
async function provisionChannels(store: Store): Promise<void> {
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts-1') },
    { op: 'client.put', client: clientPut('acme', { moUrl: null, smpp: smppAccess }) },
    { op: 'client.put', client: clientPut('zeta', { moUrl: 'https://zeta.test/mo', shortCodes: ['5555'], keywords: [] }) },
  ]);
}

export function defineOutboxTests(factory: StoreFactory): void {
  test('outbox: a claim takes the oldest due events, at most perClientLimit per client, under a lease', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const acmeIds = await raise(store, acme, 5);
      const zetaIds = await raise(store, zeta, 2);
      const first = await store.claimCallbacks(claim('sender-1', { perClientLimit: 2, leaseMs: 80 }));
      assert.deepEqual(first.map((e) => e.id), [acmeIds[0], acmeIds[1], zetaIds[0], zetaIds[1]]);
      assert.deepEqual(first.map((e) => e.clientId), [acme, acme, zeta, zeta]);
      assert.equal(first[0]?.url, 'https://acme.test/mo');
      const second = await store.claimCallbacks(claim('sender-2', { perClientLimit: 3 }));
      assert.deepEqual(second.map((e) => e.id), [acmeIds[2]], 'live leases count toward the client\'s limit; leased events are not claimed again');
      assert.deepEqual((await store.claimCallbacks(claim('sender-2', { limit: 1 }))).map((e) => e.id), [acmeIds[3]], 'limit');
      assert.deepEqual((await store.claimCallbacks(claim('sender-3'))).map((e) => e.id), [acmeIds[4]]);
      assert.deepEqual(await store.claimCallbacks(claim('sender-3')), [], 'everything is leased');
      await sleep(120);
      const again = await store.claimCallbacks(claim('sender-3'));
      assert.deepEqual(again.map((e) => e.id), [acmeIds[0], acmeIds[1], zetaIds[0], zetaIds[1]], 'a lapsed lease is due again');
      assert.ok(again.every((e) => e.attempts === 0));
    }));

  test('outbox: a retry waits for its delay and counts the attempt', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [id] = await raise(store, acme, 1);
      assert.ok(id);
      await store.claimCallbacks(claim('sender-1'));
      await store.completeCallback(id, 'sender-1', { kind: 'retry', delayMs: 100, error: 'HTTP 503' });
      assert.deepEqual([...(await store.callbackBacklog())], [[acme, 1]], 'in backoff, still waiting');
      assert.deepEqual(await store.claimCallbacks(claim('sender-1')), [], 'not before its delay');
      await sleep(130);
      const [retried] = await store.claimCallbacks(claim('sender-1'));
      assert.deepEqual([retried?.id, retried?.attempts], [id, 1]);
      await store.completeCallback(id, 'sender-1', { kind: 'delivered' });
      assert.deepEqual([...(await store.callbackBacklog())], []);
    }));

  test('outbox: dead events are listed newest first and replayed with attempts reset', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [a1, a2] = await raise(store, acme, 2);
      const [z1] = await raise(store, zeta, 1);
      assert.ok(a1 && a2 && z1);
      await store.claimCallbacks(claim('sender-1'));
      for (const id of [a1, z1, a2]) {
        await store.completeCallback(id, 'sender-1', { kind: 'dead', error: `gave up on ${id}` });
        await sleep(5); // distinct dead-letter times
      }
      assert.deepEqual([...(await store.callbackBacklog())], []);
      const dead = await store.listDeadCallbacks({ limit: 10 });
      assert.deepEqual(dead.map((e) => e.id), [a2, z1, a1]);
      assert.equal(dead[0]?.lastError, `gave up on ${a2}`);
      assert.equal(dead[0]?.attempts, 1);
      assert.ok(dead[0]?.deadAt instanceof Date);
      assert.deepEqual((await store.listDeadCallbacks({ clientId: acme, limit: 1 })).map((e) => e.id), [a2]);
      assert.equal(await store.replayDeadCallbacks({ eventIds: [z1, 'no-such-event'] }), 1);
      assert.equal(await store.replayDeadCallbacks({ clientId: acme }), 2);
      assert.deepEqual(await store.listDeadCallbacks({ limit: 10 }), []);
      const replayed = await store.claimCallbacks(claim('sender-2'));
      assert.deepEqual(replayed.map((e) => [e.id, e.attempts]), [[a1, 0], [a2, 0], [z1, 0]]);
    }));

  test('outbox: an outcome from anyone but the lease holder is ignored', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const [id] = await raise(store, acme, 1);
      assert.ok(id);
      await store.completeCallback(id, 'sender-1', { kind: 'delivered' });
      assert.deepEqual([...(await store.callbackBacklog())], [[acme, 1]], 'not leased: ignored');
      await store.claimCallbacks(claim('sender-1', { leaseMs: 60 }));
      await store.completeCallback(id, 'sender-2', { kind: 'dead', error: 'not mine' });
      assert.deepEqual(await store.listDeadCallbacks({ limit: 10 }), []);
      await sleep(90);
      assert.deepEqual((await store.claimCallbacks(claim('sender-2'))).map((e) => e.id), [id], 'still due after the lease');
      await store.completeCallback(id, 'sender-1', { kind: 'delivered' });
      assert.deepEqual([...(await store.callbackBacklog())], [[acme, 1]], 'the lease moved to sender-2');
      await store.completeCallback(id, 'sender-2', { kind: 'delivered' });
      assert.deepEqual([...(await store.callbackBacklog())], []);
    }));

  test('outbox: the backlog counts due, backing-off and leased events per client', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      assert.deepEqual([...(await store.callbackBacklog())], []);
      const acmeIds = await raise(store, acme, 3);
      await raise(store, zeta, 1);
      await store.claimCallbacks(claim('sender-1', { limit: 2 }));
      const [delivered, retried] = acmeIds;
      assert.ok(delivered && retried);
      await store.completeCallback(delivered, 'sender-1', { kind: 'delivered' });
      await store.completeCallback(retried, 'sender-1', { kind: 'retry', delayMs: 60_000, error: 'timeout' });
      const backlog = await store.callbackBacklog();
      assert.equal(backlog.get(acme), 2);
      assert.equal(backlog.get(zeta), 1);
      assert.equal(backlog.size, 2);
    }));

  test('outbox: a claim\'s scope takes HTTP events when http, SMPP-channel events only of the listed clients', () =>
    withStore(factory, {}, async (store) => {
      await provisionChannels(store);
      const acmeSmpp = await raise(store, acme, 2);
      const [zetaHttp] = await raise(store, zeta, 1);
      // acme gets an MO URL: its next MO goes over HTTP while the earlier ones stay on the SMPP channel.
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { moUrl: 'https://acme.test/mo', smpp: smppAccess }) }]);
      const [acmeHttp] = await raise(store, acme, 1);
      assert.deepEqual(await store.claimCallbacks(claim('node-b', { scope: smppOf(zeta) })), [], 'zeta has no SMPP events; acme is not listed');
      assert.deepEqual(await store.claimCallbacks(claim('node-b', { scope: { http: false, smppClients: [] } })), [], 'an empty scope takes nothing');
      const http = await store.claimCallbacks(claim('worker', { scope: httpOnly }));
      assert.deepEqual(http.map((e) => e.id), [zetaHttp, acmeHttp], 'HTTP events only, of every client');
      const smpp = await store.claimCallbacks(claim('node-b', { scope: smppOf(acme, zeta) }));
      assert.deepEqual(smpp.map((e) => [e.id, e.url]), acmeSmpp.map((id) => [id, 'smpp:']));
    }));

  test('outbox: a client\'s SMPP and HTTP events are claimed together, oldest first, within its limit', () =>
    withStore(factory, {}, async (store) => {
      await provisionChannels(store);
      const [smpp1, smpp2] = await raise(store, acme, 2);
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { moUrl: 'https://acme.test/mo', smpp: smppAccess }) }]);
      const [http1] = await raise(store, acme, 1);
      const first = await store.claimCallbacks(claim('node-a', { scope: { http: true, smppClients: [acme] }, perClientLimit: 2 }));
      assert.deepEqual(first.map((e) => e.id), [smpp1, smpp2], 'the oldest two of both channels');
      assert.deepEqual((await store.claimCallbacks(claim('node-a', { scope: { http: true, smppClients: [acme] }, perClientLimit: 3 }))).map((e) => e.id), [http1]);
    }));

  test('outbox: a lapsed lease of an SMPP-channel event goes only to a claim that lists its client', () =>
    withStore(factory, {}, async (store) => {
      await provisionChannels(store);
      const [id] = await raise(store, acme, 1);
      assert.deepEqual((await store.claimCallbacks(claim('node-a', { scope: smppOf(acme), leaseMs: 60 }))).map((e) => e.id), [id]);
      await sleep(100);
      assert.deepEqual(await store.claimCallbacks(claim('node-b', { scope: { http: true, smppClients: [zeta] } })), [], 'acme is not bound to node-b');
      assert.deepEqual((await store.claimCallbacks(claim('node-c', { scope: smppOf(acme) }))).map((e) => e.id), [id]);
    }));

  test('outbox: SMPP-channel events no claim took are listed as waiting, and dead-lettered once due for the wait', () =>
    withStore(factory, {}, async (store) => {
      await provisionChannels(store);
      const [old1, old2] = await raise(store, acme, 2);
      await raise(store, zeta, 1);
      assert.ok(old1 && old2);
      const waiting = await store.waitingSmppCallbacks();
      assert.deepEqual([...waiting.keys()], [acme], 'HTTP events are not waiting for a bind');
      assert.equal(waiting.get(acme)?.events, 2);
      assert.ok(waiting.get(acme)?.oldestDueAt instanceof Date);
      assert.ok(Math.abs((waiting.get(acme)?.oldestDueAt.getTime() ?? 0) - Date.now()) < 60_000);
      await sleep(400);
      const [young] = await raise(store, acme, 1);
      assert.equal(await store.deadLetterUnclaimedSmppCallbacks(300, 'no receiving SMPP bind'), 2, 'the two old ones, not the young one nor HTTP');
      const dead = await store.listDeadCallbacks({ limit: 10 });
      assert.deepEqual(new Set(dead.map((e) => e.id)), new Set([old1, old2]));
      assert.deepEqual(dead.map((e) => [e.lastError, e.attempts]), [['no receiving SMPP bind', 0], ['no receiving SMPP bind', 0]], 'no attempt was made');
      assert.equal((await store.waitingSmppCallbacks()).get(acme)?.events, 1);
      assert.deepEqual((await store.claimCallbacks(claim('node-a', { scope: smppOf(acme) }))).map((e) => e.id), [young]);
      assert.equal((await store.waitingSmppCallbacks()).size, 0, 'a leased event is not waiting');
      // A replay makes the event due now: it waits afresh.
      assert.equal(await store.replayDeadCallbacks({ clientId: acme }), 2);
      assert.equal(await store.deadLetterUnclaimedSmppCallbacks(300, 'no receiving SMPP bind'), 0);
      assert.equal((await store.waitingSmppCallbacks()).get(acme)?.events, 2);
    }));
}
