import { randomBytes } from 'node:crypto';
import type { ClientRecord, ProvisioningSnapshot } from '../../daemon/domain/provisioning.js';
import { hashPassword, newUrlToken, verifyPassword } from '../../daemon/domain/credentials.js';
import { MASK, type ProvisioningFile } from './provisioning-file.js';
import { PlanError, type ClientSecrets } from './plan.js';

/** 256 random bits, the key of the HMAC signature on a client's callbacks. */
export function newCallbackSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Works out each file client's stored secrets: a plain password that still verifies against the
 * stored hash keeps that hash (so re-applying a file does not rehash and changes nothing); absent or
 * masked secrets keep the stored ones; a new client gets a random URL token and callback secret.
 */
export async function resolveClientSecrets(
  file: ProvisioningFile,
  snapshot: ProvisioningSnapshot,
): Promise<Map<string, ClientSecrets>> {
  const problems: string[] = [];
  const stored = new Map<string, ClientRecord>(snapshot.clients.map((client) => [client.id, client]));
  const secrets = new Map<string, ClientSecrets>();
  for (const [id, client] of Object.entries(file.clients)) {
    const current = stored.get(id);
    const keep = (field: 'passwordHash' | 'urlToken' | 'callbackSecret', given: string | undefined): boolean => {
      if (given !== MASK) return false;
      if (current === undefined) problems.push(`clients.${id}.${field}: "${MASK}" keeps a stored value, but client ${id} is new`);
      return true;
    };

    let passwordHash: string | null;
    if (client.password !== undefined) {
      const stillValid = current?.passwordHash != null && (await verifyPassword(client.password, current.passwordHash));
      passwordHash = stillValid && current?.passwordHash != null ? current.passwordHash : await hashPassword(client.password);
    } else if (client.passwordHash === undefined || keep('passwordHash', client.passwordHash ?? undefined)) {
      passwordHash = current?.passwordHash ?? null;
    } else {
      passwordHash = client.passwordHash;
    }

    const urlToken = client.urlToken === undefined || keep('urlToken', client.urlToken)
      ? current?.urlToken ?? newUrlToken()
      : client.urlToken;
    const callbackSecret = client.callbackSecret === undefined || keep('callbackSecret', client.callbackSecret)
      ? current?.callbackSecret ?? newCallbackSecret()
      : client.callbackSecret;
    let smppPasswordHash: string | null = null;
    if (client.smpp?.password !== undefined) {
      const storedHash = current?.smpp?.passwordHash;
      const stillValid = storedHash !== undefined && (await verifyPassword(client.smpp.password, storedHash));
      smppPasswordHash = stillValid ? storedHash : await hashPassword(client.smpp.password);
    } else if (client.smpp?.passwordHash !== undefined) {
      if (client.smpp.passwordHash !== MASK) smppPasswordHash = client.smpp.passwordHash;
      else if (current?.smpp == null) problems.push(`clients.${id}.smpp.passwordHash: "${MASK}" keeps a stored value, but client ${id} has no SMPP password yet`);
      else smppPasswordHash = current.smpp.passwordHash;
    }
    secrets.set(id, { passwordHash, urlToken, callbackSecret, smppPasswordHash });
  }
  if (problems.length > 0) throw new PlanError(problems);
  return secrets;
}
