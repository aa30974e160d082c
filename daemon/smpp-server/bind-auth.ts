/**
 * Who a bind is (docs/smpp-server.md, "Binding"): the client whose SMPP system_id it names, from an
 * address of the client's allowlist (the same list as HTTP), with its SMPP password, enabled. The
 * answer is an SMPP 3.4 command_status: a bind response carries nothing else.
 */
import { compileAddressList, type AddressMatcher } from '../api/address-list.js';
import type { CredentialCache } from '../api/credential-cache.js';
import type { ClientRecord, ProvisioningSnapshot } from '../domain/provisioning.js';
import { CommandStatus } from '../smpp/command-status.js';

export type BindVerdict =
  | { readonly ok: true; readonly client: ClientRecord }
  | { readonly ok: false; readonly commandStatus: number; readonly reason: string };

export interface BindAuthenticator {
  authenticate(snapshot: ProvisioningSnapshot, systemId: string, password: string, ip: string): Promise<BindVerdict>;
}

export function createBindAuthenticator(passwords: CredentialCache): BindAuthenticator {
  const bySystemId = new WeakMap<ProvisioningSnapshot, ReadonlyMap<string, ClientRecord>>();
  const allowlists = new WeakMap<ClientRecord, AddressMatcher>();

  function lookup(snapshot: ProvisioningSnapshot, systemId: string): ClientRecord | undefined {
    let index = bySystemId.get(snapshot);
    if (index === undefined) {
      index = new Map(snapshot.clients.flatMap((client) => (client.smpp === null ? [] : [[client.smpp.systemId, client] as const])));
      bySystemId.set(snapshot, index);
    }
    return index.get(systemId);
  }

  function allowed(client: ClientRecord, ip: string): boolean {
    let matcher = allowlists.get(client);
    if (matcher === undefined) {
      matcher = compileAddressList(client.allowedIps);
      allowlists.set(client, matcher);
    }
    return matcher(ip);
  }

  return {
    async authenticate(snapshot, systemId, password, ip) {
      const client = lookup(snapshot, systemId);
      const access = client?.smpp;
      if (client === undefined || access == null) return { ok: false, commandStatus: CommandStatus.ESME_RINVSYSID, reason: 'unknown system_id' };
      // The allowlist before the password, as for HTTP: from outside it nobody can try passwords.
      if (!allowed(client, ip)) return { ok: false, commandStatus: CommandStatus.ESME_RBINDFAIL, reason: `address ${ip} not allowed` };
      if (!(await passwords.verifySecret(`smpp\0${access.systemId}`, access.passwordHash, password))) {
        return { ok: false, commandStatus: CommandStatus.ESME_RINVPASWD, reason: 'wrong password' };
      }
      if (client.disabled || !access.enabled) return { ok: false, commandStatus: CommandStatus.ESME_RBINDFAIL, reason: 'client or its SMPP access disabled' };
      return { ok: true, client };
    },
  };
}
