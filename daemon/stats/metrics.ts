/**
 * The node's Prometheus registry (docs/metrics.md): counters and histograms fed through the event
 * interfaces of metric-events.ts, gauges read from the Store when Prometheus scrapes, and Node's
 * default process metrics. Per-client series only as client-series.ts admits them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { Store, SweepResult } from '../storage/port.js';
import { createClientSeries, type ClientSeries } from './client-series.js';
import type { AcceptanceEvents, BindEvents, CallbackEvents, ClusterEvents, DeliveryEvents, FencingReason, InboundEvents } from './metric-events.js';

export interface Metrics {
  readonly registry: Registry;
  readonly acceptance: AcceptanceEvents;
  readonly delivery: DeliveryEvents;
  readonly cluster: ClusterEvents;
  /** Counts what a queue sweep did (expired, in doubt, unmatched receipts). */
  swept(result: SweepResult): void;
}

export interface MetricsDeps {
  readonly config: Pick<Config, 'metrics' | 'node'>;
  readonly store: Pick<Store, 'queueDepth' | 'callbackBacklog' | 'queuedByClient' | 'waitingSmppCallbacks'>;
  /** Milliseconds since the epoch, for queue ages. */
  readonly clock?: () => number;
  /** Node's process metrics (CPU, memory, event loop lag, handles); off in tests that build many registries. */
  readonly defaultMetrics?: boolean;
  /**
   * The gauges read from the store at scrape (default true). A worker of `cluster.workers` > 1 leaves
   * them out: its primary reports them once for the node, and the aggregation would sum them.
   */
  readonly storeGauges?: boolean;
}

