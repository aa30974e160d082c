import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { WebSessionRecord } from '../../daemon/storage/web-session-port.js';
import { clientPut } from './fixtures.js';
import { withStore, type StoreFactory } from './store-factory.js';

const minute = 60_000;

function session(idSha256: string, overrides: Partial<WebSessionRecord> = {}): WebSessionRecord {
  const now = Date.now();
  return {
    idSha256, kind: 'stats', subject: 'acme', csrfToken: `csrf-${idSha256.slice(0, 8)}`, lang: null,
    createdAt: new Date(now), expiresAt: new Date(now + 30 * minute), ...overrides,
  };
}

const hash = (digit: string): string => digit.repeat(64);

export function defineWebSessionTests(factory: StoreFactory): void {
  test('web sessions: a session is found by its id hash and kind until it expires', () =>
    withStore(factory, {}, async (store) => {
      const now = new Date();
      const stats = session(hash('a'), { lang: 'ru' });
      await store.createWebSession(stats);
      await store.createWebSession(session(hash('b'), { kind: 'admin', subject: 'ops' }));
      const found = await store.findWebSession(hash('a'), 'stats', now);
      assert.deepEqual(found, stats);
      assert.equal(await store.findWebSession(hash('a'), 'admin', now), null, 'a client session is no operator session');
      assert.equal((await store.findWebSession(hash('b'), 'admin', now))?.subject, 'ops');
      assert.equal(await store.findWebSession(hash('c'), 'stats', now), null);
      assert.equal(await store.findWebSession(hash('a'), 'stats', stats.expiresAt), null, 'expired at its expiry time');
    }));

  test('web sessions: extend moves the expiry, setWebSessionLang the language; delete ends only that session', () =>
    withStore(factory, {}, async (store) => {
      const first = session(hash('a'));
      await store.createWebSession(first);
      await store.createWebSession(session(hash('b')));
      const later = new Date(first.expiresAt.getTime() + 10 * minute);
      await store.extendWebSession(hash('a'), later);
      await store.setWebSessionLang(hash('a'), 'en');
      const moved = await store.findWebSession(hash('a'), 'stats', first.expiresAt);
      assert.deepEqual([moved?.expiresAt.getTime(), moved?.lang], [later.getTime(), 'en']);
      await store.deleteWebSession(hash('a'));
      assert.equal(await store.findWebSession(hash('a'), 'stats', new Date()), null);
      assert.ok(await store.findWebSession(hash('b'), 'stats', new Date()));
      // Gone sessions: nothing happens, nothing comes back.
      await store.extendWebSession(hash('a'), later);
      await store.setWebSessionLang(hash('a'), 'ru');
      await store.deleteWebSession(hash('a'));
      assert.equal(await store.findWebSession(hash('a'), 'stats', new Date()), null);
    }));

  test('web sessions: disabling or deleting a client ends its statistics sessions in the same change; enabling it again revives none', () =>
    withStore(factory, {}, async (store) => {
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme') }, { op: 'client.put', client: clientPut('beta') }]);
      await store.createWebSession(session(hash('a')));
      await store.createWebSession(session(hash('b'), { subject: 'beta' }));
      await store.createWebSession(session(hash('c'), { kind: 'admin', subject: 'acme' }));
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { disabled: true }) }]);
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme') }]);
      const now = new Date();
      assert.equal(await store.findWebSession(hash('a'), 'stats', now), null);
      assert.ok(await store.findWebSession(hash('b'), 'stats', now), 'another client\'s session is kept');
      assert.ok(await store.findWebSession(hash('c'), 'admin', now), 'an operator who happens to share the name is no client');
      await store.applyProvisioning([{ op: 'client.delete', id: 'beta' as ClientId }]);
      assert.equal(await store.findWebSession(hash('b'), 'stats', now), null);
    }));

  test('web sessions: a client\'s new password ends its statistics sessions; the same password keeps them', () =>
    withStore(factory, {}, async (store) => {
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { passwordHash: 'scrypt$old' }) }]);
      await store.createWebSession(session(hash('a')));
      await store.createWebSession(session(hash('c'), { kind: 'admin', subject: 'acme' }));
      const now = new Date();
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { passwordHash: 'scrypt$old', name: 'Acme renamed' }) }]);
      assert.ok(await store.findWebSession(hash('a'), 'stats', now), 'a change that keeps the password keeps the session');
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { passwordHash: 'scrypt$new' }) }]);
      assert.equal(await store.findWebSession(hash('a'), 'stats', now), null);
      assert.ok(await store.findWebSession(hash('c'), 'admin', now), 'an operator who happens to share the name is no client');
      await store.createWebSession(session(hash('b')));
      await store.applyProvisioning([{ op: 'client.put', client: clientPut('acme', { passwordHash: null }) }]);
      assert.equal(await store.findWebSession(hash('b'), 'stats', now), null, 'removing the password is a change too');
    }));

  test('web sessions: the sweep purges expired sessions and keeps live ones', () =>
    withStore(factory, {}, async (store) => {
      const now = Date.now();
      await store.createWebSession(session(hash('a'), { createdAt: new Date(now - 40 * minute), expiresAt: new Date(now - 10 * minute) }));
      await store.createWebSession(session(hash('b')));
      const before = await store.sweepMt();
      assert.ok(before.purged >= 1, `${before.purged} purged`);
      assert.ok(await store.findWebSession(hash('b'), 'stats', new Date()), 'the live session is kept');
      // Found by a caller whose clock is behind: the row is gone all the same.
      assert.equal(await store.findWebSession(hash('a'), 'stats', new Date(now - 20 * minute)), null);
    }));
}
