import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { ProvisioningSnapshot } from '../../domain/provisioning.js';
import type {
  AdminMtOutcome,
  CallbackClaim,
  CallbackEvent,
  CallbackOutcome,
  ClaimRequest,
  ClaimedMt,
  ClientBalance,
  DeadCallback,
  EnqueueOutcome,
  EnqueueRequest,
  HeldMoPart,
  InboundProblem,
  InboundProblemInput,
  InboundProblemKind,
  MessageLookup,
  MessagePartView,
  MessageView,
  MoInput,
  MoOutcome,
  MoPartInput,
  Nack,
  ProvisioningChange,
  QueueChangeResult,
  QueueDepth,
  QueueSettings,
  ReceiptInput,
  ReceiptOutcome,
  SegmentIdFact,
  Store,
  SubmitResult,
  SweepResult,
  WaitingSmppCallbacks,
} from '../port.js';
import type { CallbackQueueDepth, MessageSearch, MessageSummary, ReportKind, ReportRow, StatsBucket, StatsSeriesRequest, StatsSummary, StatsWindow } from '../stats-port.js';
import { Database, type DatabaseOptions } from './database.js';
import { ensureDayPartitions } from './day-partitions.js';
import { GroupCommit } from './group-commit.js';
import { DbaViewsSql, type QueueHealth } from './dba-views.js';
import { DlrEventsSql } from './dlr-events.js';
import { InboundProblemsSql } from './inbound-problems.js';
import { migrate } from './migrate.js';
import { MtAdminSql } from './mt-admin.js';
import { MoSql } from './mo.js';
import { MtEnqueueSql } from './mt-enqueue.js';
import { MtQueueSql } from './mt-queue.js';
import { MtSweepSql } from './mt-sweep.js';
import { MtViewsSql } from './mt-views.js';
import { OutboxSql, type Completion } from './outbox.js';
import { ProvisioningSql } from './provisioning.js';
import { ReceiptsSql } from './receipts.js';
import type { Payout, PayoutAttemptOutcome, PayoutBudget, PayoutRequest, PayoutRequestOutcome, PayoutState } from '../payout-port.js';
import type {
  ScenarioDraw,
  ScenarioEntry,
  ScenarioRecord,
  ScenarioResults,
  ScenarioStepInput,
  ScenarioStepOutcome,
  StoredSubscriber,
} from '../scenario-port.js';
import { PayoutsSql } from './payouts.js';
import { ScenariosSql } from './scenarios.js';
import { StatsSql } from './stats.js';
import { NotifyThrottle, PostgresWakeups } from './wakeups.js';
import { WebSessionsSql } from './web-sessions.js';
import type { WebSessionKind, WebSessionRecord } from '../web-session-port.js';

/**
 * The Store on a shared PostgreSQL database (13 or later), for a cluster of nodes: every node opens
 * its own pool to the same database. Each port call is one short transaction, or one statement on
 * its own (reads and single-statement writes, which skip BEGIN and COMMIT);
 * none stays open while the caller does network I/O. Leases, deadlines and every `now` come from the
 * database's clock (ms_now()). Layout, retention and migrations: docs/storage.md, "PostgreSQL".
 */
export interface PostgresStoreOptions extends DatabaseOptions {
  readonly queue: QueueSettings;
  /** Most enqueue requests that share one transaction (default 2000). */
  readonly groupCommitMaxBatch?: number;
  readonly idempotencyRetentionMs: number;
  readonly demoFreeSegments: number;
}

/** Most callback outcomes that share one UPDATE: enough for a burst, small enough to keep it brief. */
const completionMaxBatch = 1000;

export class PostgresStore implements Store {
  readonly db: Database;
  /** Its session is opened by the first subscriber (a daemon's dispatch or callback sender), not by smsprocctl. */
  readonly wakeups: PostgresWakeups;
  private readonly notifies: NotifyThrottle;
  private readonly provisioning: ProvisioningSql;
  private readonly enqueue: MtEnqueueSql;
  private readonly queue: MtQueueSql;
  private readonly sweep: MtSweepSql;
  private readonly views: MtViewsSql;
  private readonly receipts: ReceiptsSql;
  private readonly outbox: OutboxSql;
  private readonly mo: MoSql;
  private readonly problems: InboundProblemsSql;
  private readonly batcher: GroupCommit<EnqueueRequest, EnqueueOutcome>;
  private readonly completions: GroupCommit<Completion, void>;
  private readonly admin: MtAdminSql;
  private readonly stats = new StatsSql();
  private readonly webSessions = new WebSessionsSql();

