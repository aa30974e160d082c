import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createCredentialCache } from '../../daemon/api/credential-cache.js';
import { hashPassword } from '../../daemon/domain/credentials.js';
import { client } from './api-fixture.js';

function countingVerifier(): { calls: number; verify: (password: string, stored: string) => Promise<boolean> } {
  const counter = {
    calls: 0,
    verify: async (password: string, stored: string) => {
      counter.calls += 1;
      return stored === `hash-of-${password}`;
    },
  };
  return counter;
}

test('credential cache: one check per login and password within the TTL', async () => {
  let now = 0;
  const verifier = countingVerifier();
  const cache = createCredentialCache(60_000, () => now, verifier.verify);
  const acme = { ...client('acme', { passwordHash: 'hash-of-pw' }), virtualPort: 1, apiTokens: [] };
  assert.equal(await cache.verify(acme, 'pw'), true);
  assert.equal(await cache.verify(acme, 'pw'), true);
  assert.equal(verifier.calls, 1);
  now = 60_000;
  assert.equal(await cache.verify(acme, 'pw'), true);
  assert.equal(verifier.calls, 2, 'checked again once the TTL passed');
});

test('credential cache: concurrent checks share one run; wrong passwords are never cached', async () => {
  const verifier = countingVerifier();
  const cache = createCredentialCache(60_000, () => 0, verifier.verify);
  const acme = { ...client('acme', { passwordHash: 'hash-of-pw' }), virtualPort: 1, apiTokens: [] };
  assert.deepEqual(await Promise.all([cache.verify(acme, 'pw'), cache.verify(acme, 'pw'), cache.verify(acme, 'pw')]), [true, true, true]);
  assert.equal(verifier.calls, 1);
  assert.equal(await cache.verify(acme, 'bad'), false);
  assert.equal(await cache.verify(acme, 'bad'), false);
  assert.equal(verifier.calls, 3);
});

test('credential cache: a changed password hash drops the entry', async () => {
  const verifier = countingVerifier();
  const cache = createCredentialCache(60_000, () => 0, verifier.verify);
  const before = { ...client('acme', { passwordHash: 'hash-of-pw' }), virtualPort: 1, apiTokens: [] };
  assert.equal(await cache.verify(before, 'pw'), true);
  const after = { ...before, passwordHash: 'hash-of-new' };
  assert.equal(await cache.verify(after, 'pw'), false);
  assert.equal(await cache.verify(after, 'new'), true);
  assert.equal(verifier.calls, 3);
});

test('credential cache: the real scrypt verifier by default; no password hash never matches', async () => {
  const cache = createCredentialCache(60_000, () => 0);
  const acme = { ...client('acme', { passwordHash: await hashPassword('right') }), virtualPort: 1, apiTokens: [] };
  assert.equal(await cache.verify(acme, 'right'), true);
  assert.equal(await cache.verify(acme, 'wrong'), false);
  assert.equal(await cache.verify({ ...acme, passwordHash: null }, 'right'), false);
});
