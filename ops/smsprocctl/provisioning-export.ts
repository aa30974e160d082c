import { stringify } from 'yaml';
import type { ClientRecord, ProvisioningSnapshot, RouteRecord } from '../../daemon/domain/provisioning.js';
import type { ScenarioRecord } from '../../daemon/storage/scenario-port.js';
import { MASK } from './provisioning-file.js';

/**
 * The stored provisioning written as a provisioning file: applying it back changes nothing. Every
 * field is written out, so the file does not depend on today's defaults. Secrets are masked unless
 * asked for; a masked secret in a file keeps the stored value. API tokens are not part of the file
 * (they are managed with `client token add|remove`), nor are number-portability overrides.
 */
export interface ExportOptions {
  readonly showSecrets: boolean;
}

function clientEntry(client: ClientRecord, options: ExportOptions): Record<string, unknown> {
  const secret = (value: string): string => (options.showSecrets ? value : MASK);
  return {
    name: client.name,
    login: client.login,
    ...(client.passwordHash === null ? {} : { passwordHash: secret(client.passwordHash) }),
    urlToken: secret(client.urlToken),
    callbackSecret: secret(client.callbackSecret),
    virtualPort: client.virtualPort,
    disabled: client.disabled,
    demo: client.demo,
    allowedIps: [...client.allowedIps],
    senders: [...client.senders],
    reservedTps: client.reservedTps,
    maxTps: client.maxTps,
    maxQueued: client.maxQueued,
    dlrUrl: client.dlrUrl,
    moUrl: client.moUrl,
    callbackFormat: client.callbackFormat,
    moReplyAllowed: client.moReplyAllowed,
    shortCodes: [...client.shortCodes],
    keywords: client.keywords.map((entry) => ({ shortCode: entry.shortCode, keyword: entry.keyword })),
    smpp: client.smpp === null ? null : {
      systemId: client.smpp.systemId,
      passwordHash: secret(client.smpp.passwordHash),
      maxBinds: client.smpp.maxBinds,
      enabled: client.smpp.enabled,
    },
  };
}

function routeEntry(route: RouteRecord, options: ExportOptions): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the id is the entry's key
  const { id, password, ...rest } = route;
  return { ...rest, password: options.showSecrets ? password : MASK };
}

function byKey<T>(entries: readonly T[], key: (entry: T) => string): T[] {
  return [...entries].sort((a, b) => key(a).localeCompare(key(b)));
}

function scenarioEntry(scenario: ScenarioRecord): Record<string, unknown> {
  return {
    client: scenario.clientId,
    disabled: scenario.disabled,
    bindings: scenario.bindings.map((b) => ({ shortCode: b.shortCode, keyword: b.keyword, forward: b.forward })),
    definition: scenario.source,
  };
}

export function exportProvisioning(snapshot: ProvisioningSnapshot, options: ExportOptions, scenarios: readonly ScenarioRecord[] = []): string {
  const document = {
    clients: Object.fromEntries(byKey(snapshot.clients, (client) => client.id).map((client) => [client.id, clientEntry(client, options)])),
    routes: Object.fromEntries(byKey(snapshot.routes, (route) => route.id).map((route) => [route.id, routeEntry(route, options)])),
    prefixes: Object.fromEntries(byKey(snapshot.prefixes, (entry) => entry.prefix).map((entry) => [entry.prefix, entry.routeId])),
    ...(scenarios.length === 0 ? {} : { scenarios: Object.fromEntries(byKey(scenarios, (s) => s.id).map((s) => [s.id, scenarioEntry(s)])) }),
  };
  const header = `# smsproc provisioning, version ${snapshot.version}${options.showSecrets ? ' (WITH SECRETS: keep this file private)' : ''}\n`;
  return header + stringify(document, { lineWidth: 0 });
}
