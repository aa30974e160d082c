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
} from '../../domain/provisioning.js';
import type { ProvisioningChange } from '../port.js';

/** Provisioning tables: clients with their API tokens, routes, prefixes, number overrides and the version. */

const FIRST_VIRTUAL_PORT = 1000;

interface ClientRow {
  id: string; name: string; login: string; password_hash: string | null; url_token: string; virtual_port: number;
  disabled: number; demo: number; allowed_ips: string; senders: string; reserved_tps: number; max_tps: number | null;
  max_queued: number; dlr_url: string | null; mo_url: string | null; callback_format: string; callback_secret: string;
  short_codes: string; keywords: string; mo_reply_allowed: number;
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
  private readonly selectOverride: Database.Statement<[string], { route_id: string }>;
  private readonly countOverrides: Database.Statement<[], { n: number }>;
  private readonly readSnapshot: Database.Transaction<() => ProvisioningSnapshot>;

  constructor(db: Database.Database) {
    this.selectVersion = db.prepare('SELECT version FROM provisioning_version WHERE id = 1');
    this.bumpVersion = db.prepare('UPDATE provisioning_version SET version = version + 1 WHERE id = 1 RETURNING version');
    this.clientPortById = db.prepare('SELECT virtual_port FROM clients WHERE id = ?');
    this.portOwner = db.prepare('SELECT client_id FROM virtual_ports WHERE port = ?');
    this.nextPort = db.prepare(`SELECT COALESCE(MAX(port), ${FIRST_VIRTUAL_PORT - 1}) + 1 AS port FROM virtual_ports`);
    this.recordPort = db.prepare('INSERT OR IGNORE INTO virtual_ports (port, client_id) VALUES (?, ?)');
    this.upsertClient = db.prepare(`
      INSERT INTO clients (id, name, login, password_hash, url_token, virtual_port, disabled, demo, allowed_ips, senders,
        reserved_tps, max_tps, max_queued, dlr_url, mo_url, callback_format, callback_secret, short_codes, keywords, mo_reply_allowed)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, login = excluded.login, password_hash = excluded.password_hash,
        url_token = excluded.url_token, virtual_port = excluded.virtual_port, disabled = excluded.disabled, demo = excluded.demo,
        allowed_ips = excluded.allowed_ips, senders = excluded.senders, reserved_tps = excluded.reserved_tps,
        max_tps = excluded.max_tps, max_queued = excluded.max_queued, dlr_url = excluded.dlr_url, mo_url = excluded.mo_url,
        callback_format = excluded.callback_format, callback_secret = excluded.callback_secret,
        short_codes = excluded.short_codes, keywords = excluded.keywords, mo_reply_allowed = excluded.mo_reply_allowed`);
    this.deleteClient = db.prepare('DELETE FROM clients WHERE id = ?');
    this.insertToken = db.prepare('INSERT INTO api_tokens (client_id, id, sha256, created_at, label) VALUES (?, ?, ?, ?, ?)');
    this.deleteToken = db.prepare('DELETE FROM api_tokens WHERE client_id = ? AND id = ?');
    this.upsertRoute = db.prepare(`
      INSERT INTO routes (id, host, port, tls, system_id, password, system_type, bind_mode, binds, window_size, tps,
        default_data_coding, gsm_packing, concatenation, receipt_id_format, in_doubt_policy, source_ton, source_npi,
        dest_ton, dest_npi, disabled)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, tls = excluded.tls,
        system_id = excluded.system_id, password = excluded.password, system_type = excluded.system_type,
        bind_mode = excluded.bind_mode, binds = excluded.binds, window_size = excluded.window_size, tps = excluded.tps,
        default_data_coding = excluded.default_data_coding, gsm_packing = excluded.gsm_packing,
        concatenation = excluded.concatenation, receipt_id_format = excluded.receipt_id_format,
        in_doubt_policy = excluded.in_doubt_policy, source_ton = excluded.source_ton, source_npi = excluded.source_npi,
        dest_ton = excluded.dest_ton, dest_npi = excluded.dest_npi, disabled = excluded.disabled`);
    this.routeExists = db.prepare('SELECT id FROM routes WHERE id = ?');
    this.deleteRoute = db.prepare('DELETE FROM routes WHERE id = ?');
    this.routeInUse = db.prepare(`
      SELECT 'prefix ' || prefix AS what FROM prefixes WHERE route_id = ?
      UNION ALL SELECT 'number override ' || msisdn FROM number_overrides WHERE route_id = ? LIMIT 1`);
    this.upsertPrefix = db.prepare('INSERT OR REPLACE INTO prefixes (prefix, route_id) VALUES (?, ?)');
    this.deletePrefix = db.prepare('DELETE FROM prefixes WHERE prefix = ?');
    this.deleteOverrides = db.prepare('DELETE FROM number_overrides');
    this.insertOverride = db.prepare('INSERT OR REPLACE INTO number_overrides (msisdn, route_id) VALUES (?, ?)');
    this.selectClients = db.prepare('SELECT * FROM clients ORDER BY id');
    this.selectTokens = db.prepare('SELECT * FROM api_tokens ORDER BY client_id, created_at, id');
    this.selectRoutes = db.prepare('SELECT * FROM routes ORDER BY id');
    this.selectPrefixes = db.prepare('SELECT prefix, route_id FROM prefixes ORDER BY prefix');
    this.selectOverride = db.prepare('SELECT route_id FROM number_overrides WHERE msisdn = ?');
    this.countOverrides = db.prepare('SELECT COUNT(*) AS n FROM number_overrides');
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
    const found = new Map<string, RouteId>();
    for (const msisdn of msisdns) {
      const row = this.selectOverride.get(msisdn);
      if (row) found.set(msisdn, row.route_id as RouteId);
    }
    return found;
  }

  overrideCount(): number {
    return this.countOverrides.get()?.n ?? 0;
  }

  private applyOne(change: ProvisioningChange): void {
    switch (change.op) {
      case 'client.put':
        this.putClient(change.client);
        return;
      case 'client.delete':
        if (this.deleteClient.run(change.id).changes === 0) throw invalid(`client "${change.id}" does not exist`);
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
    const port = client.virtualPort ?? existing ?? this.nextPort.get()?.port ?? FIRST_VIRTUAL_PORT;
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
      JSON.stringify(client.keywords), bit(client.moReplyAllowed),
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
