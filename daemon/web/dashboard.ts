import type { BindStatus } from '../dispatch/bind-loop.js';
import type { ClientId } from '../domain/ids.js';
import type { QueueDepth } from '../storage/port.js';
import type { CallbackQueueDepth } from '../storage/stats-port.js';
import { RATE_WINDOW_MS } from './client-stats.js';
import type { LiveSource } from './live-feed.js';
import { formatTime, type LiveUpdate } from './live-text.js';
import type { WebContext } from './web-context.js';

/**
 * The operator dashboard's view of this node (docs/web.md): the node, every bind it runs, queue
 * depths, clients' rates against their reservations, callbacks. Cluster-wide views (other nodes,
 * failovers) wait for the coordinator: the snapshot says so rather than showing nothing.
 */

/** What delivery tells the dashboard; DeliveryService provides it. */
export interface DeliveryReadout {
  bindStatuses(): readonly BindStatus[];
  readonly callbacksInFlight: number;
}

export interface BindView extends BindStatus {
  /** The node that holds the bind (this node, until the coordinator hands binds out). */
  readonly owner: string;
  /** Submits per second measured between the last two snapshots. */
  readonly currentTps: number;
  readonly throttled: boolean;
}

export interface ClientView {
  readonly clientId: ClientId;
  readonly name: string;
  readonly ratePerS: number;
  readonly reservedTps: number;
  readonly queued: number;
  readonly callbackBacklog: number;
  readonly deadLetters: number;
}

export interface DashboardSnapshot {
  readonly at: string;
  readonly node: {
    readonly id: string;
    readonly site: string;
    readonly health: 'ok' | 'store-unavailable';
    readonly uptimeS: number;
    readonly provisioningVersion: number;
  };
  readonly cluster: { readonly scope: 'this-node'; readonly note: string; readonly nodes: readonly { readonly id: string; readonly site: string }[]; readonly failovers: readonly never[] };
  readonly binds: readonly BindView[];
  readonly queues: { readonly mt: readonly QueueDepth[]; readonly callbacks: readonly CallbackQueueDepth[] };
  readonly clients: readonly ClientView[];
  readonly callbacks: { readonly backlog: number; readonly dead: number; readonly inFlight: number };
}

/** Submit counters sampled at each snapshot; the rate is the change over at least half a second. */
class BindRateMeter {
  private readonly samples = new Map<string, { at: number; submits: number; tps: number }>();

  rate(bindId: string, submits: number, now: number): number {
    const previous = this.samples.get(bindId);
    if (previous === undefined || submits < previous.submits) {
      this.samples.set(bindId, { at: now, submits, tps: 0 });
      return 0;
    }
    if (now - previous.at < 500) return previous.tps;
    const tps = Math.round(((submits - previous.submits) * 1000) / (now - previous.at) * 10) / 10;
    this.samples.set(bindId, { at: now, submits, tps });
    return tps;
  }
}

export class Dashboard implements LiveSource {
  private readonly meter = new BindRateMeter();

  constructor(private readonly context: WebContext, private readonly delivery: DeliveryReadout | null, private readonly startedAt: number) {}

