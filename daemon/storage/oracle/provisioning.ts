import { Errors, SmsprocError } from '../../domain/errors.js';
import type { ClientId, RouteId } from '../../domain/ids.js';
import type {
  ApiTokenRecord,
  CallbackFormat,
  ClientRecord,
  KeywordRegistration,
  PrefixRecord,
  ProvisioningSnapshot,
  RouteRecord,
  SmppAccess,
} from '../../domain/provisioning.js';
import type { ProvisioningChange } from '../port.js';
import type { OracleSession } from './aq-session.js';
import { oracleErrorCode } from './oracle-errors.js';
import { putScenario } from './scenarios.js';
import { oracleQueries } from './sql-files.js';
import { endClientSessions, endClientSessionsOnNewPassword } from './web-sessions.js';

/**
 * Provisioning tables, with the SQLite adapter's rules: one transaction per change list, the
 * version raised once, a change naming a missing client or route (or breaking a unique key)
 * rejects the whole list with PROVISIONING_INVALID. The version row is locked first, so change
 * lists from several nodes apply one after another. Oracle stores '' as NULL: strings that may be
 * empty are read back with `?? ''`.
 */

interface ClientRow {
  ID: string; NAME: string; LOGIN: string; PASSWORD_HASH: string | null; URL_TOKEN: string; VIRTUAL_PORT: number;
  DISABLED: number; DEMO: number; ALLOWED_IPS: string; SENDERS: string; RESERVED_TPS: number; MAX_TPS: number | null;
  MAX_QUEUED: number; DLR_URL: string | null; MO_URL: string | null; CALLBACK_FORMAT: string; CALLBACK_SECRET: string | null;
  SHORT_CODES: string; KEYWORDS: string; MO_REPLY_ALLOWED: number; SMPP: string | null;
}

interface RouteRow {
  ID: string; HOST: string; PORT: number; TLS: number; SYSTEM_ID: string; PASSWORD: string | null; SYSTEM_TYPE: string | null;
  BIND_MODE: string; BINDS: number; WINDOW_SIZE: number; TPS: number; DEFAULT_DATA_CODING: number; GSM_PACKING: string;
  CONCATENATION: string; RECEIPT_ID_FORMAT: string; IN_DOUBT_POLICY: string; SOURCE_TON: number; SOURCE_NPI: number;
  DEST_TON: number; DEST_NPI: number; DISABLED: number;
}

interface TokenRow { CLIENT_ID: string; ID: string; SHA256: string; CREATED_AT: Date; LABEL: string | null }

type ClientPut = Extract<ProvisioningChange, { op: 'client.put' }>['client'];

const sql = oracleQueries('provisioning');
const bit = (value: boolean): number => (value ? 1 : 0);

function invalid(detail: string): SmsprocError {
  return new SmsprocError(Errors.PROVISIONING_INVALID, { detail });
}

export async function provisioningVersion(session: OracleSession): Promise<number> {
  return (await session.execute<{ VERSION: number }>(sql('selectVersion'), {})).rows[0]?.VERSION ?? 0;
}

export async function applyProvisioning(session: OracleSession, changes: readonly ProvisioningChange[]): Promise<number> {
  await session.execute(sql('lockVersion'), {});
  for (const change of changes) {
    try {
      await applyOne(session, change);
    } catch (error) {
      // ORA-00001 unique key, ORA-02291/02292 foreign key: the list is not valid as a whole.
      const code = oracleErrorCode(error);
      if (code === 'ORA-00001' || code === 'ORA-02291' || code === 'ORA-02292') {
        throw invalid(`${change.op}: ${(error as Error).message}`);
      }
      throw error;
    }
  }
  await session.execute(sql('bumpVersion'), {});
  return provisioningVersion(session);
}

async function exists(session: OracleSession, name: string, id: string): Promise<boolean> {
  return (await session.execute(sql(name), { id })).rows.length > 0;
}

