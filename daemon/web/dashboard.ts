import { bindName } from '../../cluster/planner.js';
import type { ClusterReport } from '../cluster/cluster-view.js';
import type { BindStatus } from '../dispatch/bind-loop.js';
import type { ClientId } from '../domain/ids.js';
import type { QueueDepth } from '../storage/port.js';
import type { CallbackQueueDepth } from '../storage/stats-port.js';
import { RATE_WINDOW_MS } from './client-stats.js';
import type { LiveSource } from './live-feed.js';
import { dictionaryOf, languages, type Lang, type TextKey } from './i18n.js';
import { formatTime, type LiveUpdate } from './live-text.js';
import type { WebContext } from './web-context.js';

/**
 * The operator dashboard (docs/web.md): the node, the cluster as its coordinator sees it (live nodes,
 * bind and pool owners with their epochs, recent failovers), every bind this node runs, queue depths,
 * clients' rates against their reservations, callbacks. A cluster view the coordinator did not
 * confirm (etcd unreachable, or a worker's copy gone late) is marked not current, with its time.
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

/** The cluster as this node's coordinator last reported it (in a worker: as the primary last sent it); null before any. */
export type ClusterReadout = () => ClusterReport | null;

/** A worker's copy of the primary's report older than this is not current (the primary sends one each second). */
export const LATE_REPORT_MS = 5000;

/** Why the cluster view is not current; null when it is. */
export type ClusterStaleness = 'coordinator-unreachable' | 'coordinator-stopped' | 'report-late' | 'no-report';

export interface ClusterSection {
  /** cluster: as the coordinator answered just now; unavailable: it did not (see `staleness`), the lists are the last known. */
  readonly scope: 'cluster' | 'unavailable';
  readonly staleness: ClusterStaleness | null;
  readonly coordinator: 'local' | 'etcd' | null;
  /** The same, in words (English). */
  readonly note: string;
  /** When the coordinator last confirmed the lists (ISO), null if never. */
  readonly asOf: string | null;
  readonly nodes: readonly { readonly id: string; readonly site: string; readonly weight: number; readonly state: 'live' | 'draining'; readonly bindsOwned: number; readonly self: boolean }[];
  /** Every bind of an enabled route, and every other bind someone owns, with its owner (null: none) and fencing epoch. */
  readonly binds: readonly { readonly resource: string; readonly owner: string | null; readonly epoch: number | null; readonly ownerLive: boolean; readonly pinnedTo: string | null }[];
  readonly pools: readonly { readonly name: string; readonly nodes: readonly string[]; readonly active: string | null; readonly epoch: number | null }[];
  /** Ownership changes this node saw, newest first: takeovers (the previous owner was gone) and handovers. */
  readonly failovers: readonly { readonly at: string; readonly resource: string; readonly from: string | null; readonly to: string; readonly epoch: number; readonly kind: 'takeover' | 'handover' }[];
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
  readonly cluster: ClusterSection;
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

