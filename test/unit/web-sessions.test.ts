import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Errors, SmsprocError } from '../../daemon/domain/errors.js';
import { parseCookies, serializeCookie } from '../../daemon/web/cookies.js';
import { inProcessLoginGuard, LOGIN_FAILURE_LIMIT, loginLimitShare, LoginThrottle, refuseThrottled } from '../../daemon/web/login-throttle.js';
import type { WebSessionKind, WebSessionRecord, WebSessionStore } from '../../daemon/storage/web-session-port.js';
import { csrfTokenMatches, extensionStepMs, randomToken, sessionIdHash, SessionStore } from '../../daemon/web/sessions.js';

/** Session and CSRF logic of the web pages, with time as an argument, a counting random source and the store port faked in memory. */
function counter(): () => string {
  let n = 0;
  return () => `token-${(n += 1)}`;
}

/** The web session part of the Store port in a Map, counting the writes that move an expiry. */
class MemorySessions implements WebSessionStore {
  readonly rows = new Map<string, WebSessionRecord>();
  extensions = 0;
  async createWebSession(session: WebSessionRecord): Promise<void> {
    this.rows.set(session.idSha256, session);
  }
  async findWebSession(idSha256: string, kind: WebSessionKind, now: Date): Promise<WebSessionRecord | null> {
    const row = this.rows.get(idSha256);
    return row !== undefined && row.kind === kind && row.expiresAt > now ? row : null;
  }
  async extendWebSession(idSha256: string, expiresAt: Date): Promise<void> {
    const row = this.rows.get(idSha256);
    this.extensions += 1;
    if (row !== undefined) this.rows.set(idSha256, { ...row, expiresAt });
  }
  async setWebSessionLang(idSha256: string, lang: string): Promise<void> {
    const row = this.rows.get(idSha256);
    if (row !== undefined) this.rows.set(idSha256, { ...row, lang });
  }
  async deleteWebSession(idSha256: string): Promise<void> {
    this.rows.delete(idSha256);
  }
}

test('sessions: a new session has its own id and CSRF token and names its subject; the store keeps only the id\'s hash', async () => {
  const store = new MemorySessions();
  const sessions = new SessionStore<string>(store, 'stats', 60_000, counter());
  const session = await sessions.create('acme', 'ru', 0);
  assert.deepEqual({ ...session }, { id: 'token-1', csrfToken: 'token-2', subject: 'acme', lang: 'ru', expiresAt: 60_000 });
  assert.deepEqual([...store.rows.keys()], [sessionIdHash('token-1')]);
  assert.match(sessionIdHash('token-1'), /^[0-9a-f]{64}$/);
  assert.ok(![...store.rows.values()].some((row) => JSON.stringify(row).includes('"token-1"')), 'the id itself is not stored');
  assert.equal((await sessions.touch('token-1', 500))?.subject, 'acme');
  assert.equal(await sessions.touch('token-2', 500), undefined, 'the CSRF token is no session id');
  assert.equal(await sessions.touch(undefined, 500), undefined);
  const admin = new SessionStore<string>(store, 'admin', 60_000);
  assert.equal(await admin.touch('token-1', 500), undefined, 'a client session is no operator session');
});

test('sessions: a use moves the expiry, writing only once a step (a tenth of the TTL, at most a minute) has passed', async () => {
  assert.equal(extensionStepMs(30 * 60_000), 60_000);
  assert.equal(extensionStepMs(60_000), 6_000);
  const store = new MemorySessions();
  const sessions = new SessionStore<string>(store, 'stats', 10_000, counter());
  const { id } = await sessions.create('acme', null, 0);
  assert.equal((await sessions.touch(id, 900))?.expiresAt, 10_000, 'used 0.9 s after the last move: no write');
  assert.equal(store.extensions, 0);
  assert.equal((await sessions.touch(id, 1000))?.expiresAt, 11_000, 'a step later: moved');
  assert.equal(store.extensions, 1);
  assert.ok(await sessions.touch(id, 10_500), 'used at 1000, so alive until 11000');
  assert.equal(await sessions.touch(id, 21_000), undefined, 'moved to 20500 at 10500, unused since');
});

test('sessions: the language is the session\'s; destroy ends a session', async () => {
  const store = new MemorySessions();
  const sessions = new SessionStore<string>(store, 'admin', 10_000, counter());
  const a = await sessions.create('ops', null, 0);
  const b = await sessions.create('lead', 'en', 0);
  await sessions.setLang(a, 'ru');
  assert.equal((await sessions.touch(a.id, 1))?.lang, 'ru');
  await sessions.destroy(a.id);
  assert.equal(await sessions.touch(a.id, 2), undefined);
  assert.equal((await sessions.touch(b.id, 2))?.lang, 'en');
});

