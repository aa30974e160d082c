import type { ClientRecord } from '../../daemon/domain/provisioning.js';
import { MASK } from './provisioning-file.js';
import { renderFields, renderTable } from './output.js';

/** A client as the CLI shows it: secrets masked unless asked for, API tokens without their hashes. */
export function clientView(client: ClientRecord, showSecrets: boolean) {
  const secret = (value: string): string => (showSecrets ? value : MASK);
  return {
    id: client.id,
    name: client.name,
    login: client.login,
    passwordSet: client.passwordHash !== null,
    ...(showSecrets ? { passwordHash: client.passwordHash } : {}),
    urlPath: `/c/${secret(client.urlToken)}/`,
    virtualPort: client.virtualPort,
    disabled: client.disabled,
    demo: client.demo,
    allowedIps: client.allowedIps,
    senders: client.senders,
    reservedTps: client.reservedTps,
    maxTps: client.maxTps,
    maxQueued: client.maxQueued,
    dlrUrl: client.dlrUrl,
    moUrl: client.moUrl,
    callbackFormat: client.callbackFormat,
    callbackSecret: secret(client.callbackSecret),
    moReplyAllowed: client.moReplyAllowed,
    shortCodes: client.shortCodes,
    keywords: client.keywords,
    smpp: client.smpp === null ? null : {
      systemId: client.smpp.systemId,
      maxBinds: client.smpp.maxBinds,
      enabled: client.smpp.enabled,
      ...(showSecrets ? { passwordHash: client.smpp.passwordHash } : {}),
    },
    apiTokens: client.apiTokens.map((token) => ({
      id: token.id,
      label: token.label,
      createdAt: token.createdAt.toISOString(),
      ...(showSecrets ? { sha256: token.sha256 } : {}),
    })),
  };
}

export function renderClient(client: ClientRecord, showSecrets: boolean): string {
  const view = clientView(client, showSecrets);
  return renderFields([
    ['id', view.id],
    ['name', view.name],
    ['login', view.login],
    ['password', showSecrets ? client.passwordHash : view.passwordSet ? 'set' : 'none'],
    ['unique URL', view.urlPath],
    ['virtual port', view.virtualPort],
    ['status', view.disabled ? 'disabled' : 'enabled'],
    ['demo', view.demo],
    ['allowed IPs', view.allowedIps],
    ['senders', view.senders],
    ['reserved TPS', view.reservedTps],
    ['max TPS', view.maxTps],
    ['max queued', view.maxQueued],
    ['DLR URL', view.dlrUrl],
    ['MO URL', view.moUrl],
    ['callback format', view.callbackFormat],
    ['callback secret', view.callbackSecret],
    ['MO reply', view.moReplyAllowed],
    ['short codes', view.shortCodes],
    ['keywords', view.keywords.map((entry) => `${entry.shortCode}:${entry.keyword}`)],
    ['SMPP', view.smpp === null ? 'none' : `system_id ${view.smpp.systemId}, at most ${view.smpp.maxBinds} binds, ${view.smpp.enabled ? 'enabled' : 'disabled'}`],
    ['API tokens', view.apiTokens.map((token) => `${token.id} (${token.label || 'no label'}, ${token.createdAt})`)],
  ]);
}

export function renderClientList(clients: readonly ClientRecord[]): string {
  return renderTable(
    ['id', 'name', 'login', 'port', 'status', 'demo', 'reserved', 'max tps', 'senders'],
    [...clients]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((client) => [
        client.id,
        client.name,
        client.login,
        client.virtualPort,
        client.disabled ? 'disabled' : 'enabled',
        client.demo,
        client.reservedTps,
        client.maxTps,
        client.senders.join(',') || '-',
      ]),
  );
}
