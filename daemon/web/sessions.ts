import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../domain/credentials.js';
import type { WebSessionKind, WebSessionStore } from '../storage/web-session-port.js';

/**
 * Server-side web sessions (docs/web.md): an opaque random id in an HttpOnly cookie names a session
 * kept in the shared store under the id's SHA-256, which holds who logged in, the session's CSRF
 * token and its language. Any worker of any node serves a session another one opened, and a restart
 * logs nobody out. A session ends `ttlMs` after its last use (give or take one extension step) or at
 * logout. Time is an argument; randomness can be.
 */
export interface Session<S> {
  readonly id: string;
  /** Sent in every form and in the X-CSRF-Token header; checked on every state-changing request. */
  readonly csrfToken: string;
  readonly subject: S;
  readonly lang: string | null;
  readonly expiresAt: number;
}

/** 256 random bits, base64url: unguessable ids and tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps instead of the id: the id has 256 random bits, so an unsalted hash cannot be reversed by guessing (as for API tokens). */
export function sessionIdHash(id: string): string {
  return sha256Hex(id);
}

/**
 * A use moves the expiry only when the last move is at least this old, so that a page's many
 * requests (and a live stream's updates) do not each write: a minute, or a tenth of a shorter TTL.
 */
export function extensionStepMs(ttlMs: number): number {
  return Math.min(60_000, ttlMs / 10);
}

export class SessionStore<S extends string> {
  private readonly stepMs: number;

  constructor(
    private readonly store: WebSessionStore,
    private readonly kind: WebSessionKind,
    private readonly ttlMs: number,
    private readonly random: () => string = randomToken,
  ) {
    this.stepMs = extensionStepMs(ttlMs);
  }

  async create(subject: S, lang: string | null, now: number): Promise<Session<S>> {
    const session: Session<S> = { id: this.random(), csrfToken: this.random(), subject, lang, expiresAt: now + this.ttlMs };
    await this.store.createWebSession({
      idSha256: sessionIdHash(session.id), kind: this.kind, subject, csrfToken: session.csrfToken, lang,
      createdAt: new Date(now), expiresAt: new Date(session.expiresAt),
    });
    return session;
  }

  /** The live session with this id, its expiry moved to ttlMs from now (at most one step late); undefined when unknown or expired. */
  async touch(id: string | undefined, now: number): Promise<Session<S> | undefined> {
    if (id === undefined) return undefined;
    const idSha256 = sessionIdHash(id);
    const record = await this.store.findWebSession(idSha256, this.kind, new Date(now));
    if (record === null) return undefined;
    let expiresAt = record.expiresAt.getTime();
    if (now + this.ttlMs - expiresAt >= this.stepMs) {
      expiresAt = now + this.ttlMs;
      await this.store.extendWebSession(idSha256, new Date(expiresAt));
    }
    return { id, csrfToken: record.csrfToken, subject: record.subject as S, lang: record.lang, expiresAt };
  }

  async setLang(session: Session<S>, lang: string): Promise<void> {
    await this.store.setWebSessionLang(sessionIdHash(session.id), lang);
  }

  async destroy(id: string): Promise<void> {
    await this.store.deleteWebSession(sessionIdHash(id));
  }
}

/** Constant-time comparison of the session's CSRF token with the one a request carries. */
export function csrfTokenMatches(session: { readonly csrfToken: string }, given: string | undefined): boolean {
  if (given === undefined) return false;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