  constructor(private readonly options: PostgresStoreOptions) {
    this.db = new Database(options);
    this.wakeups = new PostgresWakeups({
      url: options.url,
      applicationName: `${options.applicationName ?? 'smsproc'}/listen`,
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    });
    this.notifies = new NotifyThrottle((channel, payload) => this.db.rows('SELECT pg_notify($1, $2)', [channel, payload]));
    this.outbox = new OutboxSql(this.notifies);
    const dlr = new DlrEventsSql(this.notifies);
    this.problems = new InboundProblemsSql();
    this.receipts = new ReceiptsSql(this.problems, this.notifies);
    this.provisioning = new ProvisioningSql(this.db);
    this.enqueue = new MtEnqueueSql(options, this.notifies);
    this.queue = new MtQueueSql(this.db, options.queue, this.receipts, dlr);
    this.sweep = new MtSweepSql(this.db, options.queue, dlr);
    this.views = new MtViewsSql(options.demoFreeSegments);
    this.mo = new MoSql(this.outbox);
    this.admin = new MtAdminSql(this.views, dlr);
    // Half the pool for enqueue groups leaves connections for claims, acks and receipts.
    this.batcher = new GroupCommit(
      (requests) => this.db.transaction((sql, now) => this.enqueue.enqueueAll(sql, requests, now)),
      options.groupCommitMaxBatch ?? 2000,
      Math.max(1, Math.floor(options.poolSize / 2)),
    );
    // Callback outcomes arrive one per finished HTTP request, thousands a second under load: with
    // half the pool busy recording them, the next ones wait and share one UPDATE. Not fewer: a
    // group waits its turn in the pool's queue, and a sender frees a slot only once its outcome is
    // recorded, so a smaller limit lengthens every callback's cycle when the pool is contended.
    this.completions = new GroupCommit<Completion, void>(
      async (completions) => {
        await this.outbox.complete(this.db, completions);
        return completions.map(() => undefined);
      },
      completionMaxBatch,
      Math.max(1, Math.floor(options.poolSize / 2)),
    );
  }

  async migrate(): Promise<void> {
    await migrate(this.db);
    await ensureDayPartitions(this.db);
  }

  async close(): Promise<void> {
    this.notifies.close();
    await this.wakeups.close();
    await this.db.close();
  }

  provisioningVersion(): Promise<number> {
    return this.provisioning.version();
  }

  loadProvisioning(): Promise<ProvisioningSnapshot> {
    return this.provisioning.load();
  }

  applyProvisioning(changes: readonly ProvisioningChange[]): Promise<number> {
    return this.provisioning.apply(changes);
  }

  findNumberOverrides(msisdns: readonly string[]): Promise<ReadonlyMap<string, RouteId>> {
    return this.provisioning.findOverrides(msisdns);
  }

  countNumberOverrides(): Promise<number> {
    return this.provisioning.overrideCount();
  }

  enqueueMt(requests: readonly EnqueueRequest[]): Promise<readonly EnqueueOutcome[]> {
    return this.batcher.submit(requests);
  }

  acquireBindEpoch(bindId: BindId): Promise<number> {
    return this.queue.acquireEpoch(bindId);
  }

  currentBindEpoch(bindId: BindId): Promise<number> {
    return this.queue.currentEpoch(bindId);
  }

  claimMt(request: ClaimRequest): Promise<readonly ClaimedMt[]> {
    return this.queue.claim(request);
  }

  ackMt(bindId: BindId, epoch: number, results: readonly SubmitResult[]): Promise<QueueChangeResult> {
    return this.queue.ack(bindId, epoch, results);
  }

  nackMt(bindId: BindId, epoch: number, nacks: readonly Nack[]): Promise<QueueChangeResult> {
    return this.queue.nack(bindId, epoch, nacks);
  }

  renewMtLeases(bindId: BindId, epoch: number, ids: readonly MessageId[], leaseMs: number): Promise<QueueChangeResult> {
    return this.queue.renew(bindId, epoch, ids, leaseMs);
  }

  resolveInDoubt(routeId: RouteId, policy: 'resend' | 'hold'): Promise<readonly MessageId[]> {
    return this.queue.resolveInDoubt(routeId, policy);
  }

  async sweepMt(): Promise<SweepResult> {
    const retentionMs = this.options.queue.retentionMs;
    const mt = await this.sweep.sweep();
    const receiptsUnmatched = await this.db.transaction((sql, now) => this.receipts.expireHeld(sql, now));
    const purged = await this.db.transaction(async (sql, now) => {
      const cutoff = now - retentionMs;
      return (await this.outbox.purge(sql, cutoff)) + (await this.mo.purge(sql, now, cutoff)) + (await this.problems.purge(sql, cutoff))
        + (await this.webSessions.purge(sql, now));
    });
    return { ...mt, purged: mt.purged + purged, receiptsUnmatched };
  }

