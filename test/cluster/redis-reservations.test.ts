import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { ReservationLedger } from '../../daemon/dispatch/reservation-ledger.js';
import { startClusterReservations, type ClusterReservations } from '../../daemon/limits/redis-reservations.js';
import { RedisServer, redisAvailable, redisBinary } from './redis-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!check()) {
    assert.ok(Date.now() < giveUpAt, `timed out waiting for ${what}`);
    await sleep(20);
  }
}

if (!redisAvailable()) {
  console.log(`Redis reservation tests not registered: ${redisBinary} is missing (test/services.sh installs redis-server as root)`);
} else {
  let server: RedisServer;
  const running: ClusterReservations[] = [];
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await Promise.all(running.map((r) => r.close()));
    await server.kill();
  });

  /** Two nodes' ledgers exchanging through Redis every 20 ms, client `a` reserved 100/s on both. */
  function twoNodes(keyPrefix: string, reachability: boolean[] = []): [ReservationLedger, ReservationLedger, ClusterReservations] {
    const ledgers = [new ReservationLedger(), new ReservationLedger()] as const;
    const exchanges = ledgers.map((ledger, index) => {
      ledger.setReservation('a', 100);
      const reservations = startClusterReservations({
        connection: { host: '127.0.0.1', port: server.port },
        ledger,
        liveNodes: () => 2,
        keyPrefix,
        exchangeMs: 20,
        ...(index === 0 ? { onReachable: (up: boolean) => reachability.push(up) } : {}),
      });
      running.push(reservations);
      return reservations;
    });
    return [ledgers[0], ledgers[1], exchanges[0] as ClusterReservations];
  }

  test('Redis reservations: what one node sends from a reservation is charged on the other, once', async () => {
    const [first, second] = twoNodes(`rs1-${process.pid}:`);
    // Both nodes have exchanged once (a first count charges nothing).
    await sleep(200);
    const before = second.account('a').available(Date.now());
    first.account('a').charge(30, Date.now(), 0);
    await until('the second node charged', () => second.account('a').tag > 0);
    await sleep(200);
    const now = Date.now();
    assert.ok(Math.abs(second.account('a').tag - 0.3) < 1e-9, `the other's tag moved by 30 / 100: ${second.account('a').tag}`);
    assert.ok(second.account('a').available(now) <= before - 30 + 1e-9 + 100 * 0.5, 'the other node spent 30 of its tokens');
    assert.ok(Math.abs(first.account('a').tag - 0.3) < 1e-9, `the sender is not charged its own sends again: ${first.account('a').tag}`);
    assert.equal(first.account('a').sentReserved, 30);
    assert.equal(second.account('a').sentReserved, 0, 'sends elsewhere are not this node\'s to report');
  });

  test('Redis reservations: each node holds half a reservation while Redis is down, the whole once it is back', async () => {
    const reachability: boolean[] = [];
    const [first, second, reservations] = twoNodes(`rs2-${process.pid}:`, reachability);
    await until('Redis answering', () => reachability.includes(true));
    await server.kill();
    await until('the fallback', () => reservations.state().mode === 'fallback');
    await until('the other node\'s fallback', () => second.account('a').reservedTps === 50);
    assert.equal(first.account('a').reservedTps, 50, 'rate / live nodes');
    // A slow answer on a loaded machine (over 250 ms) counts as a fallback too.
    assert.ok(reservations.state().fallbacks >= 1);
    // Sent within its share while Redis was away: not charged to the other node later.
    first.account('a').charge(20, Date.now(), 0);

    await server.launch();
    await until('back on Redis', () => reservations.state().mode === 'redis' && second.account('a').reservedTps === 100, 10_000);
    assert.equal(first.account('a').reservedTps, 100);
    assert.deepEqual([reachability[0], reachability.at(-2), reachability.at(-1)], [true, false, true], 'the dependency gauge follows');
    await sleep(200);
    assert.equal(second.account('a').tag, 0, 'sends made within the share are not charged after recovery');
    first.account('a').charge(10, Date.now(), first.account('a').tag);
    await until('a send after recovery charged', () => second.account('a').tag > 0);
    assert.ok(Math.abs(second.account('a').tag - 0.1) < 1e-9, `charged 10 / 100: ${second.account('a').tag}`);
  });
}