  constructor(
    private readonly context: WebContext,
    private readonly delivery: DeliveryReadout | null,
    private readonly cluster: ClusterReadout,
    private readonly startedAt: number,
  ) {}

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
      cluster: clusterSection(this.cluster(), now, provisioning.snapshot.routes),
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

const noteKeys: Readonly<Record<ClusterStaleness | 'local' | 'etcd', TextKey>> = {
  local: 'clusterLocal',
  etcd: 'clusterCurrent',
  'coordinator-unreachable': 'clusterUnreachable',
  'coordinator-stopped': 'clusterStopped',
  'report-late': 'clusterReportLate',
  'no-report': 'clusterNoReport',
};

/** The cluster note in one language, with the time the lists are as of. */
function clusterNote(section: Pick<ClusterSection, 'staleness' | 'coordinator' | 'asOf'>, lang: Lang): string {
  const key = noteKeys[section.staleness ?? section.coordinator ?? 'no-report'];
  return dictionaryOf(lang)[key].replace('{asOf}', section.asOf === null ? '—' : formatTime(new Date(section.asOf)));
}

const numeric = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/** The dashboard's cluster part from the coordinator's report; `routes` names the binds that should have an owner. Pure. */
export function clusterSection(report: ClusterReport | null, now: number, routes: readonly { readonly id: string; readonly binds: number; readonly disabled: boolean }[]): ClusterSection {
  let staleness: ClusterStaleness | null = null;
  if (report === null) staleness = 'no-report';
  else if (now - report.takenAt > LATE_REPORT_MS) staleness = 'report-late';
  else if (report.phase === 'fenced') staleness = 'coordinator-unreachable';
  else if (report.phase !== 'live') staleness = 'coordinator-stopped';
  const asOfMs = report === null ? null : report.phase === 'live' ? report.takenAt : report.liveAt;
  const nodes = report?.nodes ?? [];
  const owners = new Map((report?.owners ?? []).map((record) => [record.resource, record]));
  const pins = new Map((report?.pins ?? []).map((pin) => [pin.resource, pin.nodeId]));
  const live = new Set(nodes.map((node) => node.id));
  const bindResources = new Set<string>();
  for (const route of routes) if (!route.disabled) for (let i = 0; i < route.binds; i++) bindResources.add(bindName(route.id, i));
  for (const resource of owners.keys()) if (resource.startsWith('route/')) bindResources.add(resource);
  const section: Omit<ClusterSection, 'note'> = {
    scope: staleness === null ? 'cluster' : 'unavailable',
    staleness,
    coordinator: report?.coordinator ?? null,
    asOf: asOfMs === null ? null : new Date(asOfMs).toISOString(),
    nodes: [...nodes].sort((a, b) => a.site.localeCompare(b.site) || numeric(a.id, b.id)).map((node) => ({
      id: node.id,
      site: node.site,
      weight: node.weight,
      state: node.weight === 0 ? 'draining' : 'live',
      bindsOwned: [...owners.values()].filter((record) => record.nodeId === node.id && record.resource.startsWith('route/')).length,
      self: node.id === report?.self,
    })),
    binds: [...bindResources].sort(numeric).map((resource) => {
      const owner = owners.get(resource);
      return { resource, owner: owner?.nodeId ?? null, epoch: owner?.epoch ?? null, ownerLive: owner !== undefined && live.has(owner.nodeId), pinnedTo: pins.get(resource) ?? null };
    }),
    pools: report?.pools ?? [],
    failovers: (report?.changes ?? []).map((change) => ({ ...change, at: new Date(change.at).toISOString() })),
  };
  return { ...section, note: clusterNote(section, 'en') };
}

function age(since: Date, now: number): string {
  return String(Math.max(0, Math.round((now - since.getTime()) / 1000)));
}

export function dashboardText(snapshot: DashboardSnapshot, now: number): LiveUpdate {
  const { cluster } = snapshot;
  const dash = (value: string | number | null): string => (value === null ? '—' : String(value));
  return {
    text: {
      // The one live stream serves every operator: the note goes in each language, the page shows its own.
      ...Object.fromEntries(languages.map((lang) => [`clusterNote-${lang}`, clusterNote(cluster, lang)])),
      clusterScope: cluster.scope,
      clusterCoordinator: dash(cluster.coordinator),
      clusterAsOf: cluster.asOf === null ? '—' : formatTime(new Date(cluster.asOf)),
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
      nodes: cluster.nodes.map((node) => [node.id, node.site, String(node.weight), node.state, String(node.bindsOwned)]),
      bindOwners: cluster.binds.map((bind) => [bind.resource, dash(bind.owner), dash(bind.epoch), bind.owner === null ? '—' : bind.ownerLive ? 'yes' : 'no', bind.pinnedTo ?? '']),
      pools: cluster.pools.map((pool) => [pool.name, pool.nodes.join(' / '), dash(pool.active), dash(pool.epoch)]),
      failovers: cluster.failovers.map((event) => [formatTime(new Date(event.at)), event.resource, dash(event.from), event.to, String(event.epoch), event.kind]),
    },
  };
}
