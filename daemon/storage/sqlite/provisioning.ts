import type Database from 'better-sqlite3';
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
import type { ScenariosSql } from './scenarios.js';
import type { WebSessionsSql } from './web-sessions.js';
import { loadQueries } from './sql-files.js';

/** Provisioning tables: clients with their API tokens, routes, prefixes, number overrides and the version. */

interface ClientRow {
  id: string; name: string; login: string; password_hash: string | null; url_token: string; virtual_port: number;
  disabled: number; demo: number; allowed_ips: string; senders: string; reserved_tps: number; max_tps: number | null;
  max_queued: number; dlr_url: string | null; mo_url: string | null; callback_format: string; callback_secret: string;
  short_codes: string; keywords: string; mo_reply_allowed: number; smpp: string | null;
}

interface RouteRow {
  id: string; host: string; port: number; tls: number; system_id: string; password: string; system_type: string;
  bind_mode: string; binds: number; window_size: number; tps: number; default_data_coding: number; gsm_packing: string;
  concatenation: string; receipt_id_format: string; in_doubt_policy: string; source_ton: number; source_npi: number;
  dest_ton: number; dest_npi: number; disabled: number;
}

interface TokenRow { client_id: string; id: string; sha256: string; created_at: number; label: string }

type ClientPut = Extract<ProvisioningChange, { op: 'client.put' }>['client'];

function invalid(detail: string): SmsprocError {
  return new SmsprocError(Errors.PROVISIONING_INVALID, { detail });
}

const bit = (value: boolean): number => (value ? 1 : 0);

export class ProvisioningSql {
  private readonly selectVersion: Database.Statement<[], { version: number }>;
  private readonly bumpVersion: Database.Statement<[], { version: number }>;
  private readonly clientPortById: Database.Statement<[string], { virtual_port: number }>;
  private readonly portOwner: Database.Statement<[number], { client_id: string }>;
  private readonly nextPort: Database.Statement<[], { port: number }>;
  private readonly recordPort: Database.Statement<[number, string]>;
  private readonly upsertClient: Database.Statement<unknown[]>;
  private readonly deleteClient: Database.Statement<[string]>;
  private readonly insertToken: Database.Statement<[string, string, string, number, string]>;
  private readonly deleteToken: Database.Statement<[string, string]>;
  private readonly upsertRoute: Database.Statement<unknown[]>;
  private readonly routeExists: Database.Statement<[string], { id: string }>;
  private readonly deleteRoute: Database.Statement<[string]>;
  private readonly routeInUse: Database.Statement<[string, string], { what: string }>;
  private readonly upsertPrefix: Database.Statement<[string, string]>;
  private readonly deletePrefix: Database.Statement<[string]>;
  private readonly deleteOverrides: Database.Statement<[]>;
  private readonly insertOverride: Database.Statement<[string, string]>;
  private readonly selectClients: Database.Statement<[], ClientRow>;
  private readonly selectTokens: Database.Statement<[], TokenRow>;
  private readonly selectRoutes: Database.Statement<[], RouteRow>;
  private readonly selectPrefixes: Database.Statement<[], { prefix: string; route_id: string }>;
  private readonly selectOverrides: Database.Statement<[string], { msisdn: string; route_id: string }>;
  private readonly countOverrides: Database.Statement<[], { n: number }>;
  private readonly readSnapshot: Database.Transaction<() => ProvisioningSnapshot>;

  constructor(db: Database.Database, private readonly scenarios: ScenariosSql, private readonly webSessions: WebSessionsSql) {
    const sql = loadQueries('provisioning');
    this.selectVersion = db.prepare(sql('selectVersion'));
    this.bumpVersion = db.prepare(sql('bumpVersion'));
    this.clientPortById = db.prepare(sql('clientPortById'));
    this.portOwner = db.prepare(sql('portOwner'));
    this.nextPort = db.prepare(sql('nextPort'));
    this.recordPort = db.prepare(sql('recordPort'));
    this.upsertClient = db.prepare(sql('upsertClient'));
    this.deleteClient = db.prepare(sql('deleteClient'));
    this.insertToken = db.prepare(sql('insertToken'));
    this.deleteToken = db.prepare(sql('deleteToken'));
    this.upsertRoute = db.prepare(sql('upsertRoute'));
    this.routeExists = db.prepare(sql('routeExists'));
    this.deleteRoute = db.prepare(sql('deleteRoute'));
    this.routeInUse = db.prepare(sql('routeInUse'));
    this.upsertPrefix = db.prepare(sql('upsertPrefix'));
    this.deletePrefix = db.prepare(sql('deletePrefix'));
    this.deleteOverrides = db.prepare(sql('deleteOverrides'));
    this.insertOverride = db.prepare(sql('insertOverride'));
    this.selectClients = db.prepare(sql('selectClients'));
    this.selectTokens = db.prepare(sql('selectTokens'));
    this.selectRoutes = db.prepare(sql('selectRoutes'));
    this.selectPrefixes = db.prepare(sql('selectPrefixes'));
    this.selectOverrides = db.prepare(sql('selectOverrides'));
    this.countOverrides = db.prepare(sql('countOverrides'));
    // A read transaction gives one consistent snapshot across the four tables.
    this.readSnapshot = db.transaction(() => this.readAll());
  }

