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
import type {
  MessageSearch,
  MessageSummary,
  CallbackQueueDepth,
  ReportKind,
  ReportRow,
  StatsBucket,
  StatsSeriesRequest,
  StatsSummary,
  StatsWindow,
} from '../stats-port.js';
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
import type { WebSessionKind, WebSessionRecord } from '../web-session-port.js';
import type { OracleSessionPool } from './aq-session.js';
import { createOracledbPool, type OracleConnectOptions } from './oracledb-session.js';
import * as problems from './inbound-problems.js';
import * as mo from './mo.js';
import * as admin from './mt-admin.js';
import { enqueueAll } from './mt-enqueue.js';
import * as queue from './mt-queue.js';
import { sweep } from './mt-sweep.js';
import * as views from './mt-views.js';
import { oracleErrorCode } from './oracle-errors.js';
import * as outbox from './outbox.js';
import * as payouts from './payouts.js';
import * as provisioning from './provisioning.js';
import * as receipts from './receipts.js';
import * as scenarios from './scenarios.js';
import { ORACLE_SCHEMA_VERSION, oracleQueries } from './sql-files.js';
import * as stats from './stats.js';
import { inTransaction } from './transaction.js';
import * as webSessions from './web-sessions.js';

/**
 * The Store on Oracle Advanced Queuing (docs/oracle.md). Every method is one short transaction on
 * a pooled Thin-mode session (transaction.ts); no transaction is held across network I/O of the
 * caller. AQ holds the MT messages that wait; the ledger, receipts, the callback outbox, MO, the
 * inbound problem log, scenarios, payouts and web sessions are tables. The adapter has not yet run against an Oracle server.
 */
export interface OracleStoreOptions {
  readonly queue: QueueSettings;
  readonly idempotencyRetentionMs: number;
  readonly demoFreeSegments: number;
}

const schema = oracleQueries('schema');

export class OracleStore implements Store {
  constructor(private readonly pool: OracleSessionPool, private readonly options: OracleStoreOptions) {}

