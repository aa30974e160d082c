import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../../daemon/api/server.js';
import { configSchema, type Config } from '../../daemon/config/schema.js';
import { sha256Hex } from '../../daemon/domain/credentials.js';
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import type { RouteRecord } from '../../daemon/domain/provisioning.js';
import { bindLimitFor } from '../../daemon/cluster/node-cluster.js';
import { openCoordinator } from '../../daemon/cluster/open-coordinator.js';
import { ClusterView } from '../../daemon/cluster/cluster-view.js';
import { parsePool, PoolRoles } from '../../daemon/cluster/pool-roles.js';
import { intakeLimitOf } from '../../daemon/api/intake-limiter.js';
import { createRedisLimiter } from '../../daemon/limits/redis-limiter.js';
import { startClusterReservations } from '../../daemon/limits/redis-reservations.js';
import { DeliveryService } from '../../daemon/dispatch/delivery-service.js';
import { ReservationLedger } from '../../daemon/dispatch/reservation-ledger.js';
import type { CallbackSenderOptions } from '../../daemon/dispatch/callback-sender.js';
import type { InboundOptions } from '../../daemon/dispatch/inbound-handler.js';
import type { RouteDispatcherOptions } from '../../daemon/dispatch/route-dispatcher.js';
import { createLogger } from '../../daemon/log.js';
import { startSmppServer, type SmppServer } from '../../daemon/smpp-server/smpp-server.js';
import { openStore } from '../../daemon/storage/open.js';
import type { Store } from '../../daemon/storage/port.js';
import { openProvisioningCache, type ProvisioningCache } from '../../daemon/storage/provisioning-cache.js';
import { webExtension } from '../../daemon/web/web.js';
import { startSmscSimulator, type SmscSimulator, type SmscSimulatorOptions } from '../../ops/smsc-sim/simulator.js';
import type { ReceivedMessage } from '../../ops/smsc-sim/stats.js';
import { postgresStoreFor } from './deliver-store.js';

/**
 * The parts of one node that delivery tests need, wired as daemon/main.ts wires them (store,
 * provisioning cache, queue sweeper, client API, delivery service), with short timers; not a test.
 */
export const TOKEN = 'sp_deliver_e2e_token_0123456789abcdef';
export const CALLBACK_SECRET = 'deliver-e2e-secret';
export const SHORT_CODE = '4444';
export const SMSC_ACCOUNT = { systemId: 'smsproc', password: 'secret' } as const;
const ROUTE = 'sim' as RouteId;
const CLIENT = 'acme' as ClientId;

export interface NodeOptions {
  readonly dbPath: string;
  readonly smscPort: number;
  /** Callback receiver base URL: DLRs go to `<url>/dlr`, MO to `<url>/mo`. */
  readonly callbackUrl: string;
  readonly route?: Partial<RouteRecord>;
  readonly inbound?: Partial<InboundOptions>;
  /** Starts the SMPP server for clients (on 127.0.0.1:0) with these settings; its channel carries `smpp:` events. */
  readonly smppServer?: Partial<Config['smppServer']>;
  readonly callbacks?: Partial<CallbackSenderOptions>;
  /** Dispatch settings over the harness's short ones (claimIdleMs 50, say). */
  readonly dispatch?: Partial<RouteDispatcherOptions>;
  /** Serve the web pages (daemon/web) with these settings; absent: the API only. */
  readonly web?: Partial<Config['web']>;
  /** inbound.defaultMoClientId of the node config. */
  readonly defaultMoClientId?: string;
  /** The node's id and site (default `e2e-<pid>`) and its `cluster` config: with coordinator etcd, binds are shared. */
  readonly node?: { readonly id: string; readonly site: string };
  readonly cluster?: Partial<Config['cluster']>;
  /** The client's intake ceiling (maxTps) when the store is provisioned; default none. */
  readonly clientMaxTps?: number;
  /** A redis-server on 127.0.0.1 at this port for the intake ceiling across nodes (as `limits.redisUrl`). */
  readonly redisPort?: number;
}

