/**
 * Delivery on one node (docs/dispatch.md): a RouteDispatcher for every enabled route, following
 * provisioning changes, running the binds this node owns through the cluster coordinator
 * (BindOwnership; with the local coordinator, every bind); the
 * inbound handler for receipts and MO; the callback sender, whose MO replies become MTs accepted the
 * way the API accepts them. stop() drains in order: binds (window finished, unbind), inbound records,
 * callbacks. With `cluster.workers` > 1 (docs/cluster.md, "Process model") the primary's instance
 * plans and owns binds and hands them to workers through a RemoteBindHost, and each worker's instance
 * runs the binds it is handed (runBind) with their inbound.
 */
import { createLocalCoordinator } from '../../cluster/coordinator/local/local-coordinator.js';
import type { Coordinator } from '../../cluster/coordinator/port.js';
import type { Config } from '../config/schema.js';
import { SmsprocError } from '../domain/errors.js';
import type { BindId, ClientId } from '../domain/ids.js';
import type { ClientRecord, RouteRecord } from '../domain/provisioning.js';
import { commitUnits, prepareUnit, type AcceptanceDeps } from '../api/acceptance.js';
import { rulesOf, validateSubmission } from '../api/submission.js';
import { createInProcessLimiter } from '../limits/limiter.js';
import { createQueueGauge } from '../limits/queue-gauge.js';
import type { Logger } from '../log.js';
import type { DeliveryEvents } from '../stats/metric-events.js';
import { buildMoRouter, type MoRouter } from '../routing/mo-router.js';
import { createClientCall } from '../scenarios/client-call.js';
import { buildScenarioDirectory, type ScenarioDirectory } from '../scenarios/scenario-directory.js';
import { ScenarioRunner, type ScenarioReply } from '../scenarios/scenario-runner.js';
import type { CallbackEvent, Store } from '../storage/port.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';
import type { EventChannel } from './callback-channel.js';
import { CallbackSender, type CallbackSenderOptions } from './callback-sender.js';
import { InboundHandler, type InboundOptions } from './inbound-handler.js';
import { ReservationLedger } from './reservation-ledger.js';
import type { BindStatus } from './bind-loop.js';
import { BindOwnership } from './bind-ownership.js';
import type { RemoteBindHost, RouteBinds } from './route-binds.js';
import { RouteDispatcher, type RouteDispatcherOptions } from './route-dispatcher.js';

/**
 * Where the binds this node owns run. here: in this process (one process per node). in-workers: the
 * primary of `cluster.workers` > 1 plans and owns them and the host runs them in workers (no inbound
 * here). when-told: a worker, which plans nothing and runs the binds the primary hands it (runBind).
 */
export type BindPlacement =
  | { readonly runs: 'here' }
  | { readonly runs: 'in-workers'; readonly host: RemoteBindHost }
  | { readonly runs: 'when-told' };

export interface DeliveryOptions {
  /** How often the provisioning version is checked for route and client changes. */
  readonly provisioningCheckMs: number;
  readonly dispatch?: Partial<RouteDispatcherOptions>;
  readonly inbound?: Partial<InboundOptions>;
  readonly callbacks?: Partial<CallbackSenderOptions>;
}

export interface DeliveryDeps {
  readonly config: Config;
  readonly store: Store;
  readonly provisioning: ProvisioningCache;
  readonly logger: Logger;
  /** The node's SMPP server, for events to clients' SMPP binds. */
  readonly smppChannel?: EventChannel;
  readonly options?: Partial<DeliveryOptions>;
  /** Binds, submits, receipts and callbacks, for metrics. */
  readonly events?: DeliveryEvents;
  /**
   * Who owns which bind (started and closed by the caller). Without it a local coordinator: this
   * node owns every bind, as a single node does.
   */
  readonly coordinator?: Coordinator;
  /** The node's reservation ledger (daemon/limits/redis-reservations.ts); without it, this node's alone. */
  readonly ledger?: ReservationLedger;
  /** Default: here. */
  readonly placement?: BindPlacement;
  /**
   * Whether this process's callback sender takes HTTP events (default true). The primary of a node
   * with workers says false: its workers send those, and it sends only the SMPP-channel events of the
   * clients bound to its SMPP server (none without one: its sender then only runs the node's
   * dead-letter check of unclaimed SMPP-channel events, which workers leave to it).
   */
  readonly sendsHttpCallbacks?: boolean;
  /** Lease holder name of the callback sender (default the node id); distinct per worker. */
  readonly callbackOwner?: string;
}

