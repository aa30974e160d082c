import type { Logger } from '../log.js';
import type { ClientId, RouteId } from '../domain/ids.js';
import type { ClientRecord, ProvisioningSnapshot, RouteRecord } from '../domain/provisioning.js';
import { buildMtRouteTable, routeMt, type MtRouteTable } from '../routing/mt-router.js';
import type { Store } from './port.js';

/**
 * The node's in-memory copy of provisioning: clients indexed the ways the API looks them up, and the
 * MT route table. It polls the store's provisioning version and reloads when it moves, so a change
 * made on any node applies here within one poll interval plus a reload.
 */
export interface ProvisioningCache {
  /** The version of the snapshot in use. */
  readonly version: number;
  /** The snapshot in use (routes and clients as loaded), for consumers that follow every change. */
  readonly snapshot: ProvisioningSnapshot;
  clientById(id: ClientId): ClientRecord | undefined;
  clientByLogin(login: string): ClientRecord | undefined;
  clientByUrlToken(urlToken: string): ClientRecord | undefined;
  /** By the SHA-256 hex of the API token. */
  clientByApiTokenHash(sha256: string): ClientRecord | undefined;
  routeById(id: RouteId): RouteRecord | undefined;
  /** Routes each E.164 number (overrides from the store first); null where no enabled route serves it. */
  routeNumbers(msisdns: readonly string[]): Promise<ReadonlyMap<string, RouteRecord | null>>;
  /** Reloads now if the version moved (SIGHUP, tests); resolves when done. */
  refresh(): Promise<void>;
  /** Stops polling. */
  close(): void;
}

export interface ProvisioningCacheOptions {
  readonly pollIntervalMs: number;
  readonly logger: Logger;
}

interface Indexes {
  readonly snapshot: ProvisioningSnapshot;
  readonly byId: ReadonlyMap<ClientId, ClientRecord>;
  readonly byLogin: ReadonlyMap<string, ClientRecord>;
  readonly byUrlToken: ReadonlyMap<string, ClientRecord>;
  readonly byTokenHash: ReadonlyMap<string, ClientRecord>;
  readonly routes: MtRouteTable;
}

function index(snapshot: ProvisioningSnapshot): Indexes {
  const byTokenHash = new Map<string, ClientRecord>();
  for (const client of snapshot.clients) {
    for (const token of client.apiTokens) byTokenHash.set(token.sha256, client);
  }
  return {
    snapshot,
    byId: new Map(snapshot.clients.map((client) => [client.id, client])),
    byLogin: new Map(snapshot.clients.map((client) => [client.login, client])),
    byUrlToken: new Map(snapshot.clients.map((client) => [client.urlToken, client])),
    byTokenHash,
    routes: buildMtRouteTable(snapshot.routes, snapshot.prefixes),
  };
}

export async function openProvisioningCache(store: Store, options: ProvisioningCacheOptions): Promise<ProvisioningCache> {
  let current = index(await store.loadProvisioning());
  let reloading: Promise<void> | null = null;

  function refresh(): Promise<void> {
    reloading ??= (async () => {
      try {
        if ((await store.provisioningVersion()) === current.snapshot.version) return;
        const snapshot = await store.loadProvisioning();
        current = index(snapshot);
        options.logger.info({ version: snapshot.version, clients: snapshot.clients.length }, 'provisioning reloaded');
      } finally {
        reloading = null;
      }
    })();
    return reloading;
  }

  const timer = setInterval(() => {
    // A store that does not answer keeps the last snapshot in use; the next poll tries again.
    refresh().catch((error: unknown) => options.logger.warn({ err: error }, 'provisioning poll failed'));
  }, options.pollIntervalMs);
  timer.unref();

  return {
    get version() {
      return current.snapshot.version;
    },
    get snapshot() {
      return current.snapshot;
    },
    clientById: (id) => current.byId.get(id),
    clientByLogin: (login) => current.byLogin.get(login),
    clientByUrlToken: (urlToken) => current.byUrlToken.get(urlToken),
    clientByApiTokenHash: (sha256) => current.byTokenHash.get(sha256),
    routeById: (id) => current.routes.routes.get(id),
    async routeNumbers(msisdns) {
      const table = current.routes;
      const overrides = await store.findNumberOverrides(msisdns);
      return new Map(msisdns.map((msisdn) => [msisdn, routeMt(table, msisdn, overrides.get(msisdn))]));
    },
    refresh,
    close: () => clearInterval(timer),
  };
}