export interface Node {
  readonly store: Store;
  readonly provisioning: ProvisioningCache;
  readonly api: ApiServer;
  readonly delivery: DeliveryService;
  readonly smppServer: SmppServer | null;
  readonly baseUrl: string;
  close(): Promise<void>;
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-deliver-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Segments per second each sender got at the simulator between `from` and `to` (ms). */
export function ratesAt(received: readonly ReceivedMessage[], from: number, to: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of received) {
    const at = Date.parse(message.at);
    if (at >= from && at < to) counts.set(message.source, (counts.get(message.source) ?? 0) + 1);
  }
  return new Map([...counts].map(([source, count]) => [source, (count * 1000) / (to - from)]));
}

export function simulator(options: Partial<SmscSimulatorOptions> = {}): Promise<SmscSimulator> {
  return startSmscSimulator({ accounts: [{ ...SMSC_ACCOUNT, maxBinds: 4 }], receiptDelayMs: 50, captureMessages: 10_000, ...options });
}

/** On a new store: the route `sim` to the SMSC (serving every number starting with 7) and the client `acme` with its callback URLs. */
export async function provisionNode(store: Store, options: Pick<NodeOptions, 'smscPort' | 'callbackUrl' | 'route' | 'clientMaxTps'>): Promise<void> {
  const snapshot = await store.loadProvisioning();
  if (snapshot.routes.length === 0) {
    await store.applyProvisioning([
      {
        op: 'route.put',
        route: {
          id: ROUTE, host: '127.0.0.1', port: options.smscPort, tls: false, systemId: SMSC_ACCOUNT.systemId, password: SMSC_ACCOUNT.password,
          systemType: '', bindMode: 'transceiver', binds: 1, windowSize: 10, tps: 500, defaultDataCoding: 0, gsmPacking: 'unpacked',
          concatenation: 'udh8', receiptIdFormat: 'auto', inDoubtPolicy: 'resend', sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1,
          disabled: false, ...options.route,
        },
      },
      { op: 'prefix.put', prefix: { prefix: '7', routeId: ROUTE } },
      {
        op: 'client.put',
        client: {
          id: CLIENT, name: 'Acme', login: 'acme', passwordHash: null, urlToken: 'acme-deliver-url-token-0123', virtualPort: null,
          disabled: false, demo: false, allowedIps: ['127.0.0.1', '::1'], senders: ['ACME'], reservedTps: 50, maxTps: options.clientMaxTps ?? null,
          maxQueued: 100_000, dlrUrl: `${options.callbackUrl}/dlr`, moUrl: `${options.callbackUrl}/mo`, callbackFormat: 'post-json',
          callbackSecret: CALLBACK_SECRET, shortCodes: [SHORT_CODE], keywords: [], moReplyAllowed: true, smpp: null,
        },
      },
      { op: 'apiToken.add', clientId: CLIENT, token: { id: 't1', sha256: sha256Hex(TOKEN), createdAt: new Date(0), label: 'e2e' } },
    ]);
  }
}