test('CSRF: only the session\'s own token matches', () => {
  const session = { csrfToken: randomToken() };
  assert.ok(csrfTokenMatches(session, session.csrfToken));
  assert.equal(csrfTokenMatches(session, undefined), false);
  assert.equal(csrfTokenMatches(session, ''), false);
  assert.equal(csrfTokenMatches(session, `${session.csrfToken}x`), false);
  assert.equal(csrfTokenMatches(session, randomToken()), false);
  assert.match(randomToken(), /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
  assert.notEqual(randomToken(), randomToken());
});

test('cookies: the first of a name wins, quotes are removed, junk is skipped', () => {
  const cookies = parseCookies('a=1; smsproc_stats=abc; smsproc_stats=shadow; b="q"; junk; =x');
  assert.equal(cookies.get('smsproc_stats'), 'abc');
  assert.equal(cookies.get('b'), 'q');
  assert.equal(cookies.get('junk'), undefined);
  assert.equal(parseCookies(undefined).size, 0);
});

test('cookies: Set-Cookie carries HttpOnly, SameSite, Path and Max-Age, and Secure when asked', () => {
  assert.equal(
    serializeCookie('s', 'abc_-1', { path: '/stats', maxAgeS: 1800, secure: false, sameSite: 'Strict' }),
    's=abc_-1; Path=/stats; Max-Age=1800; HttpOnly; SameSite=Strict',
  );
  assert.equal(serializeCookie('s', '', { path: '/', maxAgeS: 0, secure: true, sameSite: 'Lax' }), 's=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
  assert.equal(serializeCookie('s', 'abc', { path: '/admin', maxAgeS: null, secure: false, sameSite: 'Strict' }), 's=abc; Path=/admin; HttpOnly; SameSite=Strict');
  assert.throws(() => serializeCookie('s', 'a;b', { path: '/', maxAgeS: 1, secure: false, sameSite: 'Lax' }));
});

test('login throttle: an address may fail `burst` times, then waits; other addresses are not affected', async () => {
  const throttle = new LoginThrottle(() => ({ capacity: 3, ratePerS: 0.5 }), 100);
  for (let i = 0; i < 3; i += 1) {
    assert.equal(throttle.waitMs('10.0.0.1', 0), 0);
    throttle.failed('10.0.0.1', 0);
  }
  assert.equal(throttle.waitMs('10.0.0.1', 0), 2000, 'one try every 2 s at 0.5/s');
  assert.equal(throttle.waitMs('10.0.0.1', 1500), 500);
  assert.equal(throttle.waitMs('10.0.0.1', 2000), 0);
  assert.equal(throttle.waitMs('10.0.0.2', 0), 0);
  const guard = inProcessLoginGuard(throttle, () => 1000);
  await assert.rejects(refuseThrottled(guard, '10.0.0.1'), (error: unknown) => error instanceof SmsprocError && error.definition === Errors.LOGIN_THROTTLED && error.retryAfterS === 1);
  await guard.close();
  throttle.forgetRecovered(5000);
  assert.equal(throttle.size, 1, 'not refilled yet at 5 s (3 tokens need 6 s)');
  throttle.forgetRecovered(6000);
  assert.equal(throttle.size, 0);
});

test('login throttle: the number of addresses tracked is bounded', () => {
  const throttle = new LoginThrottle(() => ({ capacity: 3, ratePerS: 0.5 }), 2);
  throttle.failed('a', 0);
  throttle.failed('b', 0);
  throttle.failed('c', 0);
  assert.equal(throttle.size, 2);
  assert.equal(throttle.waitMs('c', 0), 0, 'c has failed once of three');
});

test('login throttle: shares of the limit of 10 failures then one every 6 s, and a limit that changes applies at once', () => {
  assert.deepEqual(loginLimitShare(1), LOGIN_FAILURE_LIMIT);
  assert.deepEqual(loginLimitShare(2), { capacity: 5, ratePerS: 10 / 60 / 2 });
  assert.equal(loginLimitShare(3).capacity, 3);
  assert.equal(loginLimitShare(40).capacity, 1, 'a burst of at least one');
  let parts = 1;
  const throttle = new LoginThrottle(() => loginLimitShare(parts), 100);
  for (let i = 0; i < 5; i += 1) throttle.failed('10.0.0.3', 0);
  assert.equal(throttle.waitMs('10.0.0.3', 0), 0, '5 of 10');
  // Halved: what is left is held to the new burst (5), and it refills at half the rate.
  parts = 2;
  for (let i = 0; i < 5; i += 1) {
    assert.equal(throttle.waitMs('10.0.0.3', 0), 0);
    throttle.failed('10.0.0.3', 0);
  }
  assert.equal(throttle.waitMs('10.0.0.3', 0), 12_000, 'one try every 12 s');
});