/** The inbound handler's settings of the config (the default MO client is the router's). */
function inboundOptionsOf(config: Config): InboundOptions {
  const { receiptHoldMs, reassemblyTimeoutMs, reassemblyMaxOpenSets, reassemblyTickMs, dedupWindowMs, dedupWithoutIdentity } = config.inbound;
  return { receiptHoldMs, reassemblyTimeoutMs, reassemblyMaxOpenSets, reassemblyTickMs, dedupWindowMs, dedupWithoutIdentity };
}

export class DeliveryService {
  private readonly options: DeliveryOptions;
  private readonly ledger: ReservationLedger;
  private readonly dispatchers = new Map<string, RouteBinds>();
  /** A worker's dispatchers replaced by a newer route version, until their binds stopped. */
  private readonly retiring = new Map<string, Promise<void>>();
  private readonly placement: BindPlacement;
  private readonly inbound: InboundHandler;
  private readonly callbacks: CallbackSender;
  private readonly acceptance: AcceptanceDeps;
  /** Null in a worker: the primary plans. */
  private readonly ownership: BindOwnership | null;
  /** The local coordinator made here when the caller gave none (closed at stop). */
  private readonly ownCoordinator: Coordinator | null;
  private moRouter: MoRouter = buildMoRouter([], { defaultClientId: null });
  private scenarioDirectory: ScenarioDirectory = buildScenarioDirectory([]);
  private version = -1;
  private followTimer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: DeliveryDeps) {
    this.ledger = deps.ledger ?? new ReservationLedger();
    // The node config gives the settings; a caller's options (tests) override them.
    const { provisioningCheckMs, ...dispatch } = deps.config.dispatch;
    this.options = {
      provisioningCheckMs: deps.options?.provisioningCheckMs ?? provisioningCheckMs,
      dispatch: { ...dispatch, ...deps.options?.dispatch },
      inbound: { ...inboundOptionsOf(deps.config), ...deps.options?.inbound },
      callbacks: { ...deps.config.callbacks, ...deps.options?.callbacks },
    };
    const { config, store, provisioning, logger } = deps;
    this.placement = deps.placement ?? { runs: 'here' };
    const runner = new ScenarioRunner({
      store,
      call: createClientCall(),
      secretOf: (clientId) => provisioning.clientById(clientId as ClientId)?.callbackSecret ?? '',
      sendReply: (reply) => this.scenarioReply(reply),
      logger,
    });
    this.inbound = new InboundHandler({
      store,
      moRouter: () => this.moRouter,
      logger,
      options: this.options.inbound ?? {},
      scenarios: { directory: () => this.scenarioDirectory, runner },
      events: deps.events?.inbound,
    });
    const channel = deps.smppChannel;
    const httpToo = deps.sendsHttpCallbacks !== false;
    this.callbacks = new CallbackSender({
      store,
      clientOf: (id: ClientId) => provisioning.clientById(id),
      logger,
      owner: deps.callbackOwner ?? config.node.id,
      onMoReply: (event, text) => this.moReply(event, text),
      ...(channel === undefined ? {} : { smppChannel: channel }),
      ...(httpToo ? {} : { claimScope: () => ({ http: false, smppClients: channel?.receivingClients() ?? [] }) }),
      // The dead-letter check is a query over the whole outbox: once a node is enough, so a worker leaves it to its primary.
      checksUnclaimed: this.placement.runs !== 'when-told',
      options: this.options.callbacks ?? {},
      events: deps.events?.callbacks,
    });
    // MO replies skip the intake ceiling (one reply per MO the client received) but count in the queue gauge.
    this.acceptance = { config, store, provisioning, limiter: createInProcessLimiter(() => null), queueGauge: createQueueGauge(store, Date.now) };
    this.ownCoordinator = deps.coordinator === undefined && this.placement.runs !== 'when-told'
      ? createLocalCoordinator({ id: config.node.id, site: config.node.site, weight: 1 }, (resource) => store.acquireBindEpoch(resource as BindId))
      : null;
    const { planIntervalMs, maxMovesPerRound, orphanGraceMs, poolRoutes } = config.cluster;
    const poolOfRoute = new Map(poolRoutes.map((entry) => [entry.slice(entry.indexOf(':') + 1), entry.slice(0, entry.indexOf(':'))]));
    this.ownership = this.placement.runs === 'when-told' ? null : new BindOwnership({
      coordinator: deps.coordinator ?? this.ownCoordinator!,
      routes: () => [...this.dispatchers.values()].map((dispatcher) => dispatcher.route),
      dispatcherOf: (routeId) => this.dispatchers.get(routeId),
      poolOf: (routeId) => poolOfRoute.get(routeId),
      logger,
      options: { planIntervalMs, maxMovesPerRound, orphanGraceMs },
    });
  }

  /** Binds (`route/<id>/bind/<n>`) this node owns and runs now. */
  get ownedBinds(): readonly string[] {
    return this.ownership?.ownedBinds ?? [];
  }

  /** The provisioning version delivery runs on (routes and MO routing). */
  get provisioningVersion(): number {
    return this.version;
  }

  /** Routes currently dispatched, by id. */
  get routeIds(): readonly string[] {
    return [...this.dispatchers.keys()];
  }

  /**
   * Readiness: started, not stopping, and every enabled route of the current provisioning has its
   * dispatcher (a route whose dispatch failed to start, or a change not yet followed, is not ready).
   */
  get dispatching(): boolean {
    if (this.followTimer === null || this.stopped) return false;
    return this.deps.provisioning.snapshot.routes.every((route) => route.disabled || route.binds === 0 || this.dispatchers.has(route.id));
  }

  /** Every bind this node runs, route by route (the operator dashboard). */
  bindStatuses(): readonly BindStatus[] {
    if (this.placement.runs === 'in-workers') return this.placement.host.bindStatuses();
    return [...this.dispatchers.values()].flatMap((dispatcher) => dispatcher.bindStatuses());
  }

  /** Callback requests in flight now (with binds in workers, theirs as last reported too). */
  get callbacksInFlight(): number {
    return this.callbacks.inFlightCount() + (this.placement.runs === 'in-workers' ? this.placement.host.callbacksInFlight : 0);
  }

  async start(): Promise<void> {
    // Receipts and MO arrive on binds: where none run, nothing is reassembled either.
    if (this.placement.runs !== 'in-workers') await this.inbound.start();
    await this.reconcile();
    await this.ownership?.start();
    this.callbacks.start();
    this.followTimer = setInterval(() => {
      if (this.deps.provisioning.version !== this.version) this.reconciling = this.reconciling.then(() => this.reconcile());
    }, this.options.provisioningCheckMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.followTimer !== null) clearInterval(this.followTimer);
    this.followTimer = null;
    await this.reconciling;
    // Binds first: each finishes its window, unbinds and is released so another node binds at once.
    await this.ownership?.stop();
    await Promise.all([...this.dispatchers.values()].map((dispatcher) => dispatcher.stop()));
    this.dispatchers.clear();
    await this.ownCoordinator?.close();
    await this.inbound.stop();
    await this.callbacks.stop();
  }

  /**
   * A worker: runs bind `index` of the route as the primary's provisioning has it (docs/cluster.md,
   * "Process model"). A newer version of the route replaces its dispatcher here, whose binds the
   * primary stopped first; the worker follows the primary's version, not its own poll, so a bind
   * never restarts on a version the primary has not planned. Resolves once the store epoch is raised.
   */
  async runBind(route: RouteRecord, index: number): Promise<void> {
    if (this.stopped) throw new Error('delivery is stopping');
    let dispatcher = this.dispatchers.get(route.id);
    if (dispatcher === undefined || JSON.stringify(dispatcher.route) !== JSON.stringify(route)) {
      const old = dispatcher;
      dispatcher = this.startRoute(route);
      if (old !== undefined) {
        const retire = old.stop();
        this.retiring.set(route.id, retire);
        void retire.finally(() => {
          if (this.retiring.get(route.id) === retire) this.retiring.delete(route.id);
        });
      }
    }
    await this.retiring.get(route.id);
    // The lease deadline is the worker's WorkerBinds' to keep, not the dispatcher's.
    await dispatcher.startBind(index, Number.POSITIVE_INFINITY);
  }

  /** A worker: bind `index` of the route stops gracefully (window finished, unbind). */
  async stopRunningBind(routeId: string, index: number): Promise<void> {
    await this.dispatchers.get(routeId)?.stopBind(index);
  }

  /** A worker: bind `index` of the route submits nothing more, then stops. */
  async fenceRunningBind(routeId: string, index: number): Promise<void> {
    await this.dispatchers.get(routeId)?.fenceBind(index);
  }

  /** Starts, stops or restarts route dispatchers after the current provisioning; rebuilds the MO router. */
  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    const { provisioning, logger } = this.deps;
    // The cache's snapshot: the API and delivery serve the same version, loaded once.
    const snapshot = provisioning.snapshot;
    this.version = snapshot.version;
    this.moRouter = buildMoRouter(snapshot.clients, { defaultClientId: this.deps.config.inbound.defaultMoClientId as ClientId | null });
    try {
      this.scenarioDirectory = buildScenarioDirectory(await this.deps.store.loadScenarios());
      for (const problem of this.scenarioDirectory.problems) logger.error({ scenarioId: problem.id, problems: problem.problems }, 'scenario not loaded: its definition does not compile');
    } catch (error) {
      // The previous scenarios keep serving; the next version change tries again.
      logger.error({ err: error }, 'scenarios not reloaded');
    }
    // A worker's dispatchers follow the routes the primary hands it (runBind).
    if (this.placement.runs === 'when-told') return;
    const wanted = new Map<string, RouteRecord>(snapshot.routes.filter((route) => !route.disabled && route.binds > 0).map((route) => [route.id, route]));
    const stopping: Promise<void>[] = [];
    for (const [id, dispatcher] of this.dispatchers) {
      const route = wanted.get(id);
      if (route !== undefined && JSON.stringify(route) === JSON.stringify(dispatcher.route)) continue;
      this.dispatchers.delete(id);
      logger.info({ routeId: id, change: route === undefined ? 'removed' : 'changed' }, 'route dispatch stopping');
      stopping.push(dispatcher.stop());
    }
    // A changed route's old binds are released before its new ones acquire their epochs.
    await Promise.all(stopping);
    for (const route of wanted.values()) if (!this.stopped && !this.dispatchers.has(route.id)) this.startRoute(route);
    await this.ownership?.replan();
  }

  private startRoute(route: RouteRecord): RouteBinds {
    const dispatcher = this.placement.runs === 'in-workers' ? this.placement.host.routeBinds(route) : new RouteDispatcher({
      store: this.deps.store,
      route,
      owner: this.deps.config.node.id,
      ledger: this.ledger,
      reservationOf: (clientId) => this.deps.provisioning.clientById(clientId as ClientId)?.reservedTps ?? 0,
      inbound: (r, bindIndex) => this.inbound.handlerFor(r, bindIndex),
      logger: this.deps.logger,
      options: this.options.dispatch ?? {},
      events: this.deps.events?.bind,
    });
    this.dispatchers.set(route.id, dispatcher);
    dispatcher.start();
    this.deps.logger.info({ routeId: route.id, binds: route.binds }, 'route dispatch started');
    return dispatcher;
  }

  /**
   * A client's text/plain answer to an MO: an MT from the short code to the subscriber, charged to the
   * client, accepted as the API accepts a submit. The event id is the idempotency key, so an MO
   * callback delivered twice sends one reply.
   */
  private async moReply(event: CallbackEvent, text: string): Promise<void> {
    const shortCode = event.payload.shortCode;
    const subscriber = event.payload.from;
    if (typeof shortCode !== 'string' || typeof subscriber !== 'string') return;
    const ids = await this.replyFromShortCode(event.clientId, shortCode, subscriber, text, `mo-reply:${event.id}`, 'mo-reply');
    if (ids !== null) this.deps.logger.info({ clientId: event.clientId, moEvent: event.id, ids }, 'MO reply accepted as MT');
  }

  /**
   * A scenario's reply, through the same acceptance as the client's own MO replies. A refusal that
   * waiting will not cure (no route to the subscriber, text not encodable) is logged and dropped so
   * that the MO is still answered to the SMSC; the store being unavailable is thrown, so that the SMSC
   * redelivers the MO and the step re-sends the reply.
   */
  private async scenarioReply(reply: ScenarioReply): Promise<void> {
    try {
      await this.replyFromShortCode(reply.clientId as ClientId, reply.shortCode, reply.subscriber, reply.text, reply.idempotencyKey, 'scenario');
    } catch (error) {
      if (error instanceof SmsprocError && error.definition.httpStatus < 500) {
        this.deps.logger.warn({ clientId: reply.clientId, code: error.code, key: reply.idempotencyKey }, 'scenario reply refused');
        return;
      }
      throw error;
    }
  }

  /** An MT from the client's short code to a subscriber, charged to the client; null when the client is gone. */
  private async replyFromShortCode(
    clientId: ClientId,
    shortCode: string,
    subscriber: string,
    text: string,
    idempotencyKey: string,
    source: 'mo-reply' | 'scenario',
  ): Promise<readonly string[] | null> {
    const client = this.deps.provisioning.clientById(clientId);
    if (client === undefined) return null;
    // The short code is the client's own: it may answer from it without registering it as a sender.
    const replying: ClientRecord = { ...client, senders: [...client.senders, shortCode] };
    const params = {
      from: shortCode, to: [subscriber], text, dlr: false,
      validity: undefined, schedule: undefined, priority: undefined, clientRef: undefined, coding: undefined,
    };
    const draft = validateSubmission(params, replying, rulesOf(this.deps.config), Date.now());
    const unit = await prepareUnit(this.acceptance, replying, draft, idempotencyKey, source);
    const [outcome] = await commitUnits(this.acceptance, [unit]);
    if (outcome?.kind === 'refused') throw outcome.error;
    return outcome?.messages.map((m) => m.id) ?? [];
  }
}
