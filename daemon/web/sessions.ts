import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Server-side web sessions (docs/web.md): an opaque random id in an HttpOnly cookie names a session
 * kept in this process's memory, which holds who logged in and the session's CSRF token. A session
 * ends `ttlMs` after its last use, at logout, or when the process restarts (everyone logs in again).
 * Pure apart from the random source: time is an argument.
 */
export interface Session<S> {
  readonly id: string;
  /** Sent in every form and in the X-CSRF-Token header; checked on every state-changing request. */
  readonly csrfToken: string;
  readonly subject: S;
  lang: string | null;
  expiresAt: number;
}

/** 256 random bits, base64url: unguessable ids and tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export class SessionStore<S> {
  private readonly sessions = new Map<string, Session<S>>();

  constructor(
    private readonly ttlMs: number,
    /** Most live sessions; the one closest to expiry is dropped to make room. */
    private readonly maxSessions: number,
    private readonly random: () => string = randomToken,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  create(subject: S, now: number): Session<S> {
    this.sweep(now);
    if (this.sessions.size >= this.maxSessions) {
      // Map order is insertion order, and every use re-inserts: the first is the least recently used.
      const oldest = this.sessions.keys().next();
      if (oldest.done !== true) this.sessions.delete(oldest.value);
    }
    const session: Session<S> = { id: this.random(), csrfToken: this.random(), subject, lang: null, expiresAt: now + this.ttlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, its expiry moved to ttlMs from now; undefined when unknown or expired. */
  touch(id: string | undefined, now: number): Session<S> | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    this.sessions.delete(id);
    if (session.expiresAt <= now) return undefined;
    session.expiresAt = now + this.ttlMs;
    this.sessions.set(id, session);
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session whose subject matches (a client disabled or an admin removed). */
  destroyWhere(matches: (subject: S) => boolean): void {
    for (const [id, session] of this.sessions) if (matches(session.subject)) this.sessions.delete(id);
  }

  /** Drops expired sessions; those are in front, since every use moves a session to the back. */
  sweep(now: number): void {
    for (const [id, session] of this.sessions) {
      if (session.expiresAt > now) break;
      this.sessions.delete(id);
    }
  }
}

/** Constant-time comparison of the session's CSRF token with the one a request carries. */
export function csrfTokenMatches(session: { readonly csrfToken: string }, given: string | undefined): boolean {
  if (given === undefined) return false;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
