import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import type { Store } from '../../daemon/storage/port.js';
import { clientPut, everyChannel, mo, moPart, route, sleep } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const acme = 'acme' as ClientId;

async function provision(store: Store, moUrl: string | null = 'https://acme.test/mo'): Promise<void> {
  await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme', { moUrl }) }]);
}

export function defineMoTests(factory: StoreFactory): void {
  test('MO: a part is held once per dedup key and survives until its MO consumes it', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const first = moPart(1);
      const held = await store.holdMoPart(first);
      assert.equal(held.kind, 'held');
      assert.deepEqual(await store.holdMoPart(first), { kind: 'duplicate' });
      const second = await store.holdMoPart(moPart(2));
      assert.ok(held.kind === 'held' && second.kind === 'held');
      assert.notEqual(held.partId, second.partId);
      const parts = await store.loadHeldMoParts();
      assert.deepEqual(parts.map((p) => [p.partId, p.seq, p.text]), [[held.partId, 1, 'VOTE fo'], [second.partId, 2, 'r 3']]);
      const [loaded] = parts;
      assert.deepEqual(
        loaded && [loaded.routeId, loaded.source, loaded.shortCode, loaded.reference, loaded.total, loaded.dedupKey, loaded.receivedAt.getTime()],
        [first.routeId, first.source, first.shortCode, 7, 2, first.dedupKey, first.receivedAt.getTime()],
      );
      const outcome = await store.recordMo(mo('acme', { consumedPartIds: [held.partId, second.partId] }));
      assert.ok(outcome.kind === 'new' && outcome.eventId !== null);
      assert.deepEqual(await store.loadHeldMoParts(), []);
      const [event, ...more] = await store.claimCallbacks({ owner: 's', limit: 10, perClientLimit: 10, leaseMs: 60_000, scope: everyChannel('acme') });
      assert.deepEqual(more, []);
      assert.ok(event);
      assert.deepEqual([event.id, event.kind, event.clientId, event.url, event.kannel], [outcome.eventId, 'mo', acme, 'https://acme.test/mo', false]);
      assert.deepEqual(
        [event.payload.moId, event.payload.from, event.payload.to, event.payload.text, event.payload.keyword, event.payload.args],
        [outcome.moId, '79161234567', '4242', 'VOTE for 3', 'VOTE', 'for 3'],
      );
      assert.deepEqual([event.payload.partial, event.payload.missingParts, typeof event.payload.receivedAt], [false, '', 'string']);
    }));

  test('MO: a partial MO reports its missing parts', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const outcome = await store.recordMo(mo('acme', { partial: true, missingParts: [2, 3] }));
      assert.ok(outcome.kind === 'new');
      const [event] = await store.claimCallbacks({ owner: 's', limit: 10, perClientLimit: 10, leaseMs: 60_000, scope: everyChannel('acme') });
      assert.deepEqual([event?.payload.partial, event?.payload.missingParts], [true, '2,3']);
    }));

  test('MO: the same dedup key is a duplicate until dedupUntil, then a new MO', () =>
    withStore(factory, {}, async (store) => {
      await provision(store);
      const keyed = (): ReturnType<typeof mo> => mo('acme', { dedupKey: 'mts-1/79161234567/abc', dedupUntil: new Date(Date.now() + 80) });
      const first = await store.recordMo(keyed());
      assert.equal(first.kind, 'new');
      assert.deepEqual(await store.recordMo(keyed()), { kind: 'duplicate', moId: first.moId });
      assert.deepEqual([...(await store.callbackBacklog())], [[acme, 1]], 'a duplicate raises no event');
      await sleep(120);
      const later = await store.recordMo(keyed());
      assert.equal(later.kind, 'new');
      assert.notEqual(later.moId, first.moId);
      assert.equal((await store.recordMo(mo('acme'))).kind, 'new', 'no dedup key: never a duplicate');
    }));

  test('MO: an unrouted MO, or one for a client without an MO URL, is kept without an event', () =>
    withStore(factory, {}, async (store) => {
      await provision(store, null);
      const unrouted = await store.recordMo(mo(null));
      assert.ok(unrouted.kind === 'new');
      assert.equal(unrouted.eventId, null);
      const noUrl = await store.recordMo(mo('acme'));
      assert.ok(noUrl.kind === 'new');
      assert.equal(noUrl.eventId, null);
      assert.deepEqual([...(await store.callbackBacklog())], []);
    }));

  test('MO: a client with SMPP access and no MO URL gets its MO over SMPP (url smpp:); with an MO URL, there', () =>
    withStore(factory, {}, async (store) => {
      const smpp = { systemId: 'acme', passwordHash: 'scrypt$x', maxBinds: 2, enabled: true };
      await store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme', { moUrl: null, smpp }) }]);
      assert.ok((await store.recordMo(mo('acme'))).kind === 'new');
      const [overSmpp] = await store.claimCallbacks({ owner: 's', limit: 10, perClientLimit: 10, leaseMs: 60_000, scope: everyChannel('acme') });
      assert.equal(overSmpp?.url, 'smpp:');
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { moUrl: 'https://acme.test/mo', smpp }) }]);
      assert.ok((await store.recordMo(mo('acme', { text: 'VOTE again' }))).kind === 'new');
      const [overHttp] = await store.claimCallbacks({ owner: 's', limit: 10, perClientLimit: 10, leaseMs: 60_000, scope: everyChannel('acme') });
      assert.equal(overHttp?.url, 'https://acme.test/mo');
    }));

  test('retention: a sweep purges delivered events, old MO rows and old problems, but keeps due events', () =>
    withStore(factory, { queue: { maxRetries: 2, retryDelayMs: 0, retentionMs: 50 } }, async (store) => {
      await provision(store);
      const delivered = await store.recordMo(mo('acme'));
      const waiting = await store.recordMo(mo('acme'));
      assert.ok(delivered.kind === 'new' && delivered.eventId !== null && waiting.kind === 'new');
      await store.claimCallbacks({ owner: 's', limit: 1, perClientLimit: 1, leaseMs: 60_000, scope: everyChannel('acme') });
      await store.completeCallback(delivered.eventId, 's', { kind: 'delivered' });
      await store.recordInboundProblem({ kind: 'pdu-malformed', routeId: null, bindId: null, rawHex: '00', detail: 'old' });
      await sleep(80);
      assert.equal((await store.sweepMt()).purged, 4, 'one event, two MO rows, one problem');
      assert.deepEqual(await store.listInboundProblems({ limit: 10 }), []);
      assert.deepEqual([...(await store.callbackBacklog())], [[acme, 1]], 'an event not yet delivered is kept');
    }));

  test('inbound problems: listed newest first, by kind, up to the limit', () =>
    withStore(factory, {}, async (store) => {
      const routeId = 'mts-1' as RouteId;
      await store.recordInboundProblem({ kind: 'pdu-malformed', routeId, bindId: null, rawHex: '00000010', detail: 'short PDU' });
      await store.recordInboundProblem({ kind: 'receipt-unparsed', routeId, bindId: null, rawHex: '6964', detail: 'no stat' });
      await store.recordInboundProblem({ kind: 'mo-unrouted', routeId: null, bindId: null, rawHex: '41', detail: 'no client' });
      const all = await store.listInboundProblems({ limit: 10 });
      assert.deepEqual(all.map((p) => p.kind), ['mo-unrouted', 'receipt-unparsed', 'pdu-malformed']);
      assert.equal(new Set(all.map((p) => p.id)).size, 3);
      assert.ok(all.every((p) => p.at instanceof Date));
      assert.deepEqual((await store.listInboundProblems({ limit: 1 })).map((p) => p.detail), ['no client']);
      const [malformed, ...rest] = await store.listInboundProblems({ limit: 10, kind: 'pdu-malformed' });
      assert.deepEqual(rest, []);
      assert.deepEqual(malformed && [malformed.routeId, malformed.bindId, malformed.rawHex, malformed.detail], [routeId, null, '00000010', 'short PDU']);
    }));
}