  async snapshot(): Promise<DashboardSnapshot> {
    const { store, provisioning, config, clock } = this.context;
    const now = clock();
    let health: DashboardSnapshot['node']['health'] = 'ok';
    const [mt, callbackDepth, rates, queued, backlog] = await Promise.all([
      store.queueDepth(),
      store.callbackDepth(),
      store.statsReport('client', { clientId: null, since: new Date(now - RATE_WINDOW_MS), until: new Date(now + 1) }),
      store.queuedByClient(),
      store.callbackBacklog(),
    ]).catch((error: unknown) => {
      this.context.logger.warn({ err: error }, 'dashboard: store unavailable');
      health = 'store-unavailable';
      return [[], [], [], new Map<ClientId, number>(), new Map<ClientId, number>()] as const;
    });
    const binds = (this.delivery?.bindStatuses() ?? []).map((bind): BindView => ({
      ...bind,
      owner: config.node.id,
      currentTps: this.meter.rate(bind.bindId, bind.counters.submitsSent, now),
      throttled: bind.allowedTps < bind.configuredTps,
    }));
    const rateOf = new Map(rates.map((row) => [row.key, row.segments / (RATE_WINDOW_MS / 1000)]));
    const deadOf = new Map<string, number>();
    for (const row of callbackDepth) if (row.state === 'dead') deadOf.set(row.clientId, row.events);
    const clients = provisioning.snapshot.clients.map((client): ClientView => ({
      clientId: client.id,
      name: client.name,
      ratePerS: Math.round((rateOf.get(client.id) ?? 0) * 10) / 10,
      reservedTps: client.reservedTps,
      queued: queued.get(client.id) ?? 0,
      callbackBacklog: backlog.get(client.id) ?? 0,
      deadLetters: deadOf.get(client.id) ?? 0,
    }));
    const sum = (values: Iterable<number>): number => [...values].reduce((total, value) => total + value, 0);
    return {
      at: new Date(now).toISOString(),
      node: { id: config.node.id, site: config.node.site, health, uptimeS: Math.round((now - this.startedAt) / 1000), provisioningVersion: provisioning.version },
      cluster: {
        scope: 'this-node',
        note: 'cluster coordination is not built yet: this node only, no failover events',
        nodes: [{ id: config.node.id, site: config.node.site }],
        failovers: [],
      },
      binds,
      queues: { mt, callbacks: callbackDepth },
      clients,
      callbacks: { backlog: sum(backlog.values()), dead: sum(deadOf.values()), inFlight: this.delivery?.callbacksInFlight ?? 0 },
    };
  }

  /** The live update of the dashboard page: its figures and table rows as text. */
  async compute(): Promise<LiveUpdate> {
    return dashboardText(await this.snapshot(), this.context.clock());
  }
}

function age(since: Date, now: number): string {
  return String(Math.max(0, Math.round((now - since.getTime()) / 1000)));
}

export function dashboardText(snapshot: DashboardSnapshot, now: number): LiveUpdate {
  return {
    text: {
      at: snapshot.at.slice(11, 19),
      nodeId: snapshot.node.id,
      site: snapshot.node.site,
      health: snapshot.node.health,
      uptime: String(snapshot.node.uptimeS),
      callbackBacklog: String(snapshot.callbacks.backlog),
      deadLetters: String(snapshot.callbacks.dead),
      callbacksInFlight: String(snapshot.callbacks.inFlight),
    },
    tables: {
      binds: snapshot.binds.map((bind) => [
        bind.bindId, bind.owner, bind.receiverState === null ? bind.state : `${bind.state} / ${bind.receiverState}`, String(bind.epoch),
        `${bind.windowUsed}/${bind.windowSize}`, `${bind.currentTps} / ${bind.allowedTps.toFixed(0)} / ${bind.configuredTps}`,
        bind.throttled ? `yes (${bind.counters.throttledResponses})` : `no (${bind.counters.throttledResponses})`,
        `${bind.counters.timeouts}, ${bind.counters.malformedPdus}, ${bind.counters.unknownResponses}`,
      ]),
      mtQueues: snapshot.queues.mt.map((row) => [row.routeId, row.state, String(row.messages), age(row.oldestAcceptedAt, now)]),
      callbackQueues: snapshot.queues.callbacks.map((row) => [row.clientId, row.state, String(row.events), age(row.oldestCreatedAt, now)]),
      clients: snapshot.clients.map((client) => [
        client.clientId, client.name, client.ratePerS.toFixed(1), String(client.reservedTps), String(client.queued),
        String(client.callbackBacklog), String(client.deadLetters),
      ]),
      nodes: snapshot.cluster.nodes.map((node) => [node.id, node.site, snapshot.node.health, formatTime(new Date(snapshot.at))]),
    },
  };
}
