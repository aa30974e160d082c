import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { waitFor } from '../e2e/callback-harness.js';
import { submit } from '../e2e/deliver-harness.js';
import { clusterServicesMissing, withClusterServices } from './cluster-services.js';
import { redisAvailable, redisBinary, RedisServer } from './redis-server.js';

/**
 * The client intake ceiling (maxTps) holds for the client as a whole across nodes: two smsproc nodes
 * (child processes, etcd coordinator, one PostgreSQL schema) take their intake from one Redis bucket
 * (a redis-server started here). One client floods both nodes' HTTP API for 3 s; the messages
 * accepted by both together stay within 5 % of the bucket's allowance (burst + rate × time), where two
 * per-node buckets would allow twice as much.
 */
// Low enough that the flood exceeds it even when the loaded CI machine answers slowly.
const MAX_TPS = 30;
const FLOOD_LANES = 24;
const FLOOD_MS = 3000;

const missing = await clusterServicesMissing();
if (missing !== null) {
  console.log(`cluster intake-limit test not registered: ${missing}`);
} else if (!redisAvailable()) {
  console.log(`cluster intake-limit test not registered: ${redisBinary} is missing (test/services.sh installs redis-server as root)`);
} else {
  test('two nodes share one client intake ceiling through Redis (within 5 %)', { timeout: 120_000 }, async () => {
    const redis = await RedisServer.start();
    try {
      await withClusterServices('il', 1, async ({ owners, nodes, startNode }) => {
        for (const [id, site] of [['n1', 'a'], ['n2', 'b']] as const) {
          await startNode(id, site, { route: { binds: 1, windowSize: 10, tps: 500 }, clientMaxTps: MAX_TPS, redisPort: redis.port });
        }
        await waitFor('the bind owned', async () => (await owners.ownerOf('route/sim/bind/0')) !== null, 30_000);

        // Warm connections on both nodes, then let the bucket fill again (one second's worth).
        for (const node of nodes) await submit(node.baseUrl, { to: '79160000000', text: 'warm-up' });
        await new Promise((resolve) => setTimeout(resolve, 1500));

        const acceptedBy = new Map<string, number>(nodes.map((n) => [n.id, 0]));
        let refused = 0;
        let other = 0;
        // Each take happened between its request's start and its answer: bound the window both ways.
        let firstAccepted: { start: number; end: number } | null = null;
        let lastAccepted = { start: 0, end: 0 };
        const startedAt = Date.now();
        const lane = async (lane: number): Promise<void> => {
          for (let i = 0; Date.now() - startedAt < FLOOD_MS; i++) {
            const node = nodes[(lane + i) % nodes.length]!;
            const start = Date.now();
            try {
              await submit(node.baseUrl, { to: `7916${String(lane * 100_000 + i).padStart(7, '0')}`, text: 'flood' });
              acceptedBy.set(node.id, acceptedBy.get(node.id)! + 1);
              const end = Date.now();
              if (firstAccepted === null || end < firstAccepted.end) firstAccepted = { start, end };
              if (start > lastAccepted.start) lastAccepted = { start, end };
            } catch (error) {
              if (/answered 429/.test((error as Error).message)) refused++;
              else other++;
            }
          }
        };
        await Promise.all(Array.from({ length: FLOOD_LANES }, (_, i) => lane(i)));
        const accepted = [...acceptedBy.values()].reduce((sum, n) => sum + n, 0);
        assert.ok(firstAccepted !== null, 'some messages accepted');
        const first: { start: number; end: number } = firstAccepted;
        // The bucket is full (one second's worth) at the first take, then refills at the rate.
        const least = MAX_TPS + (MAX_TPS * (lastAccepted.start - first.end)) / 1000;
        const most = MAX_TPS + (MAX_TPS * (lastAccepted.end - first.start)) / 1000;
        console.log(`intake across 2 nodes: ${accepted} accepted (${[...acceptedBy].map(([id, n]) => `${id} ${n}`).join(', ')}), ${refused} refused in ${((Date.now() - startedAt) / 1000).toFixed(2)} s; allowance ${least.toFixed(0)}–${most.toFixed(0)} (maxTps ${MAX_TPS}, one Redis bucket)`);
        assert.equal(other, 0, 'every request was accepted or refused for the rate');
        assert.ok(refused > MAX_TPS, 'the flood exceeded the ceiling');
        assert.ok([...acceptedBy.values()].every((n) => n > MAX_TPS / 4), 'both nodes accepted a share');
        assert.ok(accepted >= least * 0.95 && accepted <= most * 1.05, `${accepted} accepted, within 5 % of the allowance ${least.toFixed(0)}–${most.toFixed(0)}`);
      });
    } finally {
      await redis.kill();
    }
  });
}
