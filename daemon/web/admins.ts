import { verifyPassword } from '../domain/credentials.js';

/**
 * Operator accounts of the dashboard, from the node config's `web.admins` (`login:scrypt$…` entries,
 * the hash made as client passwords are: daemon/domain/credentials.ts).
 */
export type AdminAccounts = ReadonlyMap<string, string>;

export function parseAdmins(entries: readonly string[]): AdminAccounts {
  const accounts = new Map<string, string>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    accounts.set(entry.slice(0, colon), entry.slice(colon + 1));
  }
  return accounts;
}

/** A hash of nothing anyone knows: an unknown login costs one scrypt run too, so timing does not tell logins apart. */
const DECOY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function verifyAdmin(accounts: AdminAccounts, login: string, password: string): Promise<boolean> {
  const hash = accounts.get(login);
  const matches = await verifyPassword(password, hash ?? DECOY_HASH);
  return hash !== undefined && matches;
}
