import { createHmac, randomBytes } from 'node:crypto';
import { verifyPassword } from '../domain/credentials.js';
import type { ClientRecord } from '../domain/provisioning.js';

/**
 * Verified passwords, so that scrypt (tens of milliseconds by design) runs once per login per TTL
 * rather than on every request. Entries are keyed by HMAC-SHA256 under a key drawn at process start:
 * the password itself is never kept. An entry holds only while the client's stored hash is the one it
 * was verified against, so a password change or a reload with a new record drops it.
 */
export interface CredentialCache {
  /** Whether `password` is the client's password; cached positive answers for ttlMs. */
  verify(client: ClientRecord, password: string): Promise<boolean>;
  /** The same for another secret of the client (its SMPP password): `login` names the entry, `stored` is the hash. */
  verifySecret(login: string, stored: string | null, password: string): Promise<boolean>;
}

interface Entry {
  readonly passwordHash: string;
  readonly expiresAtMs: number;
}

/** Bounds memory under a flood of distinct logins; the oldest entry goes first. */
const MAX_ENTRIES = 100_000;

export function createCredentialCache(
  ttlMs: number,
  clock: () => number,
  verify: (password: string, stored: string) => Promise<boolean> = verifyPassword,
): CredentialCache {
  const key = randomBytes(32);
  const entries = new Map<string, Entry>();
  /** Concurrent checks of the same credentials share one scrypt run. */
  const inFlight = new Map<string, Promise<boolean>>();

  function cacheKey(login: string, password: string): string {
    return createHmac('sha256', key).update(login).update('\0').update(password).digest('base64');
  }

  async function verifySecret(login: string, stored: string | null, password: string): Promise<boolean> {
    if (stored === null) return false;
    const id = cacheKey(login, password);
    const entry = entries.get(id);
    if (entry !== undefined) {
      if (entry.passwordHash === stored && entry.expiresAtMs > clock()) return true;
      entries.delete(id);
    }
    const pending = inFlight.get(id) ?? verify(password, stored).finally(() => inFlight.delete(id));
    inFlight.set(id, pending);
    const ok = await pending;
    if (ok && ttlMs > 0) {
      if (entries.size >= MAX_ENTRIES) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(id, { passwordHash: stored, expiresAtMs: clock() + ttlMs });
    }
    return ok;
  }

  return {
    verify: (client, password) => verifySecret(client.login, client.passwordHash, password),
    verifySecret,
  };
}
