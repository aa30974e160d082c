import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../daemon/api/server.js';
import { configSchema, type Config } from '../../daemon/config/schema.js';
import { hashPassword, sha256Hex } from '../../daemon/domain/credentials.js';
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import type { ClientRecord, RouteRecord } from '../../daemon/domain/provisioning.js';
import { createLogger, type Logger } from '../../daemon/log.js';
import { openStore } from '../../daemon/storage/open.js';
import type { ProvisioningChange, Store } from '../../daemon/storage/port.js';
import { openProvisioningCache, type ProvisioningCache } from '../../daemon/storage/provisioning-cache.js';

/**
 * A real SQLite store in a temp dir, provisioned with a few clients and routes, and the API built on
 * it, for inject() tests. Not a test file itself.
 */
export const ACME_PASSWORD = 'acme-secret-1';
export const ACME_TOKEN = 'sp_acme_test_token_0123456789abcdef';
export const ACME_URL_TOKEN = 'acme-url-token-0123456789';

export type ClientInput = Omit<ClientRecord, 'virtualPort' | 'apiTokens'> & { readonly virtualPort: number | null };

export function route(id: string, overrides: Partial<RouteRecord> = {}): RouteRecord {
  return {
    id: id as RouteId, host: '127.0.0.1', port: 2775, tls: false, systemId: id, password: 'x', systemType: '',
    bindMode: 'transceiver', binds: 1, windowSize: 10, tps: 100, defaultDataCoding: 0, gsmPacking: 'unpacked',
    concatenation: 'udh8', receiptIdFormat: 'auto', inDoubtPolicy: 'hold', sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1,
    disabled: false, ...overrides,
  };
}

export function client(id: string, overrides: Partial<ClientInput> = {}): ClientInput {
  return {
    id: id as ClientId, name: id, login: id, passwordHash: null, urlToken: `${id}-url-token-0123456789`, virtualPort: null,
    disabled: false, demo: false, allowedIps: ['127.0.0.1', '::1'], senders: ['ACME'], reservedTps: 10, maxTps: null,
    maxQueued: 100_000, dlrUrl: null, moUrl: null, callbackFormat: 'post-json', callbackSecret: 'cb-secret', shortCodes: [],
    keywords: [], moReplyAllowed: false, smpp: null, ...overrides,
  };
}

export interface ApiFixture {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly provisioning: ProvisioningCache;
  readonly config: Config;
  readonly dir: string;
  /** The API's clock; tests move it. */
  now: number;
  close(): Promise<void>;
}

let passwordHashPromise: Promise<string> | null = null;

export async function openApiFixture(
  options: { config?: Record<string, unknown>; extraChanges?: readonly ProvisioningChange[]; logger?: Logger } = {},
): Promise<ApiFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-api-'));
  const config = configSchema.parse({
    store: { sqlitePath: join(dir, 'smsproc.db') },
    msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 },
    api: { trustedProxies: ['10.9.9.9'], maxRecipients: 5, maxBatchSize: 10 },
    log: { level: 'silent' },
    ...options.config,
  });
  const store = await openStore(config);
  passwordHashPromise ??= hashPassword(ACME_PASSWORD);
  const passwordHash = await passwordHashPromise;
  await store.applyProvisioning([
    { op: 'route.put', route: route('mts') },
    { op: 'route.put', route: route('ru') },
    { op: 'route.put', route: route('uk', { concatenation: 'sar' }) },
    { op: 'route.put', route: route('off', { disabled: true }) },
    { op: 'prefix.put', prefix: { prefix: '7', routeId: 'ru' as RouteId } },
    { op: 'prefix.put', prefix: { prefix: '7916', routeId: 'mts' as RouteId } },
    { op: 'prefix.put', prefix: { prefix: '44', routeId: 'uk' as RouteId } },
    { op: 'prefix.put', prefix: { prefix: '1', routeId: 'off' as RouteId } },
    { op: 'overrides.replace', overrides: [{ msisdn: '79160000001', routeId: 'uk' as RouteId }] },
    {
      op: 'client.put',
      client: client('acme', {
        passwordHash, urlToken: ACME_URL_TOKEN, senders: ['ACME', 'Bank'],
        allowedIps: ['127.0.0.1', '::1', '10.0.0.0/8', '2001:db8::/32', '::ffff:192.168.7.7'],
      }),
    },
    { op: 'apiToken.add', clientId: 'acme' as ClientId, token: { id: 't1', sha256: sha256Hex(ACME_TOKEN), createdAt: new Date(0), label: 'test' } },
    { op: 'client.put', client: client('demo', { demo: true, passwordHash, senders: [] }) },
    { op: 'client.put', client: client('slow', { passwordHash, maxTps: 2 }) },
    { op: 'client.put', client: client('small', { passwordHash, maxQueued: 3 }) },
    { op: 'client.put', client: client('off', { passwordHash, disabled: true }) },
    { op: 'client.put', client: client('elsewhere', { passwordHash, allowedIps: ['192.0.2.10'] }) },
    ...(options.extraChanges ?? []),
  ]);
  const logger = options.logger ?? createLogger('silent');
  const provisioning = await openProvisioningCache(store, { pollIntervalMs: config.provisioning.pollIntervalMs, logger });
  const fixture: ApiFixture = {
    app: undefined as unknown as FastifyInstance,
    store,
    provisioning,
    config,
    dir,
    now: Date.now(),
    async close() {
      await fixture.app.close();
      provisioning.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  (fixture as { app: FastifyInstance }).app = buildApi({ config, store, provisioning, logger, clock: () => fixture.now });
  return fixture;
}

/** HTTP Basic for a login and the fixture password. */
export function basic(login: string, password = ACME_PASSWORD): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}
