import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from './config/schema.js';
import { hashPassword, newApiToken, newUrlToken, sha256Hex } from './domain/credentials.js';
import type { ClientId, RouteId } from './domain/ids.js';
import { randomBytes } from 'node:crypto';
import type { Store } from './storage/port.js';
import type { Logger } from './log.js';
import { startSmscSimulator, type SmscSimulator } from '../ops/smsc-sim/simulator.js';

/** What `npm start` prints so that a first SMS can be sent with curl; kept beside the database (mode 0600). */
export interface DemoCredentials {
  readonly login: string;
  readonly password: string;
  readonly apiToken: string;
  readonly urlToken: string;
}

const DEMO_CLIENT = 'demo' as ClientId;
const SIMULATOR_ROUTE = 'sim' as RouteId;

function credentialsFile(config: Config): string {
  return join(dirname(config.store.sqlitePath), 'demo-client.json');
}

/**
 * On an empty store, provisions what the embedded default needs to be tried at once: a route to the
 * built-in SMSC simulator serving every number, and a demo client allowed from loopback. A store
 * that already holds clients or routes is left alone. Returns the demo credentials, or null when
 * the store was provisioned by someone else.
 */
export async function seedEmbeddedDemo(store: Store, config: Config, simulatorPort: number): Promise<DemoCredentials | null> {
  const file = credentialsFile(config);
  const snapshot = await store.loadProvisioning();
  if (snapshot.clients.length > 0 || snapshot.routes.length > 0) {
    if (!existsSync(file)) return null;
    return JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
  }
  const credentials: DemoCredentials = {
    login: 'demo',
    password: randomBytes(9).toString('base64url'),
    apiToken: newApiToken(),
    urlToken: newUrlToken(),
  };
  await store.applyProvisioning([
    {
      op: 'route.put',
      route: {
        id: SIMULATOR_ROUTE, host: '127.0.0.1', port: simulatorPort, tls: false, systemId: 'smsproc', password: 'smsproc',
        systemType: '', bindMode: 'transceiver', binds: 1, windowSize: 100, tps: 1000, defaultDataCoding: 0,
        gsmPacking: 'unpacked', concatenation: 'udh8', receiptIdFormat: 'auto', inDoubtPolicy: 'hold',
        sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1, disabled: false,
      },
    },
    ...['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((prefix) => ({ op: 'prefix.put' as const, prefix: { prefix, routeId: SIMULATOR_ROUTE } })),
    {
      op: 'client.put',
      client: {
        id: DEMO_CLIENT, name: 'Demo account', login: credentials.login, passwordHash: await hashPassword(credentials.password),
        urlToken: credentials.urlToken, virtualPort: null, disabled: false, demo: true, allowedIps: ['127.0.0.1', '::1'],
        senders: [], reservedTps: 10, maxTps: 10, maxQueued: 1000, dlrUrl: null, moUrl: null, callbackFormat: 'post-json',
        callbackSecret: randomBytes(16).toString('hex'), shortCodes: [], keywords: [], moReplyAllowed: false, smpp: null,
      },
    },
    { op: 'apiToken.add', clientId: DEMO_CLIENT, token: { id: 'demo', sha256: sha256Hex(credentials.apiToken), createdAt: new Date(), label: 'npm start' } },
  ]);
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return credentials;
}

/**
 * The SMSC the demo route binds to: the account of the seeded route, a receipt (DELIVRD) 100 ms after
 * each submit. Started before delivery, closed after it.
 */
export function startDemoSimulator(port: number, logger: Logger): Promise<SmscSimulator> {
  return startSmscSimulator({
    host: '127.0.0.1',
    port,
    accounts: [{ systemId: 'smsproc', password: 'smsproc', maxBinds: 2 }],
    receiptDelayMs: 100,
    logger: logger.child({ component: 'smsc-sim' }),
  });
}