async function applyOne(session: OracleSession, change: ProvisioningChange): Promise<void> {
  switch (change.op) {
    case 'client.put':
      await endClientSessionsOnNewPassword(session, change.client.id, change.client.passwordHash);
      await putClient(session, change.client);
      // A disabled client's sessions end with the change, so that enabling it again revives none.
      if (change.client.disabled) await endClientSessions(session, change.client.id);
      return;
    case 'client.delete':
      if ((await session.execute(sql('deleteClient'), { id: change.id })).rowsAffected === 0) throw invalid(`client "${change.id}" does not exist`);
      await endClientSessions(session, change.id);
      return;
    case 'apiToken.add':
      if (!(await exists(session, 'clientPortById', change.clientId))) throw invalid(`client "${change.clientId}" does not exist`);
      await session.execute(sql('insertToken'), {
        client_id: change.clientId, id: change.token.id, sha256: change.token.sha256, created_at: change.token.createdAt, label: change.token.label,
      });
      return;
    case 'apiToken.remove':
      if (!(await exists(session, 'clientPortById', change.clientId))) throw invalid(`client "${change.clientId}" does not exist`);
      if ((await session.execute(sql('deleteToken'), { client_id: change.clientId, id: change.tokenId })).rowsAffected === 0) {
        throw invalid(`client "${change.clientId}" has no API token "${change.tokenId}"`);
      }
      return;
    case 'route.put':
      await putRoute(session, change.route);
      return;
    case 'route.delete': {
      if (!(await exists(session, 'routeExists', change.id))) throw invalid(`route "${change.id}" does not exist`);
      const user = (await session.execute<{ WHAT: string }>(sql('routeInUse'), { route_id: change.id })).rows[0];
      if (user !== undefined) throw invalid(`route "${change.id}" is still used by ${user.WHAT}`);
      await session.execute(sql('deleteRoute'), { id: change.id });
      return;
    }
    case 'prefix.put':
      if (!(await exists(session, 'routeExists', change.prefix.routeId))) throw invalid(`route "${change.prefix.routeId}" does not exist`);
      await session.execute(sql('upsertPrefix'), { prefix: change.prefix.prefix, route_id: change.prefix.routeId });
      return;
    case 'prefix.delete':
      if ((await session.execute(sql('deletePrefix'), { prefix: change.prefix })).rowsAffected === 0) throw invalid(`prefix "${change.prefix}" does not exist`);
      return;
    case 'overrides.replace': {
      const routes = new Set((await session.execute<RouteRow>(sql('selectRoutes'), {})).rows.map((route) => route.ID));
      const missing = change.overrides.find((override) => !routes.has(override.routeId));
      if (missing !== undefined) throw invalid(`number override ${missing.msisdn} names missing route "${missing.routeId}"`);
      await session.execute(sql('deleteOverrides'), {});
      await session.executeMany(sql('insertOverride'), change.overrides.map((override) => ({ msisdn: override.msisdn, route_id: override.routeId })));
      return;
    }
    case 'scenario.put':
      await putScenario(session, change.scenario);
      return;
  }
}

/** Keeps the client's port when none is given; allocates a fresh one for a new client. */
async function virtualPortFor(session: OracleSession, client: ClientPut): Promise<number> {
  const existing = (await session.execute<{ VIRTUAL_PORT: number }>(sql('clientPortById'), { id: client.id })).rows[0]?.VIRTUAL_PORT;
  const port = client.virtualPort ?? existing ?? (await session.execute<{ PORT: number }>(sql('nextPort'), {})).rows[0]?.PORT;
  if (port === undefined) throw new Error('virtual_ports: no next port');
  if (!Number.isInteger(port) || port < 1) throw invalid(`virtual port ${port} of client "${client.id}" is not a positive integer`);
  const owner = (await session.execute<{ CLIENT_ID: string }>(sql('portOwner'), { port })).rows[0]?.CLIENT_ID;
  if (owner !== undefined && owner !== client.id) throw invalid(`virtual port ${port} was given to client "${owner}" and is never reused`);
  await session.execute(sql('recordPort'), { port, client_id: client.id });
  return port;
}

async function putClient(session: OracleSession, client: ClientPut): Promise<void> {
  const port = await virtualPortFor(session, client);
  await session.execute(sql('upsertClient'), {
    id: client.id, name: client.name, login: client.login, password_hash: client.passwordHash, url_token: client.urlToken,
    virtual_port: port, disabled: bit(client.disabled), demo: bit(client.demo), allowed_ips: JSON.stringify(client.allowedIps),
    senders: JSON.stringify(client.senders), reserved_tps: client.reservedTps, max_tps: client.maxTps, max_queued: client.maxQueued,
    dlr_url: client.dlrUrl, mo_url: client.moUrl, callback_format: client.callbackFormat, callback_secret: client.callbackSecret,
    short_codes: JSON.stringify(client.shortCodes), keywords: JSON.stringify(client.keywords), mo_reply_allowed: bit(client.moReplyAllowed),
    smpp: client.smpp === null ? null : JSON.stringify(client.smpp),
  });
  await session.execute(sql('ensureCounter'), { client_id: client.id });
}

async function putRoute(session: OracleSession, route: RouteRecord): Promise<void> {
  await session.execute(sql('upsertRoute'), {
    id: route.id, host: route.host, port: route.port, tls: bit(route.tls), system_id: route.systemId, password: route.password,
    system_type: route.systemType, bind_mode: route.bindMode, binds: route.binds, window_size: route.windowSize, tps: route.tps,
    default_data_coding: route.defaultDataCoding, gsm_packing: route.gsmPacking, concatenation: route.concatenation,
    receipt_id_format: route.receiptIdFormat, in_doubt_policy: route.inDoubtPolicy, source_ton: route.sourceTon,
    source_npi: route.sourceNpi, dest_ton: route.destTon, dest_npi: route.destNpi, disabled: bit(route.disabled),
  });
}

