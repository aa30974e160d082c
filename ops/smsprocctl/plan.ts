import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import type { ClientRecord, ProvisioningSnapshot, RouteRecord } from '../../daemon/domain/provisioning.js';
import type { ProvisioningChange } from '../../daemon/storage/port.js';
import type { ScenarioPut, ScenarioRecord } from '../../daemon/storage/scenario-port.js';
import { MASK, type FileClient, type FileRoute, type FileScenario, type ProvisioningFile } from './provisioning-file.js';

/**
 * The diff between the store and a provisioning file (pure): which objects to create, update or
 * delete, and the one list of changes that applyProvisioning carries out atomically.
 */

export type PlanAction = 'create' | 'update' | 'delete';
export type PlanKind = 'client' | 'route' | 'prefix' | 'scenario';

export interface PlanItem {
  readonly action: PlanAction;
  readonly kind: PlanKind;
  readonly id: string;
  /** For an update: the fields that differ. */
  readonly fields: readonly string[];
}

export interface Plan {
  readonly items: readonly PlanItem[];
  readonly changes: readonly ProvisioningChange[];
}

/** A client's secrets as they will be stored, worked out beforehand (hashing is slow and random). */
export interface ClientSecrets {
  readonly passwordHash: string | null;
  readonly urlToken: string;
  readonly callbackSecret: string;
  /** The SMPP password hash when the file gives SMPP access; null otherwise. */
  readonly smppPasswordHash: string | null;
}

