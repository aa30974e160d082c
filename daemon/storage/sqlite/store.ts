import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { ProvisioningSnapshot } from '../../domain/provisioning.js';
import type {
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
  AdminMtOutcome,
  MessageLookup,
  MessagePartView,
  MessageView,
  QueueDepth,
  MoInput,
  MoOutcome,
  MoPartInput,
  Nack,
  ProvisioningChange,
  QueueChangeResult,
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
import type {
  ScenarioDraw,
  ScenarioEntry,
  ScenarioRecord,
  ScenarioResults,
  ScenarioStepInput,
  ScenarioStepOutcome,
  StoredSubscriber,
} from '../scenario-port.js';
import type { Payout, PayoutAttemptOutcome, PayoutBudget, PayoutRequest, PayoutRequestOutcome, PayoutState } from '../payout-port.js';
import type { WebSessionKind, WebSessionRecord } from '../web-session-port.js';
import { DlrEventsSql } from './dlr-events.js';
import { GroupCommit, type CommitStats } from './group-commit.js';
import { InboundProblemsSql } from './inbound-problems.js';
import { migrate } from './migrate.js';
import { MtAdminSql } from './mt-admin.js';
import { MoSql } from './mo.js';
import { MtEnqueueSql } from './mt-enqueue.js';
import { MtQueueSql } from './mt-queue.js';
import { MtSweepSql } from './mt-sweep.js';
import { MtViewsSql } from './mt-views.js';
import { OutboxSql } from './outbox.js';
import { ProvisioningSql } from './provisioning.js';
import { PayoutsSql } from './payouts.js';
import { ReceiptsSql } from './receipts.js';
import { StatsSql } from './stats.js';
import { ScenariosSql } from './scenarios.js';
import { WebSessionsSql } from './web-sessions.js';

/**
 * The embedded Store on one SQLite file (WAL, synchronous=FULL) through one connection: the
 * embedded default runs as one process, and one writer is what makes group commit possible.
 * Every write goes through GroupCommit; reads run directly (they never see an open transaction,
 * since a group's transaction begins and ends within one synchronous call).
 * The process clock is the database clock here: there is one process.
 */
export interface SqliteStoreOptions {
  readonly path: string;
  readonly groupCommitMaxBatch: number;
  readonly queue: QueueSettings;
  readonly idempotencyRetentionMs: number;
  readonly demoFreeSegments: number;
  /** How long a write waits for a lock held by another connection (an operator's sqlite3 shell) before failing. */
  readonly busyTimeoutMs?: number;
}

interface Parts {
  readonly provisioning: ProvisioningSql;
  readonly enqueue: MtEnqueueSql;
  readonly queue: MtQueueSql;
  readonly sweep: MtSweepSql;
  readonly views: MtViewsSql;
  readonly receipts: ReceiptsSql;
  readonly outbox: OutboxSql;
  readonly mo: MoSql;
  readonly problems: InboundProblemsSql;
  readonly admin: MtAdminSql;
  readonly stats: StatsSql;
  readonly scenarios: ScenariosSql;
  readonly payouts: PayoutsSql;
  readonly webSessions: WebSessionsSql;
}

export class SqliteStore implements Store {
  private readonly groupCommit: GroupCommit;
  private prepared: Parts | null = null;

  constructor(private readonly db: Database.Database, private readonly options: SqliteStoreOptions) {
    this.groupCommit = new GroupCommit(db, options.groupCommitMaxBatch);
  }

  async migrate(): Promise<void> {
    migrate(this.db, Date.now());
    this.prepared ??= this.prepare();
  }

  private prepare(): Parts {
    const outbox = new OutboxSql(this.db);
    const dlr = new DlrEventsSql(this.db, outbox);
    const problems = new InboundProblemsSql(this.db);
    const receipts = new ReceiptsSql(this.db, dlr, problems);
    const views = new MtViewsSql(this.db, this.options.demoFreeSegments);
    const payouts = new PayoutsSql(this.db);
    const scenarios = new ScenariosSql(this.db, payouts);
    const webSessions = new WebSessionsSql(this.db);
    return {
      provisioning: new ProvisioningSql(this.db, scenarios, webSessions),
      enqueue: new MtEnqueueSql(this.db, this.options),
      queue: new MtQueueSql(this.db, this.options.queue, receipts, dlr),
      sweep: new MtSweepSql(this.db, this.options.queue, dlr),
      views,
      receipts,
      outbox,
      mo: new MoSql(this.db, outbox),
      problems,
      admin: new MtAdminSql(this.db, views, dlr),
      stats: new StatsSql(this.db),
      scenarios,
      payouts,
      webSessions,
    };
  }

  /** Commits what is pending, then closes; calling it again does nothing. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    this.groupCommit.flushAll();
    this.db.close();
  }

  /** Group-commit figures (commits, jobs per commit), for metrics and the adapter's own tests. */
  commitStats(): CommitStats {
    return this.groupCommit.stats();
  }

  async provisioningVersion(): Promise<number> {
    return this.parts.provisioning.version();
  }

  async loadProvisioning(): Promise<ProvisioningSnapshot> {
    return this.parts.provisioning.load();
  }

  applyProvisioning(changes: readonly ProvisioningChange[]): Promise<number> {
    const provisioning = this.parts.provisioning;
    return this.groupCommit.submit(() => provisioning.apply(changes));
  }

  async findNumberOverrides(msisdns: readonly string[]): Promise<ReadonlyMap<string, RouteId>> {
    return this.parts.provisioning.findOverrides(msisdns);
  }

  async countNumberOverrides(): Promise<number> {
    return this.parts.provisioning.overrideCount();
  }

  enqueueMt(requests: readonly EnqueueRequest[]): Promise<readonly EnqueueOutcome[]> {
    const enqueue = this.parts.enqueue;
    return this.groupCommit.submit(() => enqueue.enqueueAll(requests, Date.now()), Math.max(1, requests.length));
  }

  acquireBindEpoch(bindId: BindId): Promise<number> {
    const queue = this.parts.queue;
    return this.groupCommit.submit(() => queue.acquireEpoch(bindId));
  }

  async currentBindEpoch(bindId: BindId): Promise<number> {
    return this.parts.queue.currentEpoch(bindId);
  }

  claimMt(request: ClaimRequest): Promise<readonly ClaimedMt[]> {
    const queue = this.parts.queue;
    return this.groupCommit.submit(() => queue.claim(request, Date.now()));
  }

  ackMt(bindId: BindId, epoch: number, results: readonly SubmitResult[]): Promise<QueueChangeResult> {
    const queue = this.parts.queue;
    return this.groupCommit.submit(() => queue.ack(bindId, epoch, results, Date.now()));
  }

  recordSegmentIds(facts: readonly SegmentIdFact[]): Promise<void> {
    const queue = this.parts.queue;
    return this.groupCommit.submit(() => queue.recordSegmentIds(facts, Date.now()));
  }

  nackMt(bindId: BindId, epoch: number, nacks: readonly Nack[]): Promise<QueueChangeResult> {
    const queue = this.parts.queue;
    return this.groupCommit.submit(() => queue.nack(bindId, epoch, nacks, Date.now()));
  }

  renewMtLeases(bindId: BindId, epoch: number, ids: readonly MessageId[], leaseMs: number): Promise<QueueChangeResult> {
    const queue = this.parts.queue;
    return this.groupCommit.submit(() => queue.renew(bindId, epoch, ids, leaseMs, Date.now()));
  }

  resolveInDoubt(routeId: RouteId, policy: 'resend' | 'hold'): Promise<readonly MessageId[]> {
    const queue = this.parts.queue;
    return this.groupCommit.submit(() => queue.resolveInDoubt(routeId, policy, Date.now()));
  }

  sweepMt(): Promise<SweepResult> {
    const { sweep, receipts, outbox, mo, problems, webSessions } = this.parts;
    const retentionMs = this.options.queue.retentionMs;
    return this.groupCommit.submit((): SweepResult => {
      const now = Date.now();
      const cutoff = now - retentionMs;
      const mt = sweep.sweep(now);
      const receiptsUnmatched = receipts.expireHeld(now);
      const purged = outbox.purge(cutoff) + mo.purge(now, cutoff) + problems.purge(cutoff) + webSessions.purge(now);
      return { ...mt, purged: mt.purged + purged, receiptsUnmatched };
    });
  }

  async findMessage(clientId: ClientId, key: { readonly id: MessageId } | { readonly clientRef: string }): Promise<MessageView | null> {
    return this.parts.views.find(clientId, key);
  }

  async findMessageParts(clientId: ClientId, id: MessageId): Promise<readonly MessagePartView[]> {
    return this.parts.views.parts(clientId, id);
  }

  async clientBalance(clientId: ClientId): Promise<ClientBalance> {
    return this.parts.views.balance(clientId);
  }

  async queuedByClient(): Promise<ReadonlyMap<ClientId, number>> {
    return this.parts.views.queuedByClient();
  }

  queueSettings(): QueueSettings {
    return this.options.queue;
  }

  applyReceipt(receipt: ReceiptInput): Promise<ReceiptOutcome> {
    const receipts = this.parts.receipts;
    return this.groupCommit.submit(() => receipts.apply(receipt, Date.now()));
  }

  claimCallbacks(request: CallbackClaim): Promise<readonly CallbackEvent[]> {
    const outbox = this.parts.outbox;
    return this.groupCommit.submit(() => outbox.claim(request, Date.now()));
  }

  completeCallback(eventId: string, owner: string, outcome: CallbackOutcome): Promise<void> {
    const outbox = this.parts.outbox;
    return this.groupCommit.submit(() => outbox.complete(eventId, owner, outcome, Date.now()));
  }

  async listDeadCallbacks(filter: { readonly clientId?: ClientId; readonly limit: number }): Promise<readonly DeadCallback[]> {
    return this.parts.outbox.listDead(filter);
  }

  replayDeadCallbacks(selector: { readonly eventIds: readonly string[] } | { readonly clientId: ClientId }): Promise<number> {
    const outbox = this.parts.outbox;
    return this.groupCommit.submit(() => outbox.replay(selector, Date.now()));
  }

  deadLetterUnclaimedSmppCallbacks(waitedMs: number, lastError: string): Promise<number> {
    const outbox = this.parts.outbox;
    return this.groupCommit.submit(() => outbox.deadLetterUnclaimedSmpp(waitedMs, lastError, Date.now()));
  }

  async waitingSmppCallbacks(): Promise<ReadonlyMap<ClientId, WaitingSmppCallbacks>> {
    return this.parts.outbox.waitingSmpp(Date.now());
  }

  async callbackBacklog(): Promise<ReadonlyMap<ClientId, number>> {
    return this.parts.outbox.backlog();
  }

  holdMoPart(part: MoPartInput): Promise<{ readonly kind: 'held'; readonly partId: string } | { readonly kind: 'duplicate' }> {
    const mo = this.parts.mo;
    return this.groupCommit.submit(() => mo.hold(part));
  }

  async loadHeldMoParts(): Promise<readonly HeldMoPart[]> {
    return this.parts.mo.loadParts();
  }

  recordMo(input: MoInput): Promise<MoOutcome> {
    const mo = this.parts.mo;
    return this.groupCommit.submit(() => mo.record(input, Date.now()));
  }

  recordInboundProblem(problem: InboundProblemInput): Promise<void> {
    const problems = this.parts.problems;
    return this.groupCommit.submit(() => problems.record(problem, Date.now()));
  }

  async listInboundProblems(filter: { readonly limit: number; readonly kind?: InboundProblemKind }): Promise<readonly InboundProblem[]> {
    return this.parts.problems.list(filter);
  }

  async queueDepth(): Promise<readonly QueueDepth[]> {
    return this.parts.admin.queueDepth();
  }

  async lookupMessages(query: MessageLookup): Promise<readonly MessageView[]> {
    return this.parts.admin.search(query);
  }

  cancelMt(id: MessageId, detail: string): Promise<AdminMtOutcome> {
    const admin = this.parts.admin;
    return this.groupCommit.submit(() => admin.cancel(id, detail, Date.now()));
  }

  requeueMt(id: MessageId, detail: string): Promise<AdminMtOutcome> {
    const admin = this.parts.admin;
    return this.groupCommit.submit(() => admin.requeue(id, detail, Date.now()));
  }

  async statsSummary(window: StatsWindow): Promise<StatsSummary> {
    return this.parts.stats.summaryOf(window);
  }

  async statsSeries(request: StatsSeriesRequest): Promise<readonly StatsBucket[]> {
    return this.parts.stats.seriesOf(request);
  }

  async statsReport(kind: ReportKind, window: StatsWindow): Promise<readonly ReportRow[]> {
    return this.parts.stats.reportOf(kind, window);
  }

  async searchMessages(search: MessageSearch): Promise<readonly MessageSummary[]> {
    return this.parts.stats.find(search);
  }

  async callbackDepth(): Promise<readonly CallbackQueueDepth[]> {
    return this.parts.stats.callbackDepths();
  }

  async loadScenarios(): Promise<readonly ScenarioRecord[]> {
    return this.parts.scenarios.loadCurrent();
  }

  async scenarioVersions(scenarioId: string): Promise<readonly ScenarioRecord[]> {
    return this.parts.scenarios.versions(scenarioId);
  }

  async loadScenarioSubscriber(scenarioId: string, subscriber: string): Promise<StoredSubscriber> {
    return this.parts.scenarios.loadSubscriber(scenarioId, subscriber);
  }

  applyScenarioStep(step: ScenarioStepInput): Promise<ScenarioStepOutcome> {
    const scenarios = this.parts.scenarios;
    return this.groupCommit.submit(() => scenarios.applyStep(step, Date.now()));
  }

  async scenarioResults(scenarioId: string, options: { readonly leaderboard: number }): Promise<ScenarioResults> {
    return this.parts.scenarios.results(scenarioId, options.leaderboard);
  }

  async scenarioEntries(scenarioId: string): Promise<readonly ScenarioEntry[]> {
    return this.parts.scenarios.allEntries(scenarioId);
  }

  recordScenarioDraw(draw: ScenarioDraw): Promise<void> {
    const scenarios = this.parts.scenarios;
    return this.groupCommit.submit(() => scenarios.recordDraw(draw));
  }

  requestPayout(request: PayoutRequest): Promise<PayoutRequestOutcome> {
    const payouts = this.parts.payouts;
    return this.groupCommit.submit(() => payouts.request(request, Date.now()));
  }

  setPayoutBudget(clientId: ClientId, currency: string, budgetMinor: number): Promise<void> {
    const payouts = this.parts.payouts;
    return this.groupCommit.submit(() => payouts.budget(clientId, currency, budgetMinor));
  }

  async payoutBudget(clientId: ClientId): Promise<PayoutBudget | null> {
    return this.parts.payouts.budgetView(clientId);
  }

  claimPayouts(request: { readonly owner: string; readonly limit: number; readonly leaseMs: number }): Promise<readonly Payout[]> {
    const payouts = this.parts.payouts;
    return this.groupCommit.submit(() => payouts.claim(request.owner, request.limit, request.leaseMs, Date.now()));
  }

  completePayoutAttempt(id: string, owner: string, outcome: PayoutAttemptOutcome): Promise<boolean> {
    const payouts = this.parts.payouts;
    return this.groupCommit.submit(() => payouts.completeAttempt(id, owner, outcome, Date.now()));
  }

  async listPayouts(filter: { readonly clientId?: ClientId; readonly state?: PayoutState; readonly limit: number }): Promise<readonly Payout[]> {
    return this.parts.payouts.listAll(filter);
  }

  retryPayout(id: string): Promise<'requested' | 'not-failed' | 'over-budget' | 'not-found'> {
    const payouts = this.parts.payouts;
    return this.groupCommit.submit(() => payouts.retry(id, Date.now()));
  }

  createWebSession(session: WebSessionRecord): Promise<void> {
    const webSessions = this.parts.webSessions;
    return this.groupCommit.submit(() => webSessions.create(session));
  }

  async findWebSession(idSha256: string, kind: WebSessionKind, now: Date): Promise<WebSessionRecord | null> {
    return this.parts.webSessions.find(idSha256, kind, now.getTime());
  }

  extendWebSession(idSha256: string, expiresAt: Date): Promise<void> {
    const webSessions = this.parts.webSessions;
    return this.groupCommit.submit(() => webSessions.extend(idSha256, expiresAt.getTime()));
  }

  setWebSessionLang(idSha256: string, lang: string): Promise<void> {
    const webSessions = this.parts.webSessions;
    return this.groupCommit.submit(() => webSessions.setLang(idSha256, lang));
  }

  deleteWebSession(idSha256: string): Promise<void> {
    const webSessions = this.parts.webSessions;
    return this.groupCommit.submit(() => webSessions.delete(idSha256));
  }

  /** Statements are prepared once the tables exist, i.e. after migrate(). */
  private get parts(): Parts {
    if (this.prepared === null) throw new Error('SQLite store: call migrate() before using the store');
    return this.prepared;
  }
}

/** Opens (creating the file and its folder if needed) a SQLite store; call migrate() before use. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 1000))}`);
  return new SqliteStore(db, options);
}