  /**
   * The schema is installed by a DBA (sql/oracle/); this checks that it is there, not newer than this
   * code, and has the tables added within version 1 that this code uses (045_scenarios_payouts.sql,
   * 047_web_sessions.sql).
   */
  async migrate(): Promise<void> {
    const missing = (error: unknown): boolean => oracleErrorCode(error) === 'ORA-00942';
    const version = await inTransaction(this.pool, async (session) => {
      try {
        return (await session.execute<{ VERSION: number }>(schema('version'), {})).rows[0]?.VERSION ?? 0;
      } catch (error) {
        if (missing(error)) return 0;
        throw error;
      }
    });
    if (version === 0) throw new Error('Oracle schema is not installed: a DBA runs sql/oracle/admin and sql/oracle/schema (docs/oracle.md)');
    if (version > ORACLE_SCHEMA_VERSION) {
      throw new Error(`Oracle schema version ${version} is newer than this smsproc understands (${ORACLE_SCHEMA_VERSION}); upgrade smsproc`);
    }
    await inTransaction(this.pool, (session) => session.execute(schema('scenarioTables'), {})).catch((error: unknown) => {
      if (!missing(error)) throw error;
      throw new Error('Oracle schema lacks the scenario and payout tables: a DBA runs sql/oracle/schema/045_scenarios_payouts.sql and 060_grants.sql (docs/oracle.md)');
    });
    await inTransaction(this.pool, (session) => session.execute(schema('webSessionTable'), {})).catch((error: unknown) => {
      if (!missing(error)) throw error;
      throw new Error('Oracle schema lacks the web session table: a DBA runs sql/oracle/schema/047_web_sessions.sql and 060_grants.sql (docs/oracle.md)');
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  provisioningVersion(): Promise<number> {
    return inTransaction(this.pool, provisioning.provisioningVersion);
  }

  loadProvisioning(): Promise<ProvisioningSnapshot> {
    return inTransaction(this.pool, provisioning.loadProvisioning);
  }

  applyProvisioning(changes: readonly ProvisioningChange[]): Promise<number> {
    return inTransaction(this.pool, (session) => provisioning.applyProvisioning(session, changes));
  }

  findNumberOverrides(msisdns: readonly string[]): Promise<ReadonlyMap<string, RouteId>> {
    return inTransaction(this.pool, (session) => provisioning.findNumberOverrides(session, msisdns));
  }

  countNumberOverrides(): Promise<number> {
    return inTransaction(this.pool, provisioning.countNumberOverrides);
  }

  enqueueMt(requests: readonly EnqueueRequest[]): Promise<readonly EnqueueOutcome[]> {
    return inTransaction(this.pool, (session) => enqueueAll(session, requests, this.options, new Date()));
  }

  acquireBindEpoch(bindId: BindId): Promise<number> {
    return inTransaction(this.pool, (session) => queue.acquireEpoch(session, bindId));
  }

  currentBindEpoch(bindId: BindId): Promise<number> {
    return inTransaction(this.pool, (session) => queue.currentEpoch(session, bindId));
  }

  claimMt(request: ClaimRequest): Promise<readonly ClaimedMt[]> {
    return inTransaction(this.pool, (session) => queue.claim(session, request));
  }

  ackMt(bindId: BindId, epoch: number, results: readonly SubmitResult[]): Promise<QueueChangeResult> {
    return inTransaction(this.pool, (session) => queue.ack(session, bindId, epoch, results, new Date()));
  }

  nackMt(bindId: BindId, epoch: number, nacks: readonly Nack[]): Promise<QueueChangeResult> {
    return inTransaction(this.pool, (session) => queue.nack(session, this.options.queue, bindId, epoch, nacks, new Date()));
  }

  renewMtLeases(bindId: BindId, epoch: number, ids: readonly MessageId[], leaseMs: number): Promise<QueueChangeResult> {
    return inTransaction(this.pool, (session) => queue.renew(session, bindId, epoch, ids, leaseMs));
  }

  resolveInDoubt(routeId: RouteId, policy: 'resend' | 'hold'): Promise<readonly MessageId[]> {
    return inTransaction(this.pool, (session) => queue.resolveInDoubt(session, routeId, policy, new Date()));
  }

  sweepMt(): Promise<SweepResult> {
    return inTransaction(this.pool, (session) => sweep(session, this.options.queue, new Date()));
  }

  findMessage(clientId: ClientId, key: { readonly id: MessageId } | { readonly clientRef: string }): Promise<MessageView | null> {
    return inTransaction(this.pool, (session) => views.findMessage(session, clientId, key));
  }

  clientBalance(clientId: ClientId): Promise<ClientBalance> {
    return inTransaction(this.pool, (session) => views.clientBalance(session, clientId, this.options.demoFreeSegments));
  }

  queuedByClient(): Promise<ReadonlyMap<ClientId, number>> {
    return inTransaction(this.pool, views.queuedByClient);
  }

  queueSettings(): QueueSettings {
    return this.options.queue;
  }

  applyReceipt(receipt: ReceiptInput): Promise<ReceiptOutcome> {
    return inTransaction(this.pool, (session) => receipts.applyReceipt(session, receipt, new Date()));
  }

  claimCallbacks(request: CallbackClaim): Promise<readonly CallbackEvent[]> {
    return inTransaction(this.pool, (session) => outbox.claimEvents(session, request));
  }

  completeCallback(eventId: string, owner: string, outcome: CallbackOutcome): Promise<void> {
    return inTransaction(this.pool, (session) => outbox.completeEvent(session, eventId, owner, outcome));
  }

  listDeadCallbacks(filter: { readonly clientId?: ClientId; readonly limit: number }): Promise<readonly DeadCallback[]> {
    return inTransaction(this.pool, (session) => outbox.listDead(session, filter));
  }

  replayDeadCallbacks(selector: { readonly eventIds: readonly string[] } | { readonly clientId: ClientId }): Promise<number> {
    return inTransaction(this.pool, (session) => outbox.replayDead(session, selector));
  }

  deadLetterUnclaimedSmppCallbacks(waitedMs: number, lastError: string): Promise<number> {
    return inTransaction(this.pool, (session) => outbox.deadLetterUnclaimedSmpp(session, waitedMs, lastError));
  }

  waitingSmppCallbacks(): Promise<ReadonlyMap<ClientId, WaitingSmppCallbacks>> {
    return inTransaction(this.pool, outbox.waitingSmpp);
  }

  callbackBacklog(): Promise<ReadonlyMap<ClientId, number>> {
    return inTransaction(this.pool, outbox.backlog);
  }

  holdMoPart(part: MoPartInput): Promise<{ readonly kind: 'held'; readonly partId: string } | { readonly kind: 'duplicate' }> {
    return inTransaction(this.pool, (session) => mo.holdPart(session, part));
  }

  loadHeldMoParts(): Promise<readonly HeldMoPart[]> {
    return inTransaction(this.pool, mo.loadParts);
  }

  recordMo(input: MoInput): Promise<MoOutcome> {
    return inTransaction(this.pool, (session) => mo.recordMo(session, input));
  }

  recordInboundProblem(problem: InboundProblemInput): Promise<void> {
    return inTransaction(this.pool, (session) => problems.recordProblem(session, problem));
  }

  listInboundProblems(filter: { readonly limit: number; readonly kind?: InboundProblemKind }): Promise<readonly InboundProblem[]> {
    return inTransaction(this.pool, (session) => problems.listProblems(session, filter));
  }

  queueDepth(): Promise<readonly QueueDepth[]> {
    return inTransaction(this.pool, admin.queueDepth);
  }

  lookupMessages(query: MessageLookup): Promise<readonly MessageView[]> {
    return inTransaction(this.pool, (session) => admin.lookupMessages(session, query));
  }

  cancelMt(id: MessageId, detail: string): Promise<AdminMtOutcome> {
    return inTransaction(this.pool, (session) => admin.cancelMt(session, id, detail, new Date()));
  }

  requeueMt(id: MessageId, detail: string): Promise<AdminMtOutcome> {
    return inTransaction(this.pool, (session) => admin.requeueMt(session, id, detail, new Date()));
  }

  statsSummary(window: StatsWindow): Promise<StatsSummary> {
    return inTransaction(this.pool, (session) => stats.statsSummary(session, window));
  }

  statsSeries(request: StatsSeriesRequest): Promise<readonly StatsBucket[]> {
    return inTransaction(this.pool, (session) => stats.statsSeries(session, request));
  }

  statsReport(kind: ReportKind, window: StatsWindow): Promise<readonly ReportRow[]> {
    return inTransaction(this.pool, (session) => stats.statsReport(session, kind, window));
  }

  searchMessages(search: MessageSearch): Promise<readonly MessageSummary[]> {
    return inTransaction(this.pool, (session) => stats.searchMessages(session, search));
  }

  callbackDepth(): Promise<readonly CallbackQueueDepth[]> {
    return inTransaction(this.pool, stats.callbackDepth);
  }

  loadScenarios(): Promise<readonly ScenarioRecord[]> {
    return inTransaction(this.pool, scenarios.loadCurrent);
  }

  scenarioVersions(scenarioId: string): Promise<readonly ScenarioRecord[]> {
    return inTransaction(this.pool, (session) => scenarios.versions(session, scenarioId));
  }

  loadScenarioSubscriber(scenarioId: string, subscriber: string): Promise<StoredSubscriber> {
    return inTransaction(this.pool, (session) => scenarios.loadSubscriber(session, scenarioId, subscriber));
  }

  applyScenarioStep(step: ScenarioStepInput): Promise<ScenarioStepOutcome> {
    return inTransaction(this.pool, (session) => scenarios.applyStep(session, step));
  }

  scenarioResults(scenarioId: string, options: { readonly leaderboard: number }): Promise<ScenarioResults> {
    return inTransaction(this.pool, (session) => scenarios.results(session, scenarioId, options.leaderboard));
  }

  scenarioEntries(scenarioId: string): Promise<readonly ScenarioEntry[]> {
    return inTransaction(this.pool, (session) => scenarios.allEntries(session, scenarioId));
  }

  recordScenarioDraw(draw: ScenarioDraw): Promise<void> {
    return inTransaction(this.pool, (session) => scenarios.recordDraw(session, draw));
  }

  requestPayout(request: PayoutRequest): Promise<PayoutRequestOutcome> {
    return inTransaction(this.pool, (session) => payouts.requestPayout(session, request));
  }

  setPayoutBudget(clientId: ClientId, currency: string, budgetMinor: number): Promise<void> {
    return inTransaction(this.pool, (session) => payouts.setBudget(session, clientId, currency, budgetMinor));
  }

  payoutBudget(clientId: ClientId): Promise<PayoutBudget | null> {
    return inTransaction(this.pool, (session) => payouts.budgetView(session, clientId));
  }

  claimPayouts(request: { readonly owner: string; readonly limit: number; readonly leaseMs: number }): Promise<readonly Payout[]> {
    return inTransaction(this.pool, (session) => payouts.claim(session, request.owner, request.limit, request.leaseMs));
  }

  completePayoutAttempt(id: string, owner: string, outcome: PayoutAttemptOutcome): Promise<boolean> {
    return inTransaction(this.pool, (session) => payouts.completeAttempt(session, id, owner, outcome));
  }

  listPayouts(filter: { readonly clientId?: ClientId; readonly state?: PayoutState; readonly limit: number }): Promise<readonly Payout[]> {
    return inTransaction(this.pool, (session) => payouts.listAll(session, filter));
  }

  retryPayout(id: string): Promise<'requested' | 'not-failed' | 'over-budget' | 'not-found'> {
    return inTransaction(this.pool, (session) => payouts.retry(session, id));
  }

  createWebSession(record: WebSessionRecord): Promise<void> {
    return inTransaction(this.pool, (session) => webSessions.createSession(session, record));
  }

  findWebSession(idSha256: string, kind: WebSessionKind, now: Date): Promise<WebSessionRecord | null> {
    return inTransaction(this.pool, (session) => webSessions.findSession(session, idSha256, kind, now));
  }

  extendWebSession(idSha256: string, expiresAt: Date): Promise<void> {
    return inTransaction(this.pool, (session) => webSessions.extendSession(session, idSha256, expiresAt));
  }

  setWebSessionLang(idSha256: string, lang: string): Promise<void> {
    return inTransaction(this.pool, (session) => webSessions.setSessionLang(session, idSha256, lang));
  }

  deleteWebSession(idSha256: string): Promise<void> {
    return inTransaction(this.pool, (session) => webSessions.deleteSession(session, idSha256));
  }

  // --- Per-part detail (SegmentIdFact, MessagePartView) -----------------------------------------

  recordSegmentIds(facts: readonly SegmentIdFact[]): Promise<void> {
    return inTransaction(this.pool, (session) => queue.recordSegmentIds(session, facts, new Date()));
  }

  findMessageParts(clientId: ClientId, id: MessageId): Promise<readonly MessagePartView[]> {
    return inTransaction(this.pool, (session) => views.findMessageParts(session, clientId, id));
  }
}

/** Opens a Thin-mode pool (no connection yet) and the store on it; call migrate() to check the schema. */
export async function openOracleStore(connect: OracleConnectOptions, options: OracleStoreOptions): Promise<OracleStore> {
  return new OracleStore(await createOracledbPool(connect), options);
}