/** Opens the store (provisioning it when new) and starts the node's parts on 127.0.0.1:0. */
export async function startNode(options: NodeOptions): Promise<Node> {
  const config = configSchema.parse({
    node: options.node ?? { id: `e2e-${process.pid}` },
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    store: await postgresStoreFor(options.dbPath) ?? { sqlitePath: options.dbPath },
    api: { port: 0 },
    msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 },
    queue: { sweepIntervalMs: 200, retryDelayMs: 200 },
    provisioning: { pollIntervalMs: 200 },
    log: { level: 'silent' },
    smppServer: { port: 0, ...options.smppServer },
    ...(options.web === undefined ? {} : { web: options.web }),
    inbound: { defaultMoClientId: options.defaultMoClientId ?? null },
  });
  const logger = createLogger(process.env['SMSPROC_TEST_LOG'] ?? 'silent');
  const store = await openStore(config);
  await provisionNode(store, options);
  const provisioning = await openProvisioningCache(store, { pollIntervalMs: config.provisioning.pollIntervalMs, logger });
  const sweeper = setInterval(() => void store.sweepMt().catch(() => undefined), config.queue.sweepIntervalMs);
  // A node serving the dashboard holds its coordinator, as the daemon does (local unless `cluster` says etcd).
  const coordinator = options.cluster === undefined && options.web === undefined ? null : openCoordinator(config, store, logger);
  await coordinator?.start();
  const view = coordinator === null ? null : new ClusterView(coordinator, { kind: config.cluster.coordinator, pools: config.cluster.pools.map(parsePool) });
  view?.start();
  const smppServer = options.smppServer === undefined
    ? null
    : await startSmppServer({
      config, store, provisioning, logger, session: { enquireLinkTimeoutMs: 1_000, responseTimeoutMs: 2_000 },
      ...(coordinator === null ? {} : { bindLimit: bindLimitFor(config, coordinator, logger) }),
    });
  // Dedicated pools' active roles, as joinCluster runs them in the daemon.
  const pools = coordinator === null || config.cluster.pools.length === 0
    ? null
    : new PoolRoles(coordinator, config.cluster.pools.map(parsePool), { checkIntervalMs: config.cluster.planIntervalMs, standbyDelayMs: config.cluster.orphanGraceMs }, logger);
  pools?.start();
  // Reservations counted across nodes through the same Redis, as the daemon does with limits.redisUrl.
  const ledger = new ReservationLedger();
  const reservations = options.redisPort === undefined
    ? null
    : startClusterReservations({ connection: { host: '127.0.0.1', port: options.redisPort }, ledger, liveNodes: () => Math.max(1, coordinator?.members().length ?? 1), log: logger });
  const delivery = new DeliveryService({
    config,
    store,
    provisioning,
    logger,
    ledger,
    ...(coordinator === null ? {} : { coordinator }),
    ...(smppServer === null ? {} : { smppChannel: smppServer.channel }),
    options: {
      provisioningCheckMs: 200,
      dispatch: {
        leaseMs: 3_000,
        claimIdleMs: 50,
        inDoubtIntervalMs: 300,
        reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
        session: { responseTimeoutMs: 2_000, enquireLinkIntervalMs: 2_000, enquireLinkTimeoutMs: 1_000, drainTimeoutMs: 2_000 },
        ...options.dispatch,
      },
      callbacks: { pollIntervalMs: 50, ...options.callbacks },
      inbound: { reassemblyTickMs: 100, ...options.inbound },
    },
  });
  await delivery.start();
  const extensions = options.web === undefined ? [] : [webExtension({ config, store, provisioning, logger, delivery, cluster: () => view?.report() ?? null })];
  const redisLimiter = options.redisPort === undefined
    ? null
    : createRedisLimiter({
      connection: { host: '127.0.0.1', port: options.redisPort },
      limitOf: intakeLimitOf(provisioning),
      liveNodes: () => Math.max(1, coordinator?.members().length ?? 1),
      log: logger,
    });
  const api = await startApiServer({ config, store, provisioning, logger, extensions, ...(redisLimiter === null ? {} : { limiter: redisLimiter }) });
  return {
    store,
    provisioning,
    api,
    delivery,
    smppServer,
    baseUrl: `http://127.0.0.1:${api.port}`,
    async close() {
      await api.close();
      await smppServer?.close();
      await delivery.stop();
      await reservations?.close();
      await pools?.stop();
      view?.stop();
      await coordinator?.close();
      await redisLimiter?.close();
      clearInterval(sweeper);
      provisioning.close();
      await store.close();
    },
  };
}

export interface Submitted {
  readonly id: string;
  readonly segments: number;
}

/** POST /api/v1/sms as JSON; returns the accepted message (throws on any other answer). */
export async function submit(baseUrl: string, body: Record<string, unknown>): Promise<Submitted> {
  const response = await fetch(`${baseUrl}/api/v1/sms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: 'ACME', ...body }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`submit answered ${response.status}: ${text}`);
  const parsed = JSON.parse(text) as { messages: { id: string; segments: number }[] };
  const first = parsed.messages[0];
  if (first === undefined) throw new Error(`submit answered no message: ${text}`);
  return first;
}

/** GET /api/v1/messages/<id>: the status the client sees. */
export async function statusOf(baseUrl: string, id: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/messages/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const parsed = (await response.json()) as { status?: string };
  return parsed.status ?? `http ${response.status}`;
}
