/**
 * One bind of a route on this node (docs/dispatch.md): its fencing epoch, its ESME driver(s), and the
 * loop claim → fair scheduler → submit every part → ack or nack. Leases of the messages it still
 * holds are renewed; a message whose outcome is unknown (timeout, connection lost) is let go so its
 * lease lapses and the sweep makes it IN_DOUBT.
 */
import type { BindId, ClientId, MessageId } from '../domain/ids.js';
import type { RouteRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import { EsmeDriver, type DeliverHandler } from '../smpp/esme-driver.js';
import type { ReconnectPolicy } from '../smpp/esme-reconnect.js';
import { receiptIdCandidates } from '../smpp/receipt-parser.js';
import { sessionConfigForRoute, type SessionConfigInput } from '../smpp/session-config.js';
import type { BindKind, SessionCounters, SessionPhase, SubmitOutcome } from '../smpp/session-types.js';
import { noBindEvents, type BindEvents, type SubmitErrorKind } from '../stats/metric-events.js';
import type { ClaimedMt, Nack, SegmentIdFact, Store, SubmitResult } from '../storage/port.js';
import { FairScheduler } from './fair-scheduler.js';
import { submitPdusOf } from './mt-submit-pdus.js';
import type { ReservationLedger } from './reservation-ledger.js';

export interface BindLoopOptions {
  /** Lease of claimed messages; renewed every third of it while they are held. */
  readonly leaseMs: number;
  /** How often an empty route is polled for new messages. */
  readonly claimIdleMs: number;
  /** Acks wait this long to share one store call (group ack). */
  readonly ackBatchMs: number;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** Session settings over the route's (timeouts, throttle); tests shorten them. */
  readonly session?: Partial<SessionConfigInput>;
}

export interface BindLoopDeps {
  readonly store: Store;
  readonly route: RouteRecord;
  readonly bindIndex: number;
  readonly bindId: BindId;
  /** Lease holder name (node id). */
  readonly owner: string;
  readonly ledger: ReservationLedger;
  /** The client's reserved segments per second (0 when unknown). */
  readonly reservationOf: (clientId: string) => number;
  /** Where deliver_sm / data_sm of this bind go (receipts and MO). */
  readonly onDeliver: DeliverHandler;
  readonly logger: Logger;
  readonly options: BindLoopOptions;
  /** Session state, submits, throttling and fencing, for metrics. */
  readonly events?: BindEvents;
}

interface PartTag {
  readonly id: MessageId;
  readonly part: number;
  readonly total: number;
}

interface Queued {
  readonly id: string;
  readonly clientId: string;
  readonly segments: number;
  readonly priority: number;
  readonly enqueuedAt: number;
  readonly message: ClaimedMt;
}

/** What the operator dashboard shows of one bind (read-only, taken when asked). */
export interface BindStatus {
  readonly routeId: string;
  readonly bindIndex: number;
  readonly bindId: BindId;
  readonly epoch: number;
  /** The session phase of the submitting driver (transceiver or transmitter) and of the receiver, if split. */
  readonly state: SessionPhase;
  readonly receiverState: SessionPhase | null;
  readonly windowSize: number;
  /** Segments released to the driver and not yet settled. */
  readonly windowUsed: number;
  /** Messages claimed and waiting in the fair scheduler. */
  readonly waiting: number;
  readonly configuredTps: number;
  /** The rate the session allows now: below configuredTps after throttling responses. */
  readonly allowedTps: number;
  readonly counters: Readonly<SessionCounters>;
}

/**
 * A busy bind claims at least this often (or every claimIdleMs if shorter): with a share of
 * 2 × window per client per claim, a client's traffic new to the bind can reach 40 × window
 * messages a second while another client floods it.
 */
const busyClaimCapMs = 50;

type MessageEnd =
  | { readonly kind: 'ack'; readonly smscIds: readonly string[] }
  | { readonly kind: 'nack'; readonly nack: Nack }
  /** `smscIds`: of the parts (from the first) that were accepted before the outcome became unknown. */
  | { readonly kind: 'unknown'; readonly why: string; readonly smscIds: readonly string[]; readonly parts: number };

export class BindLoop {
  private epoch = 0;
  private readonly driver: EsmeDriver<PartTag>;
  private readonly receiver: EsmeDriver<PartTag> | null;
  private readonly scheduler: FairScheduler<Queued>;
  /** Claimed and not yet settled: their leases are renewed. */
  private readonly held = new Map<MessageId, ClaimedMt>();
  /** Segments of messages released to the driver and not yet settled, by message. */
  private readonly unsettled = new Map<MessageId, number>();
  private unsettledSegments = 0;
  private readonly tasks = new Set<Promise<void>>();
  private readonly boundWaiters: (() => void)[] = [];
  private pendingAcks: SubmitResult[] = [];
  private ackTimer: NodeJS.Timeout | null = null;
  private readonly acksInFlight = new Set<Promise<void>>();
  private pumpTimer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private claiming: Promise<void> | null = null;
  /** poke() came while a claim was under way: that claim may have missed what was announced, so pump again after it. */
  private pokedWhileClaiming = false;
  private lastClaimAt = 0;
  /** A client's share of one claim, less what of it waits here (ClaimRequest.perClientLimit). */
  private readonly perClientLimit: number;
  /** How often a bind with messages waiting claims anyway, to find clients whose traffic is new. */
  private readonly busyClaimMs: number;
  private stopping = false;
  /** Ownership lost: no part is submitted any more, not even the rest of a multi-part message. */
  private fenced = false;
  private reference = Math.floor(Math.random() * 65_536);
  private readonly log: Logger;
  private readonly window: number;
  private readonly events: BindEvents;

  constructor(private readonly deps: BindLoopDeps) {
    const { route, options, bindIndex } = deps;
    this.log = deps.logger.child({ routeId: route.id, bind: bindIndex });
    this.window = route.windowSize;
    this.events = deps.events ?? noBindEvents;
    this.perClientLimit = 2 * this.window;
    this.busyClaimMs = Math.min(busyClaimCapMs, options.claimIdleMs);
    const driverFor = (kind: BindKind): EsmeDriver<PartTag> =>
      new EsmeDriver<PartTag>({
        host: route.host,
        port: route.port,
        tls: route.tls,
        session: sessionConfigForRoute(route, kind, options.session),
        logger: deps.logger,
        logBindings: { routeId: route.id, bindIndex },
        ...(options.reconnect !== undefined ? { reconnect: options.reconnect } : {}),
      });
    const split = route.bindMode === 'transmitter+receiver';
    this.driver = driverFor(split ? 'transmitter' : 'transceiver');
    this.receiver = split ? driverFor('receiver') : null;
    (this.receiver ?? this.driver).onDeliver(deps.onDeliver);
    this.driver.onEvent((event) => {
      if (event.type === 'bound') {
        this.events.bindUp(route.id, bindIndex, true);
        for (const wake of this.boundWaiters.splice(0)) wake();
        this.pump();
      } else if (event.type === 'unbound') {
        this.events.bindUp(route.id, bindIndex, false);
      } else if (event.type === 'throttled') {
        this.events.throttled(route.id, bindIndex);
      } else if (event.type === 'lateResponse') {
        this.lateResponse(event.tag, event.response.command === 'submit_sm_resp' ? event.response.messageId : '');
      }
    });
    this.scheduler = new FairScheduler<Queued>({ capacityTps: route.tps, ledger: deps.ledger });
  }

  async start(): Promise<void> {
    this.epoch = await this.deps.store.acquireBindEpoch(this.deps.bindId);
    // Fenced or stopped while the epoch was being raised: never bind.
    if (this.stopping) return;
    this.log.info({ epoch: this.epoch }, 'bind acquired');
    this.events.bindUp(this.deps.route.id, this.deps.bindIndex, false);
    this.driver.start();
    this.receiver?.start();
    this.renewTimer = setInterval(() => this.renewLeases(), Math.max(100, this.deps.options.leaseMs / 3));
  }

  status(): BindStatus {
    const { route, bindIndex, bindId } = this.deps;
    return {
      routeId: route.id,
      bindIndex,
      bindId,
      epoch: this.epoch,
      state: this.driver.state,
      receiverState: this.receiver?.state ?? null,
      windowSize: this.window,
      windowUsed: this.unsettledSegments,
      waiting: this.scheduler.waitingItems(),
      configuredTps: route.tps,
      allowedTps: this.driver.rateTps,
      counters: { ...this.driver.counters },
    };
  }

  /**
   * Nudges the loop (messages made READY again by the in-doubt policy, say, or a store wake-up): an
   * idle wait ends at once; a claim, if any, is one of pump()'s own.
   */
  poke(): void {
    if (this.claiming !== null) this.pokedWhileClaiming = true;
    this.pump();
  }

  /**
   * The coordinator says this node no longer owns the bind (or soon may not): nothing more is
   * submitted from now on, then the bind stops as stop() does. What is in the window already was
   * sent; its outcomes are still recorded where the store's epoch allows.
   */
  fence(): Promise<void> {
    if (!this.fenced) this.log.warn({ epoch: this.epoch }, 'bind fenced: ownership lost');
    this.fenced = true;
    return this.stop();
  }

  /** Stops claiming, hands back what waits, finishes the window, unbinds. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.clearPumpTimer();
    if (this.renewTimer !== null) clearInterval(this.renewTimer);
    await this.claiming;
    const waiting = this.scheduler.drain();
    if (waiting.length > 0) await this.settleNacks(waiting.map((q) => ({ id: q.message.id, disposition: { kind: 'retry', delayMs: 0 } })));
    for (const wake of this.boundWaiters.splice(0)) wake();
    await Promise.all([this.driver.stop(), this.receiver?.stop()]);
    while (this.tasks.size > 0) await Promise.all(this.tasks);
    await this.flushAcks();
    this.events.bindReleased(this.deps.route.id, this.deps.bindIndex);
    this.log.info({ epoch: this.epoch, unsettled: this.held.size }, 'bind released');
  }

  private pump(): void {
    if (this.stopping) return;
    this.clearPumpTimer();
    if (this.driver.state !== 'bound') return;
    const now = Date.now();
    // At most a window of segments is sent and not yet recorded: what a crash can duplicate.
    const budget = this.window - this.unsettledSegments;
    if (budget > 0) {
      for (const queued of this.scheduler.next(now, budget)) {
        this.unsettled.set(queued.message.id, queued.segments);
        this.unsettledSegments += queued.segments;
        this.track(this.send(queued.message));
      }
    }
    const waiting = this.scheduler.waitingItems();
    // Claims also come every busyClaimMs while messages wait here, so that a client whose traffic is
    // new is found even when a flooding client keeps this scheduler busy.
    const claimDue = waiting < this.window || now - this.lastClaimAt >= this.busyClaimMs;
    if (this.claiming === null && claimDue && waiting < this.maxWaiting()) {
      this.lastClaimAt = now;
      this.claiming = this.claim().finally(() => {
        this.claiming = null;
      });
      return;
    }
    // A full window wakes the loop when a message is settled; otherwise the scheduler says when.
    if (this.unsettledSegments >= this.window) return;
    const wakeAt = this.scheduler.nextWakeAt(now);
    const claimAt = this.lastClaimAt + (waiting > 0 ? this.busyClaimMs : this.deps.options.claimIdleMs);
    this.schedulePump(Math.max(1, (wakeAt === null ? claimAt : Math.min(wakeAt, claimAt)) - now));
  }

  /** Messages held waiting here at most: bounds memory and leases when many clients flood at once. */
  private maxWaiting(): number {
    return 8 * this.perClientLimit;
  }

  private schedulePump(delayMs: number): void {
    this.clearPumpTimer();
    this.pumpTimer = setTimeout(() => this.pump(), delayMs);
  }

  private clearPumpTimer(): void {
    if (this.pumpTimer !== null) clearTimeout(this.pumpTimer);
    this.pumpTimer = null;
  }

  private async claim(): Promise<void> {
    const limit = Math.min(2 * this.perClientLimit, this.maxWaiting() - this.scheduler.waitingItems());
    this.pokedWhileClaiming = false;
    let claimed: readonly ClaimedMt[] = [];
    try {
      claimed = await this.deps.store.claimMt({
        routeId: this.deps.route.id,
        bindId: this.deps.bindId,
        epoch: this.epoch,
        owner: this.deps.owner,
        limit,
        leaseMs: this.deps.options.leaseMs,
        perClientLimit: this.perClientLimit,
        heldByClient: new Map([...this.scheduler.waitingByClient()].map(([clientId, waiting]) => [clientId as ClientId, waiting])),
      });
    } catch (error) {
      this.log.error({ err: error }, 'claim failed');
    }
    if (this.stopping) {
      if (claimed.length > 0) await this.settleNacks(claimed.map((m) => ({ id: m.id, disposition: { kind: 'retry', delayMs: 0 } })));
      return;
    }
    for (const message of claimed) {
      this.held.set(message.id, message);
      this.scheduler.setClient(message.clientId, { reservedTps: this.deps.reservationOf(message.clientId) });
    }
    this.scheduler.enqueue(
      claimed.map((message) => ({
        id: message.id,
        clientId: message.clientId,
        segments: message.segments,
        priority: message.priority,
        enqueuedAt: message.acceptedAt.getTime(),
        message,
      })),
    );
    // Claimed something, or poked meanwhile: more may wait, pump again at once; otherwise poll after claimIdleMs.
    this.schedulePump(claimed.length > 0 || this.pokedWhileClaiming ? 0 : this.deps.options.claimIdleMs);
  }

  /** Keeps a message's task (its end wakes the loop) or an ack in flight, so stop() can wait for them. */
  private track(task: Promise<void>, wakes = true): void {
    const set = wakes ? this.tasks : this.acksInFlight;
    set.add(task);
    void task.finally(() => {
      set.delete(task);
      if (wakes) this.pump();
    });
  }

  private async send(message: ClaimedMt): Promise<void> {
    let end: MessageEnd;
    try {
      // Expired while it waited here (the bind was down): handed back READY, the sweep expires it.
      end = message.expiresAt.getTime() <= Date.now()
        ? { kind: 'nack', nack: { id: message.id, disposition: { kind: 'retry', delayMs: 0 } } }
        : await this.submitAll(message);
    } catch (error) {
      // split() refuses text the API let through only if the route changed its method since acceptance.
      end = { kind: 'nack', nack: { id: message.id, disposition: { kind: 'fail', status: 'failed', errorCode: 0, reason: String(error) } } };
    }
    if (end.kind === 'ack') {
      this.queueAck({
        id: message.id,
        smscIds: end.smscIds,
        smscMatchKeys: end.smscIds.map((id) => receiptIdCandidates(id, this.deps.route.receiptIdFormat)),
      });
    } else if (end.kind === 'nack') {
      await this.settleNacks([end.nack]);
    } else {
      this.settle(message.id);
      this.log.warn({ messageId: message.id, why: end.why }, 'submit outcome unknown: left to lapse into IN_DOUBT');
      // The parts the SMSC did accept are facts: recorded, their receipts match.
      if (end.smscIds.length > 0) this.recordFacts(end.smscIds.map((smscId, index) => this.segmentFact(message.id, index, end.parts, smscId)));
    }
  }

  private async submitAll(message: ClaimedMt): Promise<MessageEnd> {
    const pdus = submitPdusOf(message, this.deps.route, this.reference++, Date.now());
    const smscIds: string[] = [];
    for (const [index, pdu] of pdus.entries()) {
      const tag: PartTag = { id: message.id, part: index, total: pdus.length };
      for (;;) {
        if (this.fenced) return index === 0 ? { kind: 'nack', nack: { id: message.id, disposition: { kind: 'retry', delayMs: 0 } } } : { kind: 'unknown', why: 'fenced', smscIds, parts: pdus.length };
        const sentAt = performance.now();
        const outcome: SubmitOutcome = await this.driver.submit(pdu, tag);
        this.countSubmit(outcome, (performance.now() - sentAt) / 1000);
        if (outcome.kind === 'accepted') {
          smscIds.push(outcome.response.command === 'submit_sm_resp' ? outcome.response.messageId : '');
          break;
        }
        if (outcome.kind === 'retry') continue;
        if (outcome.kind === 'notSent') {
          if (this.stopping) return { kind: 'nack', nack: { id: message.id, disposition: { kind: 'retry', delayMs: 0 } } };
          await new Promise<void>((resolve) => this.boundWaiters.push(resolve));
          continue;
        }
        if (outcome.kind === 'rejected') {
          const reason = `SMSC refused part ${index + 1} of ${pdus.length} with command_status 0x${outcome.commandStatus.toString(16).padStart(8, '0')}`;
          return {
            kind: 'nack',
            nack: {
              id: message.id,
              disposition: outcome.statusClass === 'permanent' ? { kind: 'fail', status: 'rejected', errorCode: outcome.commandStatus, reason } : { kind: 'retry' },
            },
          };
        }
        return { kind: 'unknown', why: outcome.kind, smscIds, parts: pdus.length };
      }
    }
    return { kind: 'ack', smscIds };
  }

  private countSubmit(outcome: SubmitOutcome, seconds: number): void {
    const { route, bindIndex } = this.deps;
    if (outcome.kind === 'accepted') {
      this.events.segmentSubmitted(route.id, bindIndex, seconds);
      return;
    }
    const kind: SubmitErrorKind | null =
      outcome.kind === 'rejected' ? (outcome.statusClass === 'permanent' ? 'rejected_permanent' : 'rejected_transient')
        : outcome.kind === 'timeout' ? 'timeout'
          : outcome.kind === 'connectionLost' ? 'connection_lost'
            : outcome.kind === 'malformedResponse' ? 'malformed_response'
              // retry (throttled: counted from the driver's event) and notSent are not errors of the SMSC.
              : null;
    if (kind !== null) this.events.submitError(route.id, bindIndex, kind);
  }

  /**
   * A response after its timeout proves its part was sent. A single-part message is acked with it
   * (settled even IN_DOUBT); for a part of a multi-part message the SMSC id is recorded as a fact
   * (the other parts are not proven), so that its receipt matches.
   */
  private lateResponse(tag: PartTag, smscId: string): void {
    if (smscId === '') return;
    if (tag.total === 1) {
      this.queueAck({ id: tag.id, smscIds: [smscId], smscMatchKeys: [receiptIdCandidates(smscId, this.deps.route.receiptIdFormat)] });
    } else {
      this.recordFacts([this.segmentFact(tag.id, tag.part, tag.total, smscId)]);
    }
  }

  private segmentFact(id: MessageId, index: number, parts: number, smscId: string): SegmentIdFact {
    return { id, index, parts, smscId, smscMatchKeys: receiptIdCandidates(smscId, this.deps.route.receiptIdFormat) };
  }

  private recordFacts(facts: readonly SegmentIdFact[]): void {
    this.track(
      this.deps.store.recordSegmentIds(facts).catch((error: unknown) => {
        this.log.error({ err: error, segments: facts.length }, 'recording SMSC ids of single parts failed');
      }),
      false,
    );
  }

  private queueAck(result: SubmitResult): void {
    this.pendingAcks.push(result);
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = null;
      void this.flushAcks();
    }, this.deps.options.ackBatchMs);
  }

  /** Sends what is pending at once; acks in flight overlap and the store's group commit joins them. */
  private flushAcks(): Promise<void> {
    if (this.ackTimer !== null) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    const batch = this.pendingAcks;
    this.pendingAcks = [];
    if (batch.length > 0) this.track(this.ack(batch), false);
    return Promise.all(this.acksInFlight).then(() => undefined);
  }

  private async ack(batch: readonly SubmitResult[]): Promise<void> {
    try {
      const result = await this.deps.store.ackMt(this.deps.bindId, this.epoch, batch);
      for (let n = 0; n < result.applied.length; n += 1) this.events.messageSubmitted(this.deps.route.id, this.deps.bindIndex);
      if (result.refusedStaleEpoch.length > 0) {
        this.events.fenced('stale_epoch');
        this.log.warn({ refused: result.refusedStaleEpoch.length }, 'ack refused: the bind has a newer epoch');
      }
    } catch (error) {
      // The messages stay held, their leases renewed; the ack is tried again shortly.
      this.log.error({ err: error, messages: batch.length }, 'ack failed; retrying');
      if (!this.stopping) {
        setTimeout(() => {
          this.pendingAcks.push(...batch);
          void this.flushAcks();
        }, 1000);
      }
      return;
    }
    for (const result of batch) this.settle(result.id);
    this.pump();
  }

  private async settleNacks(nacks: readonly Nack[]): Promise<void> {
    try {
      const result = await this.deps.store.nackMt(this.deps.bindId, this.epoch, nacks);
      if (result.refusedStaleEpoch.length > 0) {
        this.events.fenced('stale_epoch');
        this.log.warn({ refused: result.refusedStaleEpoch.length }, 'nack refused: the bind has a newer epoch');
      }
    } catch (error) {
      this.log.error({ err: error, messages: nacks.length }, 'nack failed: the leases will lapse');
    }
    for (const nack of nacks) this.settle(nack.id);
  }

  /** The message's outcome is recorded (or given up): it no longer holds a lease nor window room. */
  private settle(id: MessageId): void {
    this.held.delete(id);
    const segments = this.unsettled.get(id);
    if (segments === undefined) return;
    this.unsettled.delete(id);
    this.unsettledSegments -= segments;
  }

  private renewLeases(): void {
    if (this.held.size === 0) return;
    const ids = [...this.held.keys()];
    this.deps.store.renewMtLeases(this.deps.bindId, this.epoch, ids, this.deps.options.leaseMs).catch((error: unknown) => {
      this.log.error({ err: error }, 'lease renewal failed');
    });
  }
}