  findMessage(clientId: ClientId, key: { readonly id: MessageId } | { readonly clientRef: string }): Promise<MessageView | null> {
    return this.db.transaction((sql) => this.views.find(sql, clientId, key), 'snapshot');
  }

  clientBalance(clientId: ClientId): Promise<ClientBalance> {
    return this.views.balance(this.db, clientId);
  }

  queuedByClient(): Promise<ReadonlyMap<ClientId, number>> {
    return this.views.queuedByClient(this.db);
  }

  queueSettings(): QueueSettings {
    return this.options.queue;
  }

  applyReceipt(receipt: ReceiptInput): Promise<ReceiptOutcome> {
    // One statement (apply_receipt), its own transaction: no session idles in a transaction between round trips.
    return this.receipts.apply(this.db, receipt);
  }

  claimCallbacks(request: CallbackClaim): Promise<readonly CallbackEvent[]> {
    return this.db.transaction((sql, now) => this.outbox.claim(sql, request, now));
  }

  async completeCallback(eventId: string, owner: string, outcome: CallbackOutcome): Promise<void> {
    // Resolves once the statement carrying this outcome (with others that arrived meanwhile) committed.
    await this.completions.submit([{ eventId, owner, outcome }]);
  }

  listDeadCallbacks(filter: { readonly clientId?: ClientId; readonly limit: number }): Promise<readonly DeadCallback[]> {
    return this.outbox.listDead(this.db, filter);
  }

  replayDeadCallbacks(selector: { readonly eventIds: readonly string[] } | { readonly clientId: ClientId }): Promise<number> {
    return this.outbox.replay(this.db, selector);
  }

  deadLetterUnclaimedSmppCallbacks(waitedMs: number, lastError: string): Promise<number> {
    return this.outbox.deadLetterUnclaimedSmpp(this.db, waitedMs, lastError);
  }

  waitingSmppCallbacks(): Promise<ReadonlyMap<ClientId, WaitingSmppCallbacks>> {
    return this.outbox.waitingSmpp(this.db);
  }

  callbackBacklog(): Promise<ReadonlyMap<ClientId, number>> {
    return this.outbox.backlog(this.db);
  }

  holdMoPart(part: MoPartInput): Promise<{ readonly kind: 'held'; readonly partId: string } | { readonly kind: 'duplicate' }> {
    return this.mo.hold(this.db, part);
  }

  loadHeldMoParts(): Promise<readonly HeldMoPart[]> {
    return this.mo.loadParts(this.db);
  }

  recordMo(input: MoInput): Promise<MoOutcome> {
    return this.db.transaction((sql, now) => this.mo.record(sql, input, now));
  }

  recordInboundProblem(problem: InboundProblemInput): Promise<void> {
    return this.db.transaction((sql, now) => this.problems.record(sql, problem, now));
  }

  listInboundProblems(filter: { readonly limit: number; readonly kind?: InboundProblemKind }): Promise<readonly InboundProblem[]> {
    return this.problems.list(this.db, filter);
  }

  createWebSession(session: WebSessionRecord): Promise<void> {
    return this.webSessions.create(this.db, session);
  }

  findWebSession(idSha256: string, kind: WebSessionKind, now: Date): Promise<WebSessionRecord | null> {
    return this.webSessions.find(this.db, idSha256, kind, now);
  }

  extendWebSession(idSha256: string, expiresAt: Date): Promise<void> {
    return this.webSessions.extend(this.db, idSha256, expiresAt);
  }

  setWebSessionLang(idSha256: string, lang: string): Promise<void> {
    return this.webSessions.setLang(this.db, idSha256, lang);
  }

  deleteWebSession(idSha256: string): Promise<void> {
    return this.webSessions.delete(this.db, idSha256);
  }

  // Scenarios and payouts (scenario-port.ts, payout-port.ts): scenarios.ts and payouts.ts.

  private readonly payouts = new PayoutsSql();
  private readonly scenarios = new ScenariosSql(this.payouts);

  loadScenarios(): Promise<readonly ScenarioRecord[]> {
    return this.scenarios.loadCurrent(this.db);
  }

  scenarioVersions(scenarioId: string): Promise<readonly ScenarioRecord[]> {
    return this.scenarios.versions(this.db, scenarioId);
  }