export class PlanError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`the file cannot be applied:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PlanError';
    this.problems = problems;
  }
}

export type ClientPut = Extract<ProvisioningChange, { op: 'client.put' }>['client'];

/** A stored client as a client.put change (its API tokens are changed by their own operations). */
export function toClientPut(client: ClientRecord): ClientPut {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped on purpose: tokens have their own changes
  const { apiTokens, ...rest } = client;
  return rest;
}

function sameSet(left: readonly string[], right: readonly string[]): boolean {
  if (left.length !== right.length) return false;
  const sortedRight = [...right].sort();
  return [...left].sort().every((value, index) => value === sortedRight[index]);
}

function keywordKeys(client: Pick<ClientRecord, 'keywords'>): string[] {
  return client.keywords.map((entry) => `${entry.shortCode} ${entry.keyword}`);
}

function clientDiff(desired: ClientPut, current: ClientRecord): string[] {
  const fields: string[] = [];
  for (const key of Object.keys(desired) as (keyof ClientPut)[]) {
    const want = desired[key];
    const have = current[key];
    let equal: boolean;
    if (key === 'keywords') equal = sameSet(keywordKeys(desired), keywordKeys(current));
    else if (key === 'smpp') equal = JSON.stringify(want) === JSON.stringify(have);
    else if (Array.isArray(want) && Array.isArray(have)) equal = sameSet(want as string[], have as string[]);
    else equal = want === have;
    if (!equal) fields.push(key);
  }
  return fields;
}

function routeDiff(desired: RouteRecord, current: RouteRecord): string[] {
  return (Object.keys(desired) as (keyof RouteRecord)[]).filter((key) => desired[key] !== current[key]);
}

function desiredClient(id: string, file: FileClient, secrets: ClientSecrets, current: ClientRecord | undefined): ClientPut {
  return {
    id: id as ClientId,
    name: file.name,
    login: file.login,
    passwordHash: secrets.passwordHash,
    urlToken: secrets.urlToken,
    virtualPort: file.virtualPort ?? current?.virtualPort ?? null,
    disabled: file.disabled,
    demo: file.demo,
    allowedIps: file.allowedIps,
    senders: file.senders,
    reservedTps: file.reservedTps,
    maxTps: file.maxTps,
    maxQueued: file.maxQueued,
    dlrUrl: file.dlrUrl,
    moUrl: file.moUrl,
    callbackFormat: file.callbackFormat,
    callbackSecret: secrets.callbackSecret,
    shortCodes: file.shortCodes,
    keywords: file.keywords,
    moReplyAllowed: file.moReplyAllowed,
    smpp: file.smpp === null || secrets.smppPasswordHash === null ? null : {
      systemId: file.smpp.systemId,
      passwordHash: secrets.smppPasswordHash,
      maxBinds: file.smpp.maxBinds,
      enabled: file.smpp.enabled,
    },
  };
}

function desiredRoute(id: string, file: FileRoute, current: RouteRecord | undefined, problems: string[]): RouteRecord {
  let password = file.password;
  if (password === MASK) {
    if (current === undefined) problems.push(`routes.${id}.password: "${MASK}" keeps a stored password, but route ${id} is new: give its password`);
    password = current?.password ?? '';
  }
  return { id: id as RouteId, ...file, password };
}

function desiredScenario(id: string, file: FileScenario): ScenarioPut {
  return { id, clientId: file.client as ClientId, source: file.definition, bindings: file.bindings, disabled: file.disabled };
}

/** The fields of a scenario that differ from its current version (compared as stored: JSON). */
function scenarioDiff(desired: ScenarioPut, current: ScenarioRecord): string[] {
  const fields: string[] = [];
  if (desired.clientId !== current.clientId) fields.push('client');
  if (JSON.stringify(desired.source) !== JSON.stringify(current.source)) fields.push('definition');
  if (JSON.stringify(desired.bindings) !== JSON.stringify(current.bindings)) fields.push('bindings');
  if (desired.disabled !== current.disabled) fields.push('disabled');
  return fields;
}

/** Logins, virtual ports, short codes and keywords must each belong to one client; returns the clashes. */
export function clientConflicts(clients: readonly ClientPut[]): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  const claim = (key: string, clientId: string, what: string): void => {
    const owner = owners.get(key);
    if (owner !== undefined && owner !== clientId) problems.push(`${what} is used by both client ${owner} and client ${clientId}`);
    else owners.set(key, clientId);
  };
  for (const client of clients) {
    claim(`login ${client.login}`, client.id, `login "${client.login}"`);
    if (client.virtualPort !== null) claim(`port ${client.virtualPort}`, client.id, `virtual port ${client.virtualPort}`);
    for (const code of client.shortCodes) claim(`code ${code}`, client.id, `short code ${code}`);
    if (client.smpp !== null) claim(`smpp ${client.smpp.systemId}`, client.id, `SMPP system_id "${client.smpp.systemId}"`);
    for (const entry of client.keywords) claim(`keyword ${entry.shortCode} ${entry.keyword}`, client.id, `keyword ${entry.keyword} on ${entry.shortCode}`);
  }
  return problems;
}

/**
 * Compares the file with the snapshot. Creates and updates what the file names; deletes what it
 * omits only with `prune`. Throws PlanError listing every problem (a prefix naming an unknown route,
 * a short code claimed twice, a masked secret for a new object).
 */
export function planProvisioning(
  snapshot: ProvisioningSnapshot,
  file: ProvisioningFile,
  secrets: ReadonlyMap<string, ClientSecrets>,
  options: { readonly prune: boolean },
  scenarios: readonly ScenarioRecord[] = [],
): Plan {
  const problems: string[] = [];
  const items: PlanItem[] = [];
  const routePuts: ProvisioningChange[] = [];
  const clientPuts: ProvisioningChange[] = [];
  const prefixChanges: ProvisioningChange[] = [];
  const deletes: ProvisioningChange[] = [];

  const currentRoutes = new Map(snapshot.routes.map((route) => [route.id as string, route]));
  for (const [id, fileRoute] of Object.entries(file.routes)) {
    const current = currentRoutes.get(id);
    const route = desiredRoute(id, fileRoute, current, problems);
    const fields = current === undefined ? [] : routeDiff(route, current);
    if (current === undefined || fields.length > 0) {
      items.push({ action: current === undefined ? 'create' : 'update', kind: 'route', id, fields });
      routePuts.push({ op: 'route.put', route });
    }
  }

  const currentClients = new Map(snapshot.clients.map((client) => [client.id as string, client]));
  const finalClients: ClientPut[] = [];
  for (const [id, fileClient] of Object.entries(file.clients)) {
    const clientSecrets = secrets.get(id);
    if (clientSecrets === undefined) throw new Error(`secrets of client ${id} were not resolved`);
    const current = currentClients.get(id);
    const client = desiredClient(id, fileClient, clientSecrets, current);
    finalClients.push(client);
    const fields = current === undefined ? [] : clientDiff(client, current);
    if (current === undefined || fields.length > 0) {
      items.push({ action: current === undefined ? 'create' : 'update', kind: 'client', id, fields });
      clientPuts.push({ op: 'client.put', client });
    }
  }
  for (const client of snapshot.clients) {
    if (Object.hasOwn(file.clients, client.id)) continue;
    if (options.prune) {
      items.push({ action: 'delete', kind: 'client', id: client.id, fields: [] });
      deletes.push({ op: 'client.delete', id: client.id });
    } else {
      finalClients.push(toClientPut(client));
    }
  }
  problems.push(...clientConflicts(finalClients));

  const knownRoutes = new Set(Object.keys(file.routes));
  if (!options.prune) for (const route of snapshot.routes) knownRoutes.add(route.id);
  const currentPrefixes = new Map(snapshot.prefixes.map((entry) => [entry.prefix, entry.routeId as string]));
  for (const [prefix, routeId] of Object.entries(file.prefixes)) {
    if (!knownRoutes.has(routeId)) problems.push(`prefixes.${prefix}: route ${routeId} is not ${options.prune ? 'in the file' : 'in the file or the store'}`);
    const current = currentPrefixes.get(prefix);
    if (current === routeId) continue;
    items.push({ action: current === undefined ? 'create' : 'update', kind: 'prefix', id: prefix, fields: current === undefined ? [] : ['route'] });
    prefixChanges.push({ op: 'prefix.put', prefix: { prefix, routeId: routeId as RouteId } });
  }
  if (options.prune) {
    for (const entry of snapshot.prefixes) {
      if (Object.hasOwn(file.prefixes, entry.prefix)) continue;
      items.push({ action: 'delete', kind: 'prefix', id: entry.prefix, fields: [] });
      prefixChanges.unshift({ op: 'prefix.delete', prefix: entry.prefix });
    }
    for (const route of snapshot.routes) {
      if (Object.hasOwn(file.routes, route.id)) continue;
      items.push({ action: 'delete', kind: 'route', id: route.id, fields: [] });
      deletes.push({ op: 'route.delete', id: route.id });
    }
  }

  const scenarioPuts: ProvisioningChange[] = [];
  const currentScenarios = new Map(scenarios.map((scenario) => [scenario.id, scenario]));
  const finalClientIds = new Set(finalClients.map((client) => client.id as string));
  for (const [id, fileScenario] of Object.entries(file.scenarios)) {
    if (!finalClientIds.has(fileScenario.client)) problems.push(`scenarios.${id}.client: client ${fileScenario.client} is not ${options.prune ? 'in the file' : 'in the file or the store'}`);
    const current = currentScenarios.get(id);
    const scenario = desiredScenario(id, fileScenario);
    const fields = current === undefined ? [] : scenarioDiff(scenario, current);
    if (current !== undefined && fields.length === 0) continue;
    items.push({ action: current === undefined ? 'create' : 'update', kind: 'scenario', id, fields });
    scenarioPuts.push({ op: 'scenario.put', scenario });
  }
  if (options.prune) {
    // Scenarios are never deleted (their results stay readable): pruning disables them.
    for (const current of scenarios) {
      if (Object.hasOwn(file.scenarios, current.id) || current.disabled) continue;
      items.push({ action: 'delete', kind: 'scenario', id: current.id, fields: ['disabled'] });
      scenarioPuts.unshift({ op: 'scenario.put', scenario: { id: current.id, clientId: current.clientId, source: current.source, bindings: current.bindings, disabled: true } });
    }
  }

  if (problems.length > 0) throw new PlanError(problems);
  const kindOrder: Record<PlanKind, number> = { route: 0, client: 1, prefix: 2, scenario: 3 };
  items.sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || a.id.localeCompare(b.id));
  // Routes exist before prefixes name them; prefixes leave before their routes are deleted.
  // Scenarios follow their clients' puts (which give them their short codes) and come before client deletes.
  return { items, changes: [...routePuts, ...clientPuts, ...prefixChanges, ...scenarioPuts, ...deletes] };
}
