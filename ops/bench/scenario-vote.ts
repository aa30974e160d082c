/**
 * MO through a vote scenario: one node on its embedded default (SQLite, durable commits) with the
 * SMSC simulator in the same process. Injects MO votes from distinct numbers at the simulator in
 * waves of `--burst`, and measures until every MO is answered (deliver_sm_resp, i.e. recorded, counted
 * and its reply MT queued) and every reply MT reached the simulator. Prints MO/s and replies/s.
 *
 *   npm run bench:scenario-vote
 *   node dist/ops/bench/scenario-vote.js --mo 5000 --burst 200
 *
 * Progress goes to stderr, and only on a terminal; the figures go to stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { configSchema } from '../../daemon/config/schema.js';
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import { DeliveryService } from '../../daemon/dispatch/delivery-service.js';
import { createLogger } from '../../daemon/log.js';
import { openStore } from '../../daemon/storage/open.js';
import { openProvisioningCache } from '../../daemon/storage/provisioning-cache.js';
import { startSmscSimulator } from '../smsc-sim/simulator.js';
import { progress } from './processes.js';

const { values: args } = parseArgs({ options: { mo: { type: 'string', default: '5000' }, burst: { type: 'string', default: '200' }, binds: { type: 'string', default: '2' } } });
const total = Number(args.mo);
const burst = Number(args.burst);
const SHORT_CODE = '7700';

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'smsproc-bench-scenario-'));
const smsc = await startSmscSimulator({ accounts: [{ systemId: 'bench', password: 'secret', maxBinds: 8 }], receiptDelayMs: 100, captureMessages: 0 });
const config = configSchema.parse({
  node: { id: 'bench' }, store: { sqlitePath: join(dir, 'smsproc.db') }, api: { port: 0 }, log: { level: 'silent' },
  msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 },
});
const logger = createLogger('silent');
const store = await openStore(config);
await store.applyProvisioning([
  {
    op: 'route.put',
    route: {
      id: 'sim' as RouteId, host: '127.0.0.1', port: smsc.address().port, tls: false, systemId: 'bench', password: 'secret', systemType: '',
      bindMode: 'transceiver', binds: Number(args.binds), windowSize: 100, tps: 100_000, defaultDataCoding: 0, gsmPacking: 'unpacked',
      concatenation: 'udh8', receiptIdFormat: 'auto', inDoubtPolicy: 'resend', sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1, disabled: false,
    },
  },
  { op: 'prefix.put', prefix: { prefix: '7', routeId: 'sim' as RouteId } },
  {
    op: 'client.put',
    client: {
      id: 'tv' as ClientId, name: 'TV', login: 'tv', passwordHash: null, urlToken: 'tv-bench-url-token-0123456', virtualPort: null, disabled: false,
      demo: false, allowedIps: [], senders: [], reservedTps: 1000, maxTps: null, maxQueued: 10_000_000, dlrUrl: null, moUrl: null,
      callbackFormat: 'post-json', callbackSecret: 'bench-secret', shortCodes: [SHORT_CODE], keywords: [], moReplyAllowed: false, smpp: null,
    },
  },
  {
    op: 'scenario.put',
    scenario: {
      id: 'vote', clientId: 'tv' as ClientId, disabled: false, bindings: [{ shortCode: SHORT_CODE, keyword: null, forward: false }],
      source: { use: 'vote', params: { options: { A: ['1'], B: ['2'], C: ['3'] } } },
    },
  },
]);
const provisioning = await openProvisioningCache(store, { pollIntervalMs: 1_000, logger });
const delivery = new DeliveryService({ config, store, provisioning, logger });
await delivery.start();
try {
  await waitFor(() => smsc.stats().binds.open === Number(args.binds), 10_000);
  const started = performance.now();
  for (let sent = 0; sent < total; ) {
    const wave = Math.min(burst, total - sent);
    for (let i = 0; i < wave; i += 1) smsc.injectMo({ from: `7900${String(sent + i).padStart(7, '0')}`, to: SHORT_CODE, text: String(1 + ((sent + i) % 3)) });
    sent += wave;
    // Keep at most two waves outstanding, as an SMSC's window would.
    await waitFor(() => smsc.stats().mo.acknowledged >= sent - burst, 120_000);
    progress(`${smsc.stats().mo.acknowledged}/${total} MO answered`);
  }
  await waitFor(() => smsc.stats().mo.acknowledged >= total, 120_000);
  const answeredMs = performance.now() - started;
  await waitFor(() => smsc.stats().submits.total >= total, 120_000);
  const repliedMs = performance.now() - started;
  const results = await store.scenarioResults('vote', { leaderboard: 0 });
  const counted = Object.values(results.tallies).reduce((sum, n) => sum + n, 0);
  process.stdout.write(
    `cpus ${cpus().length} (${cpus()[0]?.model ?? '?'})\n` +
    `mo ${total}  burst ${burst}  binds ${args.binds}\n` +
    `mo_answered_per_s ${(total / (answeredMs / 1000)).toFixed(0)}  replies_at_smsc_per_s ${(total / (repliedMs / 1000)).toFixed(0)}  counted ${counted}\n`,
  );
  if (counted !== total) process.exitCode = 1;
} finally {
  await delivery.stop();
  provisioning.close();
  await store.close();
  await smsc.close();
  rmSync(dir, { recursive: true, force: true });
}
