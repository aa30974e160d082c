import { sha256Hex } from '../domain/credentials.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { ClientId } from '../domain/ids.js';
import type { ClientRecord } from '../domain/provisioning.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';
import { compileAddressList, type AddressMatcher } from './address-list.js';
import type { CredentialCache } from './credential-cache.js';

/** How a request says who it is; the first present wins, in this order. */
export type Credentials =
  | { readonly kind: 'url'; readonly urlToken: string }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'password'; readonly login: string; readonly password: string };

export interface AuthHeaders {
  readonly authorization?: string | undefined;
}

/**
 * Credentials from the URL token, `Authorization: Bearer sp_…`, `Authorization: Basic`, or the
 * parameters `username`/`login` + `password`; null when there are none.
 */
export function credentialsOf(urlToken: string | undefined, headers: AuthHeaders, login: string | undefined, password: string | undefined): Credentials | null {
  if (urlToken !== undefined) return { kind: 'url', urlToken };
  const authorization = headers.authorization?.trim();
  if (authorization !== undefined) {
    const [scheme = '', value = ''] = authorization.split(/\s+/, 2);
    if (scheme.toLowerCase() === 'bearer') return { kind: 'token', token: value };
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      // A malformed Basic header names nobody: it fails rather than falling back to other credentials.
      return colon > 0 ? { kind: 'password', login: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : { kind: 'password', login: '', password: '' };
    }
  }
  if (login !== undefined && password !== undefined) return { kind: 'password', login, password };
  return null;
}

export interface Authenticator {
  /** The client the credentials name, checked against its allowlist and state; throws the registry error otherwise. */
  authenticate(credentials: Credentials | null, clientIp: string): Promise<ClientRecord>;
  /**
   * The client as provisioning has it now, checked again against its allowlist and state (a web
   * session re-checks on every request); throws the registry error otherwise.
   */
  admit(clientId: ClientId, clientIp: string): ClientRecord;
}

export function createAuthenticator(provisioning: ProvisioningCache, passwords: CredentialCache): Authenticator {
  /** Compiled allowlists, one per client record: a reload brings new records and so new lists. */
  const allowlists = new WeakMap<ClientRecord, AddressMatcher>();

  function allowed(client: ClientRecord, ip: string): boolean {
    let matcher = allowlists.get(client);
    if (matcher === undefined) {
      matcher = compileAddressList(client.allowedIps);
      allowlists.set(client, matcher);
    }
    return matcher(ip);
  }

  /** The client the credentials name, before any password check. */
  function lookup(credentials: Credentials): ClientRecord {
    const client = credentials.kind === 'url'
      ? provisioning.clientByUrlToken(credentials.urlToken)
      : credentials.kind === 'token'
        ? provisioning.clientByApiTokenHash(sha256Hex(credentials.token))
        : provisioning.clientByLogin(credentials.login);
    if (client === undefined) throw new SmsprocError(credentials.kind === 'url' ? Errors.UNKNOWN_URL : Errors.AUTH_FAILED);
    return client;
  }

  return {
    admit(clientId, clientIp) {
      const client = provisioning.clientById(clientId);
      if (client === undefined) throw new SmsprocError(Errors.AUTH_FAILED);
      if (!allowed(client, clientIp)) throw new SmsprocError(Errors.IP_NOT_ALLOWED, { ip: clientIp });
      if (client.disabled) throw new SmsprocError(Errors.CLIENT_DISABLED);
      return client;
    },
    async authenticate(credentials, clientIp) {
      if (credentials === null) throw new SmsprocError(Errors.AUTH_REQUIRED);
      const client = lookup(credentials);
      // The allowlist before the password: from outside it nobody can try passwords, nor cost us scrypt runs.
      if (!allowed(client, clientIp)) throw new SmsprocError(Errors.IP_NOT_ALLOWED, { ip: clientIp });
      if (credentials.kind === 'password' && !(await passwords.verify(client, credentials.password))) {
        throw new SmsprocError(Errors.AUTH_FAILED);
      }
      if (client.disabled) throw new SmsprocError(Errors.CLIENT_DISABLED);
      return client;
    },
  };
}
