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
import type { Database, Sql } from './database.js';
import { PayoutsSql } from './payouts.js';
import { ScenariosSql } from './scenarios.js';
import { loadQueries } from './sql-files.js';
import { WebSessionsSql } from './web-sessions.js';

/**
 * Provisioning tables: clients with their API tokens, routes, prefixes, number overrides and the
 * version; the same rules as the SQLite adapter's provisioning.ts. A list of changes is one
 * transaction that first locks the version row, so that lists from several nodes apply one at a time.
 */

interface ClientRow {
  id: string; name: string; login: string; password_hash: string | null; url_token: string; virtual_port: number;
  disabled: boolean; demo: boolean; allowed_ips: string[]; senders: string[]; reserved_tps: number; max_tps: number | null;
  max_queued: number; dlr_url: string | null; mo_url: string | null; callback_format: string; callback_secret: string;
  short_codes: string[]; keywords: KeywordRegistration[]; mo_reply_allowed: boolean; smpp: SmppAccess | null;
}

interface RouteRow {
  id: string; host: string; port: number; tls: boolean; system_id: string; password: string; system_type: string;
  bind_mode: string; binds: number; window_size: number; tps: number; default_data_coding: number; gsm_packing: string;
  concatenation: string; receipt_id_format: string; in_doubt_policy: string; source_ton: number; source_npi: number;
  dest_ton: number; dest_npi: number; disabled: boolean;
}

interface TokenRow { client_id: string; id: string; sha256: string; created_at: number; label: string }

type ClientPut = Extract<ProvisioningChange, { op: 'client.put' }>['client'];

function invalid(detail: string): SmsprocError {
  return new SmsprocError(Errors.PROVISIONING_INVALID, { detail });
}

/** SQLSTATE class 23: integrity constraint violation (unique login, foreign key, …). */
const isConstraintViolation = (error: unknown): boolean => /^23/.test(String((error as { code?: unknown }).code ?? ''));

const overrideChunk = 10_000;

export class ProvisioningSql {
  private readonly sql = loadQueries('provisioning');
  private readonly webSessions = new WebSessionsSql();

  constructor(private readonly db: Database) {}

  async version(): Promise<number> {
    return (await this.db.rows<{ version: number }>(this.sql('selectVersion')))[0]?.version ?? 0;
  }

  /** One consistent snapshot across the tables (REPEATABLE READ). */
  async load(): Promise<ProvisioningSnapshot> {
    return this.db.transaction(async (sql) => this.readAll(sql), 'snapshot');
  }

  async apply(changes: readonly ProvisioningChange[]): Promise<number> {
    return this.db.transaction(async (sql) => {
      await sql.rows(this.sql('lockVersion'));
      for (const change of changes) {
        try {
          await this.applyOne(sql, change);
        } catch (error) {
          if (isConstraintViolation(error)) throw invalid(`${change.op}: ${(error as Error).message}`);
          throw error;
        }
      }
      const [row] = await sql.rows<{ version: number }>(this.sql('bumpVersion'));
      if (!row) throw new Error('provisioning_version row is missing');
      return row.version;
    });
  }

  async findOverrides(msisdns: readonly string[]): Promise<ReadonlyMap<string, RouteId>> {
    if (msisdns.length === 0) return new Map();
    const rows = await this.db.rows<{ msisdn: string; route_id: string }>(this.sql('selectOverrides'), [[...msisdns]]);
    return new Map(rows.map((row) => [row.msisdn, row.route_id as RouteId]));
  }

  async overrideCount(): Promise<number> {
    return (await this.db.rows<{ n: number }>(this.sql('countOverrides')))[0]?.n ?? 0;
  }

  private async applyOne(sql: Sql, change: ProvisioningChange): Promise<void> {
    switch (change.op) {
      case 'client.put':
        await this.webSessions.endClientOnNewPassword(sql, change.client.id, change.client.passwordHash);
        await this.putClient(sql, change.client);
        // A disabled client's sessions end with the change, so that enabling it again revives none.
        if (change.client.disabled) await this.webSessions.endClient(sql, change.client.id);
        return;
      case 'client.delete':
        if ((await sql.count(this.sql('deleteClient'), [change.id])) === 0) throw invalid(`client "${change.id}" does not exist`);
        await this.webSessions.endClient(sql, change.id);
        return;
      case 'apiToken.add':
        await this.requireClient(sql, change.clientId);
        await sql.count(this.sql('insertToken'), [change.clientId, change.token.id, change.token.sha256, change.token.createdAt.getTime(), change.token.label]);
        return;
      case 'apiToken.remove':
        await this.requireClient(sql, change.clientId);
        if ((await sql.count(this.sql('deleteToken'), [change.clientId, change.tokenId])) === 0) {
          throw invalid(`client "${change.clientId}" has no API token "${change.tokenId}"`);
        }
        return;
      case 'route.put':
        await this.putRoute(sql, change.route);
        return;
      case 'route.delete': {
        await this.requireRoute(sql, change.id);
        const [user] = await sql.rows<{ what: string }>(this.sql('routeInUse'), [change.id]);
        if (user) throw invalid(`route "${change.id}" is still used by ${user.what}`);
        await sql.count(this.sql('deleteRoute'), [change.id]);
        return;
      }
      case 'prefix.put':
        await this.requireRoute(sql, change.prefix.routeId);
        await sql.count(this.sql('upsertPrefix'), [change.prefix.prefix, change.prefix.routeId]);
        return;
      case 'prefix.delete':
        if ((await sql.count(this.sql('deletePrefix'), [change.prefix])) === 0) throw invalid(`prefix "${change.prefix}" does not exist`);
        return;
      case 'overrides.replace': {
        const routes = new Set((await sql.rows<RouteRow>(this.sql('selectRoutes'))).map((route) => route.id));
        const latest = new Map<string, string>();
        for (const override of change.overrides) {
          if (!routes.has(override.routeId)) throw invalid(`number override ${override.msisdn} names missing route "${override.routeId}"`);
          latest.set(override.msisdn, override.routeId);
        }
        await sql.count(this.sql('deleteOverrides'));
        const entries = [...latest];
        for (let start = 0; start < entries.length; start += overrideChunk) {
          const chunk = entries.slice(start, start + overrideChunk);
          await sql.count(this.sql('insertOverrides'), [chunk.map(([msisdn]) => msisdn), chunk.map(([, routeId]) => routeId)]);
        }
        return;
      }
      case 'scenario.put':
        await this.scenarios.put(sql, change.scenario);
        return;
    }
  }