/** One consistent read: a read-only transaction of its own, which the caller's commit ends. */
export async function loadProvisioning(session: OracleSession): Promise<ProvisioningSnapshot> {
  await session.execute(sql('readOnly'), {});
  const version = await provisioningVersion(session);
  const tokens = new Map<string, ApiTokenRecord[]>();
  for (const row of (await session.execute<TokenRow>(sql('selectTokens'), {})).rows) {
    const list = tokens.get(row.CLIENT_ID) ?? [];
    list.push({ id: row.ID, sha256: row.SHA256, createdAt: row.CREATED_AT, label: row.LABEL ?? '' });
    tokens.set(row.CLIENT_ID, list);
  }
  const clients = (await session.execute<ClientRow>(sql('selectClients'), {})).rows.map((row): ClientRecord => ({
    id: row.ID as ClientId,
    name: row.NAME,
    login: row.LOGIN,
    passwordHash: row.PASSWORD_HASH,
    urlToken: row.URL_TOKEN,
    virtualPort: row.VIRTUAL_PORT,
    disabled: row.DISABLED === 1,
    demo: row.DEMO === 1,
    allowedIps: JSON.parse(row.ALLOWED_IPS) as string[],
    senders: JSON.parse(row.SENDERS) as string[],
    reservedTps: row.RESERVED_TPS,
    maxTps: row.MAX_TPS,
    maxQueued: row.MAX_QUEUED,
    dlrUrl: row.DLR_URL,
    moUrl: row.MO_URL,
    callbackFormat: row.CALLBACK_FORMAT as CallbackFormat,
    callbackSecret: row.CALLBACK_SECRET ?? '',
    shortCodes: JSON.parse(row.SHORT_CODES) as string[],
    keywords: JSON.parse(row.KEYWORDS) as KeywordRegistration[],
    moReplyAllowed: row.MO_REPLY_ALLOWED === 1,
    apiTokens: tokens.get(row.ID) ?? [],
    smpp: row.SMPP === null ? null : (JSON.parse(row.SMPP) as SmppAccess),
  }));
  const routes = (await session.execute<RouteRow>(sql('selectRoutes'), {})).rows.map((row): RouteRecord => ({
    id: row.ID as RouteId,
    host: row.HOST,
    port: row.PORT,
    tls: row.TLS === 1,
    systemId: row.SYSTEM_ID,
    password: row.PASSWORD ?? '',
    systemType: row.SYSTEM_TYPE ?? '',
    bindMode: row.BIND_MODE as RouteRecord['bindMode'],
    binds: row.BINDS,
    windowSize: row.WINDOW_SIZE,
    tps: row.TPS,
    defaultDataCoding: row.DEFAULT_DATA_CODING,
    gsmPacking: row.GSM_PACKING as RouteRecord['gsmPacking'],
    concatenation: row.CONCATENATION as RouteRecord['concatenation'],
    receiptIdFormat: row.RECEIPT_ID_FORMAT as RouteRecord['receiptIdFormat'],
    inDoubtPolicy: row.IN_DOUBT_POLICY as RouteRecord['inDoubtPolicy'],
    sourceTon: row.SOURCE_TON,
    sourceNpi: row.SOURCE_NPI,
    destTon: row.DEST_TON,
    destNpi: row.DEST_NPI,
    disabled: row.DISABLED === 1,
  }));
  const prefixes = (await session.execute<{ PREFIX: string; ROUTE_ID: string }>(sql('selectPrefixes'), {})).rows
    .map((row): PrefixRecord => ({ prefix: row.PREFIX, routeId: row.ROUTE_ID as RouteId }));
  return { version, clients, routes, prefixes };
}

export async function findNumberOverrides(session: OracleSession, msisdns: readonly string[]): Promise<ReadonlyMap<string, RouteId>> {
  const found = new Map<string, RouteId>();
  for (const msisdn of new Set(msisdns)) {
    const row = (await session.execute<{ MSISDN: string; ROUTE_ID: string }>(sql('selectOverride'), { msisdn })).rows[0];
    if (row !== undefined) found.set(row.MSISDN, row.ROUTE_ID as RouteId);
  }
  return found;
}

export async function countNumberOverrides(session: OracleSession): Promise<number> {
  return (await session.execute<{ N: number }>(sql('countOverrides'), {})).rows[0]?.N ?? 0;
}
