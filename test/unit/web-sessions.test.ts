import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Errors, SmsprocError } from '../../daemon/domain/errors.js';
import { parseCookies, serializeCookie } from '../../daemon/web/cookies.js';
import { LoginThrottle, refuseThrottled } from '../../daemon/web/login-throttle.js';
import { csrfTokenMatches, randomToken, SessionStore } from '../../daemon/web/sessions.js';

/** Session and CSRF logic of the web pages, with time as an argument and a counting random source. */
function counter(): () => string {
  let n = 0;
  return () => `token-${(n += 1)}`;
}

test('sessions: a new session has its own id and CSRF token and names its subject', () => {
  const sessions = new SessionStore<string>(1000, 10, counter());
  const session = sessions.create('acme', 0);
  assert.deepEqual({ ...session }, { id: 'token-1', csrfToken: 'token-2', subject: 'acme', lang: null, expiresAt: 1000 });
  assert.equal(sessions.touch('token-1', 500)?.subject, 'acme');
  assert.equal(sessions.touch('token-2', 500), undefined, 'the CSRF token is no session id');
  assert.equal(sessions.touch(undefined, 500), undefined);
});

test('sessions: each use moves the expiry; an unused session ends after the TTL', () => {
  const sessions = new SessionStore<string>(1000, 10, counter());
  const { id } = sessions.create('acme', 0);
  assert.ok(sessions.touch(id, 900));
  assert.ok(sessions.touch(id, 1800), 'used at 900, so alive until 1900');
  assert.equal(sessions.touch(id, 2800), undefined, 'unused from 1800 to 2800');
  assert.equal(sessions.size, 0);
});

test('sessions: destroy and destroyWhere end sessions; sweep drops only expired ones', () => {
  const sessions = new SessionStore<string>(1000, 10, counter());
  const a = sessions.create('acme', 0);
  const b = sessions.create('beta', 500);
  const c = sessions.create('acme', 600);
  sessions.destroy(a.id);
  assert.equal(sessions.touch(a.id, 700), undefined);
  sessions.sweep(1550);
  assert.equal(sessions.size, 1, 'b (expires 1500) swept, c (1600) kept');
  assert.ok(sessions.touch(c.id, 1550));
  sessions.destroyWhere((subject) => subject === 'acme');
  assert.equal(sessions.touch(c.id, 1560), undefined);
  assert.equal(sessions.touch(b.id, 1560), undefined);
});

test('sessions: past maxSessions the least recently used session makes room', () => {
  const sessions = new SessionStore<string>(10_000, 2, counter());
  const first = sessions.create('a', 0);
  const second = sessions.create('b', 1);
  sessions.touch(first.id, 2);
  const third = sessions.create('c', 3);
  assert.equal(sessions.size, 2);
  assert.equal(sessions.touch(second.id, 4), undefined, 'b was used least recently');
  assert.ok(sessions.touch(first.id, 4));
  assert.ok(sessions.touch(third.id, 4));
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
  assert.throws(() => serializeCookie('s', 'a;b', { path: '/', maxAgeS: 1, secure: false, sameSite: 'Lax' }));
});

test('login throttle: an address may fail `burst` times, then waits; other addresses are not affected', () => {
  const throttle = new LoginThrottle(3, 0.5, 100);
  for (let i = 0; i < 3; i += 1) {
    assert.equal(throttle.waitMs('10.0.0.1', 0), 0);
    throttle.failed('10.0.0.1', 0);
  }
  assert.equal(throttle.waitMs('10.0.0.1', 0), 2000, 'one try every 2 s at 0.5/s');
  assert.equal(throttle.waitMs('10.0.0.1', 1500), 500);
  assert.equal(throttle.waitMs('10.0.0.1', 2000), 0);
  assert.equal(throttle.waitMs('10.0.0.2', 0), 0);
  assert.throws(() => refuseThrottled(throttle, '10.0.0.1', 1000), (error: unknown) => error instanceof SmsprocError && error.definition === Errors.LOGIN_THROTTLED && error.retryAfterS === 1);
  throttle.forgetRecovered(5000);
  assert.equal(throttle.size, 1, 'not refilled yet at 5 s (3 tokens need 6 s)');
  throttle.forgetRecovered(6000);
  assert.equal(throttle.size, 0);
});

test('login throttle: the number of addresses tracked is bounded', () => {
  const throttle = new LoginThrottle(3, 0.5, 2);
  throttle.failed('a', 0);
  throttle.failed('b', 0);
  throttle.failed('c', 0);
  assert.equal(throttle.size, 2);
  assert.equal(throttle.waitMs('c', 0), 0, 'c has failed once of three');
});