/** SMPP round trips: from 1 ms on loopback to the 10 s+ of an overloaded SMSC. */
const submitBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Client endpoints: a fast local receiver to the 10 s request timeout. */
const callbackBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const fencingReasons: readonly FencingReason[] = ['stale_epoch', 'lease_lost'];

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ node: deps.config.node.id });
  if (deps.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const clock = deps.clock ?? Date.now;
  const clients = createClientSeries(deps.config.metrics.perClientSeries, deps.config.metrics.maxClientSeries);
  const registers = [registry];

  const accepted = new Counter({ name: 'smsproc_accepted_messages_total', help: 'Messages accepted (durable) by the client API, by route.', labelNames: ['route'], registers });
  const acceptedSegments = new Counter({ name: 'smsproc_accepted_segments_total', help: 'SMS segments of the accepted messages, by route.', labelNames: ['route'], registers });
  const refused = new Counter({ name: 'smsproc_api_refused_total', help: 'Requests (or batch items) refused by the client API, by error code name.', labelNames: ['code'], registers });
  const clientAccepted = new Counter({ name: 'smsproc_client_accepted_messages_total', help: 'Messages accepted per client (only with metrics.perClientSeries).', labelNames: ['client'], registers });

  const bindUp = new Gauge({ name: 'smsproc_bind_up', help: '1 while the bind is bound to its SMSC, 0 otherwise.', labelNames: ['route', 'bind'], registers });
  const submittedMessages = new Counter({ name: 'smsproc_submitted_messages_total', help: 'Messages acked by the SMSC (every segment accepted), by route and bind.', labelNames: ['route', 'bind'], registers });
  const submittedSegments = new Counter({ name: 'smsproc_submitted_segments_total', help: 'Segments accepted by the SMSC (submit_sm_resp OK), by route and bind.', labelNames: ['route', 'bind'], registers });
  const submitSeconds = new Histogram({ name: 'smsproc_submit_duration_seconds', help: 'submit_sm to its successful submit_sm_resp, per segment.', labelNames: ['route', 'bind'], buckets: submitBuckets, registers });
  const submitErrors = new Counter({ name: 'smsproc_submit_errors_total', help: 'Segment submits that failed, by route, bind and kind.', labelNames: ['route', 'bind', 'kind'], registers });
  const throttled = new Counter({ name: 'smsproc_throttled_total', help: 'Times the SMSC throttled a bind (ESME_RTHROTTLED, ESME_RMSGQFUL).', labelNames: ['route', 'bind'], registers });

  const receipts = new Counter({ name: 'smsproc_receipts_total', help: 'Delivery receipts received, by route, reported status and outcome (matched, held, duplicate, unparsed).', labelNames: ['route', 'status', 'outcome'], registers });
  const mo = new Counter({ name: 'smsproc_mo_total', help: 'Inbound SMS (MO) received, by route.', labelNames: ['route'], registers });

  const callbackAttempts = new Counter({ name: 'smsproc_callback_attempts_total', help: 'Callback delivery attempts, by kind (dlr, mo) and outcome (delivered, retry, dead).', labelNames: ['kind', 'outcome'], registers });
  const callbackSeconds = new Histogram({ name: 'smsproc_callback_duration_seconds', help: 'Callback attempt duration, request to outcome.', labelNames: ['kind'], buckets: callbackBuckets, registers });
  const deadLetters = new Counter({ name: 'smsproc_callback_dead_letters_total', help: 'Callback events that became dead letters (an operator replays them).', labelNames: ['kind'], registers });

  const expired = new Counter({ name: 'smsproc_messages_expired_total', help: 'Messages whose validity ended before they were submitted (queue sweeps of this node).', registers });
  const inDoubt = new Counter({ name: 'smsproc_messages_in_doubt_total', help: 'Messages left IN_DOUBT by an expired lease (queue sweeps of this node).', registers });
  const unmatched = new Counter({ name: 'smsproc_receipts_unmatched_total', help: 'Held receipts that matched no message within their hold time (kept as inbound problems).', registers });

  const failovers = new Counter({ name: 'smsproc_failovers_total', help: 'Binds or pools this node took over from another node.', registers });
  const fencing = new Counter({ name: 'smsproc_fencing_events_total', help: 'Times this node was fenced: a stale epoch refused by the store, or a lease lost.', labelNames: ['reason'], registers });
  for (const reason of fencingReasons) fencing.inc({ reason }, 0);
  // Summed over workers it would count a dependency once per process: up means every process reaches it.
  const dependencyUp = new Gauge({ name: 'smsproc_dependency_up', help: '1 when the cluster dependency (redis, etcd) answers, 0 when not; absent when the node does not use it.', labelNames: ['dependency'], registers, aggregator: 'min' });

  if (deps.storeGauges !== false) storeReadGauges(registry, deps, clients, clock);

  const bindLabels = (route: string, bind: number): { route: string; bind: string } => ({ route, bind: String(bind) });
  const countFencing = (reason: FencingReason): void => fencing.inc({ reason });
  const bind: BindEvents = {
    bindUp: (route, index, up) => bindUp.set(bindLabels(route, index), up ? 1 : 0),
    bindReleased: (route, index) => bindUp.remove(bindLabels(route, index)),
    segmentSubmitted: (route, index, seconds) => {
      submittedSegments.inc(bindLabels(route, index));
      submitSeconds.observe(bindLabels(route, index), seconds);
    },
    messageSubmitted: (route, index) => submittedMessages.inc(bindLabels(route, index)),
    submitError: (route, index, kind) => submitErrors.inc({ ...bindLabels(route, index), kind }),
    throttled: (route, index) => throttled.inc(bindLabels(route, index)),
    fenced: countFencing,
  };
  const inbound: InboundEvents = {
    receipt: (route, status, outcome) => receipts.inc({ route, status, outcome }),
    mo: (route) => mo.inc({ route }),
  };
  const callbacks: CallbackEvents = {
    attempt: (kind, outcome, seconds) => {
      callbackAttempts.inc({ kind, outcome });
      callbackSeconds.observe({ kind }, seconds);
      if (outcome === 'dead') deadLetters.inc({ kind });
    },
  };
  for (const kind of ['dlr', 'mo']) deadLetters.inc({ kind }, 0);
  return {
    registry,
    acceptance: {
      accepted: (route, clientId, segments) => {
        accepted.inc({ route });
        acceptedSegments.inc({ route }, segments);
        const client = clients.labelOf(clientId);
        if (client !== null) clientAccepted.inc({ client });
      },
      refused: (code) => refused.inc({ code }),
    },
    delivery: { bind, inbound, callbacks },
    swept: (result) => {
      expired.inc(result.expired);
      inDoubt.inc(result.inDoubt);
      unmatched.inc(result.receiptsUnmatched);
    },
    cluster: {
      failover: () => failovers.inc(),
      fenced: countFencing,
      dependencyUp: (dependency, up) => dependencyUp.set({ dependency }, up ? 1 : 0),
    },
  };
}

