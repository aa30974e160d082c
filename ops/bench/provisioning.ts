import { loadConfig } from '../../daemon/config/load.js';
import { sha256Hex } from '../../daemon/domain/credentials.js';
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import { openStore } from '../../daemon/storage/open.js';

export interface BenchProvisioning {
  readonly dbPath: string;
  /** The API token the load generator authenticates with. */
  readonly token: string;
  readonly smscPort: number;
  readonly binds: number;
  readonly windowSize: number;
  /** Where the bench client's receipt callbacks go; null for none. */
  readonly dlrUrl: string | null;
  /** SMPP access for the bench client (system_id `bench`); absent for none. */
  readonly smppPasswordHash?: string;
  /** SMSPROC_STORE_* settings naming another store than the SQLite file at dbPath (PostgreSQL). */
  readonly storeEnv?: Readonly<Record<string, string>>;
}

/** One route `bench` serving numbers starting with 7 and one client `bench` (sender BENCH), with an API token. */
export async function provisionBench(options: BenchProvisioning): Promise<void> {
  const store = await openStore(loadConfig({ env: { SMSPROC_STORE_SQLITE_PATH: options.dbPath, ...options.storeEnv } }));
  try {
    await store.applyProvisioning([
      {
        op: 'route.put',
        route: {
          id: 'bench' as RouteId, host: '127.0.0.1', port: options.smscPort, tls: false, systemId: 'smsproc', password: 'smsproc',
          systemType: '', bindMode: 'transceiver', binds: options.binds, windowSize: options.windowSize, tps: 100_000,
          defaultDataCoding: 0, gsmPacking: 'unpacked', concatenation: 'udh8', receiptIdFormat: 'auto', inDoubtPolicy: 'hold',
          sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1, disabled: false,
        },
      },
      { op: 'prefix.put', prefix: { prefix: '7', routeId: 'bench' as RouteId } },
      {
        op: 'client.put',
        client: {
          id: 'bench' as ClientId, name: 'Benchmark', login: 'bench', passwordHash: null, urlToken: 'bench-url-token',
          virtualPort: null, disabled: false, demo: false, allowedIps: ['127.0.0.1', '::1'], senders: ['BENCH'],
          reservedTps: 1000, maxTps: null, maxQueued: 100_000_000, dlrUrl: options.dlrUrl, moUrl: null,
          callbackFormat: 'post-json', callbackSecret: 'bench', shortCodes: [], keywords: [], moReplyAllowed: false,
          smpp: options.smppPasswordHash === undefined ? null : { systemId: 'bench', passwordHash: options.smppPasswordHash, maxBinds: 4, enabled: true },
        },
      },
      { op: 'apiToken.add', clientId: 'bench' as ClientId, token: { id: 'bench', sha256: sha256Hex(options.token), createdAt: new Date(), label: 'bench' } },
    ]);
  } finally {
    await store.close();
  }
}