  loadScenarioSubscriber(scenarioId: string, subscriber: string): Promise<StoredSubscriber> {
    return this.scenarios.loadSubscriber(this.db, scenarioId, subscriber);
  }

  applyScenarioStep(step: ScenarioStepInput): Promise<ScenarioStepOutcome> {
    return this.scenarios.applyStep(this.db, step);
  }

  scenarioResults(scenarioId: string, options: { readonly leaderboard: number }): Promise<ScenarioResults> {
    return this.scenarios.results(this.db, scenarioId, options.leaderboard);
  }

  scenarioEntries(scenarioId: string): Promise<readonly ScenarioEntry[]> {
    return this.scenarios.allEntries(this.db, scenarioId);
  }

  recordScenarioDraw(draw: ScenarioDraw): Promise<void> {
    return this.scenarios.recordDraw(this.db, draw);
  }

  requestPayout(request: PayoutRequest): Promise<PayoutRequestOutcome> {
    return this.db.transaction((sql, now) => this.payouts.request(sql, request, now));
  }

  setPayoutBudget(clientId: ClientId, currency: string, budgetMinor: number): Promise<void> {
    return this.payouts.setBudget(this.db, clientId, currency, budgetMinor);
  }

  payoutBudget(clientId: ClientId): Promise<PayoutBudget | null> {
    return this.db.transaction((sql) => this.payouts.budgetView(sql, clientId), 'snapshot');
  }

  claimPayouts(request: { readonly owner: string; readonly limit: number; readonly leaseMs: number }): Promise<readonly Payout[]> {
    return this.db.transaction((sql, now) => this.payouts.claim(sql, request.owner, request.limit, request.leaseMs, now));
  }

  completePayoutAttempt(id: string, owner: string, outcome: PayoutAttemptOutcome): Promise<boolean> {
    return this.db.transaction((sql, now) => this.payouts.completeAttempt(sql, id, owner, outcome, now));
  }

  listPayouts(filter: { readonly clientId?: ClientId; readonly state?: PayoutState; readonly limit: number }): Promise<readonly Payout[]> {
    return this.payouts.list(this.db, filter);
  }

  retryPayout(id: string): Promise<'requested' | 'not-failed' | 'over-budget' | 'not-found'> {
    return this.db.transaction((sql, now) => this.payouts.retry(sql, id, now));
  }

  // --- Segment detail, operations and statistics (sql/postgres/002_operations.sql) --------------------

  recordSegmentIds(facts: readonly SegmentIdFact[]): Promise<void> {
    return this.queue.recordSegmentIds(facts);
  }

  findMessageParts(clientId: ClientId, id: MessageId): Promise<readonly MessagePartView[]> {
    return this.views.parts(this.db, clientId, id);
  }

  queueDepth(): Promise<readonly QueueDepth[]> {
    return this.admin.queueDepth(this.db);
  }

  lookupMessages(query: MessageLookup): Promise<readonly MessageView[]> {
    return this.db.transaction((sql) => this.admin.search(sql, query), 'snapshot');
  }

  cancelMt(id: MessageId, detail: string): Promise<AdminMtOutcome> {
    return this.db.transaction((sql, now) => this.admin.cancel(sql, id, detail, now));
  }

  requeueMt(id: MessageId, detail: string): Promise<AdminMtOutcome> {
    return this.db.transaction((sql, now) => this.admin.requeue(sql, id, detail, now));
  }

  statsSummary(window: StatsWindow): Promise<StatsSummary> {
    return this.stats.summaryOf(this.db, window);
  }

  statsSeries(request: StatsSeriesRequest): Promise<readonly StatsBucket[]> {
    return this.stats.seriesOf(this.db, request);
  }

  statsReport(kind: ReportKind, window: StatsWindow): Promise<readonly ReportRow[]> {
    return this.stats.reportOf(this.db, kind, window);
  }

  searchMessages(search: MessageSearch): Promise<readonly MessageSummary[]> {
    return this.stats.find(this.db, search);
  }

  callbackDepth(): Promise<readonly CallbackQueueDepth[]> {
    return this.stats.callbackDepth(this.db);
  }

  // --- DBA views (not in the port: dba-views.ts, QueueHealthSource) ---------------------------------

  private readonly dbaViews = new DbaViewsSql();

  /** The DBA views' rows, for `smsprocctl queues --health`. */
  queueHealth(): Promise<QueueHealth> {
    return this.dbaViews.read(this.db);
  }
}

/** Opens a pool to the database (connecting lazily); call migrate() before use. */
export function openPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}