  version(): number {
    return this.selectVersion.get()?.version ?? 0;
  }

  load(): ProvisioningSnapshot {
    return this.readSnapshot.deferred();
  }

  /** Runs inside the caller's transaction (a group-commit job): throws PROVISIONING_INVALID to undo all. */
  apply(changes: readonly ProvisioningChange[]): number {
    for (const change of changes) {
      try {
        this.applyOne(change);
      } catch (error) {
        if (error instanceof SmsprocError) throw error;
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
          throw invalid(`${change.op}: ${(error as Error).message}`);
        }
        throw error;
      }
    }
    const row = this.bumpVersion.get();
    if (!row) throw new Error('provisioning_version row is missing');
    return row.version;
  }

  findOverrides(msisdns: readonly string[]): ReadonlyMap<string, RouteId> {
    if (msisdns.length === 0) return new Map();
    return new Map(this.selectOverrides.all(JSON.stringify(msisdns)).map((row) => [row.msisdn, row.route_id as RouteId]));
  }

  overrideCount(): number {
    return this.countOverrides.get()?.n ?? 0;
  }

  private applyOne(change: ProvisioningChange): void {
    switch (change.op) {
      case 'client.put':
        this.webSessions.endClientOnNewPassword(change.client.id, change.client.passwordHash);
        this.putClient(change.client);
        // A disabled client's sessions end with the change, so that enabling it again revives none.
        if (change.client.disabled) this.webSessions.endClient(change.client.id);
        return;
      case 'client.delete':
        if (this.deleteClient.run(change.id).changes === 0) throw invalid(`client "${change.id}" does not exist`);
        this.webSessions.endClient(change.id);
        return;
      case 'apiToken.add':
        this.requireClient(change.clientId);
        this.insertToken.run(change.clientId, change.token.id, change.token.sha256, change.token.createdAt.getTime(), change.token.label);
        return;
      case 'apiToken.remove':
        this.requireClient(change.clientId);
        if (this.deleteToken.run(change.clientId, change.tokenId).changes === 0) {
          throw invalid(`client "${change.clientId}" has no API token "${change.tokenId}"`);
        }
        return;
      case 'route.put':
        this.putRoute(change.route);
        return;
      case 'route.delete': {
        this.requireRoute(change.id);
        const user = this.routeInUse.get(change.id, change.id);
        if (user) throw invalid(`route "${change.id}" is still used by ${user.what}`);
        this.deleteRoute.run(change.id);
        return;
      }
      case 'prefix.put':
        this.requireRoute(change.prefix.routeId);
        this.upsertPrefix.run(change.prefix.prefix, change.prefix.routeId);
        return;
      case 'prefix.delete':
        if (this.deletePrefix.run(change.prefix).changes === 0) throw invalid(`prefix "${change.prefix}" does not exist`);
        return;
      case 'overrides.replace': {
        const routes = new Set(this.selectRoutes.all().map((route) => route.id));
        this.deleteOverrides.run();
        for (const override of change.overrides) {
          if (!routes.has(override.routeId)) throw invalid(`number override ${override.msisdn} names missing route "${override.routeId}"`);
          this.insertOverride.run(override.msisdn, override.routeId);
        }
        return;
      }
      case 'scenario.put':
        this.scenarios.put(change.scenario, Date.now());
        return;
    }
  }

  private requireClient(id: ClientId): void {
    if (!this.clientPortById.get(id)) throw invalid(`client "${id}" does not exist`);
  }

  private requireRoute(id: RouteId): void {
    if (!this.routeExists.get(id)) throw invalid(`route "${id}" does not exist`);
  }

  /** Keeps the client's port when none is given; allocates a fresh one for a new client. */
  private virtualPortFor(client: ClientPut): number {
    const existing = this.clientPortById.get(client.id)?.virtual_port;
    const port = client.virtualPort ?? existing ?? this.nextPort.get()?.port;
    if (port === undefined) throw new Error('virtual_ports: no next port');
    if (!Number.isInteger(port) || port < 1) throw invalid(`virtual port ${port} of client "${client.id}" is not a positive integer`);
    const owner = this.portOwner.get(port)?.client_id;
    if (owner !== undefined && owner !== client.id) {
      throw invalid(`virtual port ${port} was given to client "${owner}" and is never reused`);
    }
    this.recordPort.run(port, client.id);
    return port;
  }

  private putClient(client: ClientPut): void {
    const port = this.virtualPortFor(client);
    this.upsertClient.run(
      client.id, client.name, client.login, client.passwordHash, client.urlToken, port, bit(client.disabled), bit(client.demo),
      JSON.stringify(client.allowedIps), JSON.stringify(client.senders), client.reservedTps, client.maxTps, client.maxQueued,
      client.dlrUrl, client.moUrl, client.callbackFormat, client.callbackSecret, JSON.stringify(client.shortCodes),
      JSON.stringify(client.keywords), bit(client.moReplyAllowed), client.smpp === null ? null : JSON.stringify(client.smpp),
    );
  }

  private putRoute(route: RouteRecord): void {
    this.upsertRoute.run(
      route.id, route.host, route.port, bit(route.tls), route.systemId, route.password, route.systemType, route.bindMode,
      route.binds, route.windowSize, route.tps, route.defaultDataCoding, route.gsmPacking, route.concatenation,
      route.receiptIdFormat, route.inDoubtPolicy, route.sourceTon, route.sourceNpi, route.destTon, route.destNpi, bit(route.disabled),
    );
  }

  private readAll(): ProvisioningSnapshot {
    const tokens = new Map<string, ApiTokenRecord[]>();
    for (const row of this.selectTokens.all()) {
      const list = tokens.get(row.client_id) ?? [];
      list.push({ id: row.id, sha256: row.sha256, createdAt: new Date(row.created_at), label: row.label });
      tokens.set(row.client_id, list);
    }
    const clients = this.selectClients.all().map((row): ClientRecord => ({
      id: row.id as ClientId,
      name: row.name,
      login: row.login,
      passwordHash: row.password_hash,
      urlToken: row.url_token,
      virtualPort: row.virtual_port,
      disabled: row.disabled === 1,
      demo: row.demo === 1,
      allowedIps: JSON.parse(row.allowed_ips) as string[],
      senders: JSON.parse(row.senders) as string[],
      reservedTps: row.reserved_tps,
      maxTps: row.max_tps,
      maxQueued: row.max_queued,
      dlrUrl: row.dlr_url,
      moUrl: row.mo_url,
      callbackFormat: row.callback_format as CallbackFormat,
      callbackSecret: row.callback_secret,
      shortCodes: JSON.parse(row.short_codes) as string[],
      keywords: JSON.parse(row.keywords) as KeywordRegistration[],
      moReplyAllowed: row.mo_reply_allowed === 1,
      apiTokens: tokens.get(row.id) ?? [],
      smpp: row.smpp === null ? null : (JSON.parse(row.smpp) as SmppAccess),
    }));
    const routes = this.selectRoutes.all().map((row): RouteRecord => ({
      id: row.id as RouteId,
      host: row.host,
      port: row.port,
      tls: row.tls === 1,
      systemId: row.system_id,
      password: row.password,
      systemType: row.system_type,
      bindMode: row.bind_mode as RouteRecord['bindMode'],
      binds: row.binds,
      windowSize: row.window_size,
      tps: row.tps,
      defaultDataCoding: row.default_data_coding,
      gsmPacking: row.gsm_packing as RouteRecord['gsmPacking'],
      concatenation: row.concatenation as RouteRecord['concatenation'],
      receiptIdFormat: row.receipt_id_format as RouteRecord['receiptIdFormat'],
      inDoubtPolicy: row.in_doubt_policy as RouteRecord['inDoubtPolicy'],
      sourceTon: row.source_ton,
      sourceNpi: row.source_npi,
      destTon: row.dest_ton,
      destNpi: row.dest_npi,
      disabled: row.disabled === 1,
    }));
    const prefixes = this.selectPrefixes.all().map((row): PrefixRecord => ({ prefix: row.prefix, routeId: row.route_id as RouteId }));
    return { version: this.version(), clients, routes, prefixes };
  }
}
