import type { RedisOptions } from 'ioredis';
import { luaScript, openFailFastRedis } from './fail-fast-redis.js';
import { redisConnectionOf } from '../cluster/node-cluster.js';
import type { Config } from '../config/schema.js';
import { ReservationExchange } from '../dispatch/reservation-exchange.js';
import { ReservationLedger } from '../dispatch/reservation-ledger.js';
import type { Logger } from '../log.js';
import { exchangeScript } from './redis-reservation-script.js';

/** Where this node's reservations stand, for metrics and the dashboard. */
export interface ClusterReservationsState {
  /** 'redis': counted cluster-wide; 'fallback': each reservation divided by the live nodes, here. */
  readonly mode: 'redis' | 'fallback';
  readonly sinceMs: number;
  readonly fallbacks: number;
}

export interface ClusterReservations {
  state(): ClusterReservationsState;
  close(): Promise<void>;
}

export interface ClusterReservationsOptions {
  readonly connection: RedisOptions;
  /** The node's ledger, shared by its route schedulers. */
  readonly ledger: ReservationLedger;
  /** How many nodes are alive (the coordinator's membership): the fallback's share is 1 / this. */
  readonly liveNodes: () => number;
  /** Key prefix (default `smsproc:`); the counts live in `<prefix>reserved`. */
  readonly keyPrefix?: string;
  /** How often the node reports its reserved sends and reads the others' (default 100 ms). */
  readonly exchangeMs?: number;
  /** A Redis answer slower than this counts as unreachable (default 250 ms). */
  readonly commandTimeoutMs?: number;
  /** Told when Redis starts or stops answering (the `smsproc_dependency_up{dependency="redis"}` gauge). */
  readonly onReachable?: (reachable: boolean) => void;
  readonly log?: Logger;
}

/**
 * Reservations held for each client across the cluster (docs/scheduling.md, "Across nodes"): every
 * `exchangeMs` the node adds its reserved sends to a count per client in Redis (one Lua script) and is
 * charged in its ledger what the others sent, so every node's scheduler sees the client's whole
 * reserved service while its hot path stays synchronous. While Redis does not answer, each node
 * gives every reservation divided by the live nodes, logs it and says so in `state()`; it goes back
 * to the counts as soon as Redis answers.
 */
export function startClusterReservations(options: ClusterReservationsOptions): ClusterReservations {
  const key = `${options.keyPrefix ?? 'smsproc:'}reserved`;
  const exchangeMs = options.exchangeMs ?? 100;
  const redis = openFailFastRedis(options.connection, options.commandTimeoutMs ?? 250);
  const exchange = new ReservationExchange(options.ledger);
  let state: ClusterReservationsState = { mode: 'redis', sinceMs: Date.now(), fallbacks: 0 };
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let announced: boolean | null = null;

  function announce(reachable: boolean): void {
    if (announced === reachable) return;
    announced = reachable;
    options.onReachable?.(reachable);
  }

  const runExchange = luaScript(redis, exchangeScript);

  function fallBack(error: unknown): void {
    exchange.forget();
    // The live nodes may change while Redis is away: the share follows them.
    options.ledger.setShare(1 / Math.max(1, options.liveNodes()));
    announce(false);
    if (state.mode === 'fallback') return;
    state = { mode: 'fallback', sinceMs: Date.now(), fallbacks: state.fallbacks + 1 };
    options.log?.warn({ error: String(error), liveNodes: options.liveNodes() }, 'Redis unreachable: each reservation falls back to this node\'s share');
  }

  async function exchangeOnce(): Promise<void> {
    const reports = exchange.reports();
    // A connection being made says nothing yet: the mode stays as it is until it is made or fails.
    // Without reserved clients the script still runs (with no arguments): it tells whether Redis answers.
    if (redis.status === 'connecting' || redis.status === 'connect') return;
    if (redis.status !== 'ready') throw new Error(`connection ${redis.status}`);
    const totals = (await runExchange(key, reports.flatMap((report) => [report.clientId, String(report.sent)]))) as number[];
    // After a fallback the exchange has forgotten the counts: this answer starts afresh, charging nothing.
    exchange.apply(reports, totals.map(Number), Date.now());
    announce(true);
    if (state.mode === 'fallback') {
      options.ledger.setShare(1);
      state = { mode: 'redis', sinceMs: Date.now(), fallbacks: state.fallbacks };
      options.log?.info('Redis reachable again: reservations are cluster-wide');
    }
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      exchangeOnce()
        .catch(fallBack)
        .finally(schedule);
    }, exchangeMs);
  }
  schedule();

  return {
    state: () => state,
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      redis.disconnect();
      return Promise.resolve();
    },
  };
}

/**
 * The node's reservation ledger, for its DeliveryService: counted across the cluster through Redis
 * when `limits.redisUrl` is set, this node's alone otherwise (a single node, or every node granting
 * each reservation whole). `close` stops the exchange; call it after delivery stopped.
 */
export function openReservationLedger(
  config: Config,
  deps: Pick<ClusterReservationsOptions, 'liveNodes' | 'onReachable' | 'log'>,
): { readonly ledger: ReservationLedger; readonly reservations: ClusterReservations | null; close(): Promise<void> } {
  const ledger = new ReservationLedger();
  const { redisUrl } = config.limits;
  const reservations = redisUrl === null ? null : startClusterReservations({ connection: redisConnectionOf(redisUrl), ledger, ...deps });
  return { ledger, reservations, close: async () => reservations?.close() };
}