  /** The scenario.put change runs here, inside the provisioning transaction (stateless, like every *Sql part). */
  private readonly scenarios = new ScenariosSql(new PayoutsSql());

  private async requireClient(sql: Sql, id: ClientId): Promise<void> {
    if ((await sql.rows(this.sql('clientPortById'), [id])).length === 0) throw invalid(`client "${id}" does not exist`);
  }

  private async requireRoute(sql: Sql, id: RouteId): Promise<void> {
    if ((await sql.rows(this.sql('routeExists'), [id])).length === 0) throw invalid(`route "${id}" does not exist`);
  }

  /** Keeps the client's port when none is given; allocates a fresh one for a new client. */
  private async virtualPortFor(sql: Sql, client: ClientPut): Promise<number> {
    const existing = (await sql.rows<{ virtual_port: number }>(this.sql('clientPortById'), [client.id]))[0]?.virtual_port;
    const port = client.virtualPort ?? existing ?? (await sql.rows<{ port: number }>(this.sql('nextPort')))[0]?.port;
    if (port === undefined) throw new Error('virtual_ports: no next port');
    if (!Number.isInteger(port) || port < 1) throw invalid(`virtual port ${port} of client "${client.id}" is not a positive integer`);
    const owner = (await sql.rows<{ client_id: string }>(this.sql('portOwner'), [port]))[0]?.client_id;
    if (owner !== undefined && owner !== client.id) {
      throw invalid(`virtual port ${port} was given to client "${owner}" and is never reused`);
    }
    await sql.count(this.sql('recordPort'), [port, client.id]);
    return port;
  }

  private async putClient(sql: Sql, client: ClientPut): Promise<void> {
    const port = await this.virtualPortFor(sql, client);
    await sql.count(this.sql('upsertClient'), [
      client.id, client.name, client.login, client.passwordHash, client.urlToken, port, client.disabled, client.demo,
      JSON.stringify(client.allowedIps), JSON.stringify(client.senders), client.reservedTps, client.maxTps, client.maxQueued,
      client.dlrUrl, client.moUrl, client.callbackFormat, client.callbackSecret, JSON.stringify(client.shortCodes),
      JSON.stringify(client.keywords), client.moReplyAllowed, client.smpp === null ? null : JSON.stringify(client.smpp),
    ]);
  }

  private async putRoute(sql: Sql, route: RouteRecord): Promise<void> {
    await sql.count(this.sql('upsertRoute'), [
      route.id, route.host, route.port, route.tls, route.systemId, route.password, route.systemType, route.bindMode,
      route.binds, route.windowSize, route.tps, route.defaultDataCoding, route.gsmPacking, route.concatenation,
      route.receiptIdFormat, route.inDoubtPolicy, route.sourceTon, route.sourceNpi, route.destTon, route.destNpi, route.disabled,
    ]);
  }

  private async readAll(sql: Sql): Promise<ProvisioningSnapshot> {
    const tokens = new Map<string, ApiTokenRecord[]>();
    for (const row of await sql.rows<TokenRow>(this.sql('selectTokens'))) {
      const list = tokens.get(row.client_id) ?? [];
      list.push({ id: row.id, sha256: row.sha256, createdAt: new Date(row.created_at), label: row.label });
      tokens.set(row.client_id, list);
    }
    const clients = (await sql.rows<ClientRow>(this.sql('selectClients'))).map((row): ClientRecord => ({
      id: row.id as ClientId,
      name: row.name,
      login: row.login,
      passwordHash: row.password_hash,
      urlToken: row.url_token,
      virtualPort: row.virtual_port,
      disabled: row.disabled,
      demo: row.demo,
      allowedIps: row.allowed_ips,
      senders: row.senders,
      reservedTps: row.reserved_tps,
      maxTps: row.max_tps,
      maxQueued: row.max_queued,
      dlrUrl: row.dlr_url,
      moUrl: row.mo_url,
      callbackFormat: row.callback_format as CallbackFormat,
      callbackSecret: row.callback_secret,
      shortCodes: row.short_codes,
      keywords: row.keywords,
      moReplyAllowed: row.mo_reply_allowed,
      apiTokens: tokens.get(row.id) ?? [],
      smpp: row.smpp,
    }));
    const routes = (await sql.rows<RouteRow>(this.sql('selectRoutes'))).map((row): RouteRecord => ({
      id: row.id as RouteId,
      host: row.host,
      port: row.port,
      tls: row.tls,
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
      disabled: row.disabled,
    }));
    const prefixes = (await sql.rows<{ prefix: string; route_id: string }>(this.sql('selectPrefixes')))
      .map((row): PrefixRecord => ({ prefix: row.prefix, routeId: row.route_id as RouteId }));
    const version = (await sql.rows<{ version: number }>(this.sql('selectVersion')))[0]?.version ?? 0;
    return { version, clients, routes, prefixes };
  }
}