/** The gauges read from the store when Prometheus scrapes: queue depths and ages, callback backlog, per-client figures. */
/** One read shared by the gauges of a scrape: a read at most a second old is reused. */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { readonly at: number; readonly value: Promise<T> } | null = null;
  return () => {
    const at = performance.now();
    if (last === null || at - last.at > 1000) last = { at, value: read() };
    return last.value;
  };
}

function storeReadGauges(registry: Registry, deps: MetricsDeps, clients: ClientSeries, clock: () => number): void {
  const registers = [registry];
  // Several gauges read the same figures: one store query per scrape serves them all.
  const queueDepth = oncePerScrape(() => deps.store.queueDepth());
  const callbackBacklog = oncePerScrape(() => deps.store.callbackBacklog());
  const waitingSmpp = oncePerScrape(() => deps.store.waitingSmppCallbacks());
  new Gauge({
    name: 'smsproc_queue_messages',
    help: 'Messages still to be worked by route and queue state (READY, WAITING, IN_FLIGHT, IN_DOUBT), and in the exception queue (EXCEPTION); read from the store at scrape.',
    labelNames: ['route', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const row of await queueDepth()) this.set({ route: row.routeId, state: row.state }, row.messages);
    },
  });
  new Gauge({
    name: 'smsproc_queue_oldest_age_seconds',
    help: 'Age of the oldest message by route and queue state (as smsproc_queue_messages); read from the store at scrape.',
    labelNames: ['route', 'state'],
    registers,
    async collect() {
      this.reset();
      const now = clock();
      for (const row of await queueDepth()) {
        this.set({ route: row.routeId, state: row.state }, Math.max(0, (now - row.oldestAcceptedAt.getTime()) / 1000));
      }
    },
  });
  new Gauge({
    name: 'smsproc_callback_backlog_events',
    help: 'Callback events waiting (due or in backoff), all clients; read from the store at scrape.',
    registers,
    async collect() {
      let total = 0;
      for (const count of (await callbackBacklog()).values()) total += count;
      this.set(total);
    },
  });
  // SMPP-channel events due and unclaimed: a node with a receiving bind of the client claims them within
  // a poll, so a lasting count (and a growing age) means receipts or MO wait for the client to bind.
  new Gauge({
    name: 'smsproc_callback_smpp_waiting_events',
    help: 'SMPP-channel callback events due and unclaimed (waiting for a receiving bind of their client), all clients; read from the store at scrape.',
    registers,
    async collect() {
      let total = 0;
      for (const waiting of (await waitingSmpp()).values()) total += waiting.events;
      this.set(total);
    },
  });
  new Gauge({
    name: 'smsproc_callback_smpp_waiting_oldest_seconds',
    help: 'How long the oldest SMPP-channel callback event has been due and unclaimed (0 when none); read from the store at scrape.',
    registers,
    async collect() {
      const now = clock();
      let oldest = now;
      for (const waiting of (await waitingSmpp()).values()) oldest = Math.min(oldest, waiting.oldestDueAt.getTime());
      this.set(Math.max(0, (now - oldest) / 1000));
    },
  });
  if (deps.config.metrics.perClientSeries) {
    perClientGauge(registry, clients, 'smsproc_client_queued_messages', 'Messages not yet final per client (only with metrics.perClientSeries).', () => deps.store.queuedByClient());
    perClientGauge(registry, clients, 'smsproc_client_callback_backlog_events', 'Callback events waiting per client (only with metrics.perClientSeries).', callbackBacklog);
  }
}

/** A gauge per admitted client (the rest summed under "_other"), read at scrape. */
function perClientGauge(
  registry: Registry,
  clients: ClientSeries,
  name: string,
  help: string,
  read: () => Promise<ReadonlyMap<string, number>>,
): void {
  new Gauge({
    name,
    help,
    labelNames: ['client'],
    registers: [registry],
    async collect() {
      this.reset();
      const sums = new Map<string, number>();
      for (const [clientId, count] of await read()) {
        const client = clients.labelOf(clientId) ?? clientId;
        sums.set(client, (sums.get(client) ?? 0) + count);
      }
      for (const [client, count] of sums) this.set({ client }, count);
    },
  });
}
