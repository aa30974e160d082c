/**
 * The web session part of the Store port (docs/web.md, "Security model"): the login sessions of the
 * client statistics pages and the operator dashboard, kept in the shared store so that any worker
 * and any node serves a session that another one opened, and a restart logs nobody out.
 * A session is stored under the SHA-256 of its id, never the id itself: reading the table does not
 * let anyone ride a session. Times are the serving node's (the caller's `now`): a skew of seconds
 * between nodes is immaterial against a TTL of minutes. Store extends this interface.
 */

export type WebSessionKind = 'stats' | 'admin';

export interface WebSessionRecord {
  /** SHA-256 of the session id (the cookie's value), 64 lowercase hex digits. */
  readonly idSha256: string;
  readonly kind: WebSessionKind;
  /** The client id (stats) or the operator's login (admin). */
  readonly subject: string;
  readonly csrfToken: string;
  readonly lang: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface WebSessionStore {
  /** Stores a new session. */
  createWebSession(session: WebSessionRecord): Promise<void>;
  /** The session of this kind with this id hash if it expires after `now`; null otherwise. Reads only. */
  findWebSession(idSha256: string, kind: WebSessionKind, now: Date): Promise<WebSessionRecord | null>;
  /** Moves the session's expiry to `expiresAt`; nothing when it is gone. */
  extendWebSession(idSha256: string, expiresAt: Date): Promise<void>;
  setWebSessionLang(idSha256: string, lang: string): Promise<void>;
  /** Ends one session (logout); nothing when it is gone. */
  deleteWebSession(idSha256: string): Promise<void>;
}
