/**
 * The Store port: the only way to durable state. Every method is async and resolves only after what
 * it changed is durable (committed; with the SQLite adapter, fsynced as part of a group commit).
 * No connection or transaction type leaks out: each atomic combination callers need is one method,
 * and its comment states what is atomic and what it returns.
 *
 * Times passed in are the caller's; times the store sets itself (leases, deadlines, promotion of
 * delayed messages, expiry) come from the database's clock, so that nodes' clocks do not matter.
 *
 * Parts: provisioning, the MT queue with its message ledger, idempotency keys, bind epochs, receipt
 * correlation, the callback outbox, inbound SMS (MO), the inbound problem log (docs/storage.md), and the
 * statistics reads of stats-port.ts (docs/web.md).
 */
import type { BindId, ClientId, MessageId, RouteId } from '../domain/ids.js';
import type { MessageStatus, QueueState } from '../domain/status.js';
import type {
  ApiTokenRecord,
  ClientRecord,
  NumberOverrideRecord,
  PrefixRecord,
  ProvisioningSnapshot,
  RouteRecord,
} from '../domain/provisioning.js';
import type { StatsStore } from './stats-port.js';
import type { PayoutStore } from './payout-port.js';
import type { ScenarioPut, ScenarioStore } from './scenario-port.js';
import type { WebSessionStore } from './web-session-port.js';

export type TextEncoding = 'gsm7' | 'ucs2';

/** Where a message came in; kept in the ledger for statistics and support. */
export type MessageSource = 'http' | 'xml' | 'kannel' | 'smpp' | 'mo-reply' | 'scenario';

/** One MT message as the API accepted it: validated, routed and counted. */
export interface MtSubmission {
  readonly id: MessageId;
  readonly clientId: ClientId;
  /** The client's own message id, if it gave one (unique per client within the idempotency retention). */
  readonly clientRef: string | null;
  readonly routeId: RouteId;
  readonly sender: string;
  /** E.164 digits without '+'. */
  readonly recipient: string;
  readonly text: string;
  readonly encoding: TextEncoding;
  /** SMPP segments for the route's concatenation method, fixed at acceptance. */
  readonly segments: number;
  /** As in Oracle AQ, smaller is claimed first: the API stores 0 for high priority (one-time codes), 1 for normal. */
  readonly priority: number;
  /** Scheduled sending time; null to send at once. */
  readonly notBefore: Date | null;
  /** The end of the validity period: not submitted by then means EXPIRED. */
  readonly expiresAt: Date;
  readonly dlrRequested: boolean;
  /** Kannel dlr-mask and dlr-url for `/cgi-bin/sendsms` messages; null otherwise. */
  readonly kannelDlrMask: number | null;
  readonly kannelDlrUrl: string | null;
  readonly source: MessageSource;
}

/**
 * One atomic unit of acceptance: all its messages are stored together or none is. An HTTP request
 * with several recipients is one unit; a batch is one unit per item.
 */
export interface EnqueueRequest {
  readonly clientId: ClientId;
  /** Client message id or Idempotency-Key; null when the client gave none. */
  readonly idempotencyKey: string | null;
  /** A hash of the request's meaningful content: a repeat key with another hash is a conflict. */
  readonly requestHash: string;
  readonly messages: readonly MtSubmission[];
}

export type EnqueueOutcome =
  | { readonly kind: 'accepted'; readonly ids: readonly MessageId[] }
  /** The key was seen within the retention period with the same content: the original ids, nothing new stored. */
  | { readonly kind: 'replayed'; readonly ids: readonly MessageId[] }
  | { readonly kind: 'conflict' }
  /** Demo allowance: stored nothing; `remaining` segments are left of the client's allowance. */
  | { readonly kind: 'quota_exhausted'; readonly remaining: number };

/** A message handed to a bind owner under a lease. */
export interface ClaimedMt {
  readonly id: MessageId;
  readonly clientId: ClientId;
  readonly routeId: RouteId;
  readonly sender: string;
  readonly recipient: string;
  readonly text: string;
  readonly encoding: TextEncoding;
  readonly segments: number;
  readonly priority: number;
  readonly expiresAt: Date;
  readonly dlrRequested: boolean;
  /** 1 for the first claim; counts resends after nacks and IN_DOUBT resends too. */
  readonly attempt: number;
  readonly acceptedAt: Date;
}

export interface ClaimRequest {
  readonly routeId: RouteId;
  readonly bindId: BindId;
  readonly epoch: number;
  /** The node (and worker) holding the lease, for DBA views and IN_DOUBT forensics. */
  readonly owner: string;
  readonly limit: number;
  readonly leaseMs: number;
  /**
   * Fair claims: at most this many messages per client, less `heldByClient` of that client, and the
   * claim interleaves the clients (each one's first message, then each one's second…), so one
   * client's backlog cannot fill a claim while another client has messages waiting on the route.
   * Absent: the route's messages in (priority, age) order whoever sent them.
   */
  readonly perClientLimit?: number;
  /** Messages of each client the caller already holds unsent (its scheduler's backlog). */
  readonly heldByClient?: ReadonlyMap<ClientId, number>;
}

/** What the SMSC said to one submitted message (one entry per message; smscIds one per segment). */
export interface SubmitResult {
  readonly id: MessageId;
  readonly smscIds: readonly string[];
  /**
   * Per segment, the forms under which a receipt may name that segment's SMSC id (receiptIdCandidates:
   * an SMSC may answer hex in submit_sm_resp and decimal in the receipt text). Absent: the id itself.
   */
  readonly smscMatchKeys?: readonly (readonly string[])[];
}

export type NackDisposition =
  /** Try again after the queue's retry_delay (or `delayMs`); past max_retries it goes to the exception queue. */
  | { readonly kind: 'retry'; readonly delayMs?: number }
  /** Permanent failure: the message ends `failed` (or `rejected` by the operator) with the reason. */
  | { readonly kind: 'fail'; readonly status: 'failed' | 'rejected'; readonly errorCode: number; readonly reason: string };

export interface Nack {
  readonly id: MessageId;
  readonly disposition: NackDisposition;
}

/** The result of a queue change: which messages changed, and which were refused for a stale epoch. */
export interface QueueChangeResult {
  readonly applied: readonly MessageId[];
  readonly refusedStaleEpoch: readonly MessageId[];
}

/** Per-queue settings, mirroring Oracle AQ queue properties. */
export interface QueueSettings {
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  /** How long PROCESSED/EXPIRED rows and idempotency keys are kept. */
  readonly retentionMs: number;
}

/** What one maintenance sweep did (counts), for metrics and logs. */
export interface SweepResult {
  readonly promoted: number;
  readonly expired: number;
  readonly inDoubt: number;
  readonly purged: number;
  /** Held receipts that matched nothing within their hold time and became `receipt-unmatched` problems. */
  readonly receiptsUnmatched: number;
}

export interface MessageEvent {
  readonly at: Date;
  readonly status: MessageStatus;
  readonly detail: string | null;
}

/** A message as the client sees it in a status lookup. */
export interface MessageView {
  readonly id: MessageId;
  readonly clientId: ClientId;
  readonly clientRef: string | null;
  readonly routeId: RouteId;
  readonly sender: string;
  readonly recipient: string;
  readonly encoding: TextEncoding;
  readonly segments: number;
  readonly status: MessageStatus;
  readonly queueState: QueueState | 'EXCEPTION' | null;
  readonly acceptedAt: Date;
  readonly notBefore: Date | null;
  readonly expiresAt: Date;
  readonly submittedAt: Date | null;
  readonly doneAt: Date | null;
  readonly errorCode: number | null;
  readonly reason: string | null;
  readonly smscIds: readonly string[];
  readonly history: readonly MessageEvent[];
}

/** One segment (submit_sm) of a message as recorded: its SMSC id and what its receipts said. */
export interface MessagePartView {
  /** 0-based, in sending order. */
  readonly index: number;
  /** How many submit_sm the submission took (null for parts recorded before the store kept it). */
  readonly of: number | null;
  readonly smscId: string;
  /** `submitted` until a receipt gives the part a final status. */
  readonly status: MessageStatus;
  /** The receipt's stat (DELIVRD, UNDELIV…) and err field, as the SMSC sent them. */
  readonly stat: string | null;
  readonly errorCode: string | null;
  /** When the SMSC id was recorded (null for parts recorded before the store kept it). */
  readonly submittedAt: Date | null;
  /** The receipt's done date, or when the final receipt was applied. */
  readonly doneAt: Date | null;
}

/** One segment's SMSC id learned on its own (a late submit_sm_resp of one part of a message). */
export interface SegmentIdFact {
  readonly id: MessageId;
  readonly index: number;
  /** How many submit_sm the message's submission takes (its parts; 1 for a message_payload route). */
  readonly parts: number;
  readonly smscId: string;
  /** The forms under which a receipt may name the id (receiptIdCandidates); absent: the id itself. */
  readonly smscMatchKeys?: readonly string[];
}

export interface ClientBalance {
  readonly clientId: ClientId;
  /** Segments accepted so far (all time). */
  readonly segmentsUsed: number;
  /** For a demo client: segments left of the allowance; null for a normal client. */
  readonly demoRemaining: number | null;
  /** Messages accepted and not yet final (READY, WAITING, IN_FLIGHT, IN_DOUBT). */
  readonly queued: number;
}

/** One provisioning change; applyProvisioning takes a list and applies it atomically. */
export type ProvisioningChange =
  /** Creates or replaces a client. A virtualPort of null on a new client is allocated by the store. */
  | { readonly op: 'client.put'; readonly client: Omit<ClientRecord, 'virtualPort' | 'apiTokens'> & { readonly virtualPort: number | null } }
  | { readonly op: 'client.delete'; readonly id: ClientId }
  | { readonly op: 'apiToken.add'; readonly clientId: ClientId; readonly token: ApiTokenRecord }
  | { readonly op: 'apiToken.remove'; readonly clientId: ClientId; readonly tokenId: string }
  | { readonly op: 'route.put'; readonly route: RouteRecord }
  | { readonly op: 'route.delete'; readonly id: RouteId }
  | { readonly op: 'prefix.put'; readonly prefix: PrefixRecord }
  | { readonly op: 'prefix.delete'; readonly prefix: string }
  /** Replaces the whole number-portability table (an import from the regulator's file). */
  | { readonly op: 'overrides.replace'; readonly overrides: readonly NumberOverrideRecord[] }
  /**
   * Stores a new version of a scenario when its source, bindings, client or disabled flag differ from
   * the current one (docs/scenarios.md). Its client must exist and own each bound short code (or the
   * keyword on it); a binding held by another enabled scenario is refused.
   */
  | { readonly op: 'scenario.put'; readonly scenario: ScenarioPut };

/** What a wake-up announces: new READY messages (`mt`) or new callback events (`callbacks`). */
export type WakeupChannel = 'mt' | 'callbacks';

/**
 * Called with the payload of a wake-up: the route id (`mt`) or '' (`callbacks`); null after the
 * store's listening session (re)connected, when anything may have been committed unannounced.
 */
export type WakeupListener = (payload: string | null) => void;

/**
 * Wake-ups after commits of this or another node (docs/storage.md, "Wake-ups"). A hint only: it may
 * come for nothing, and it may be lost (callers keep polling); it never carries a message.
 */
export interface StoreWakeups {
  /** Subscribes; returns the unsubscribe. */
  on(channel: WakeupChannel, listener: WakeupListener): () => void;
}

/**
 * Statistics (stats-port.ts), scenarios (scenario-port.ts), payouts (payout-port.ts) and web sessions
 * (web-session-port.ts) are part of the port.
 */
export interface Store extends StatsStore, ScenarioStore, PayoutStore, WebSessionStore {
  /** Creates or upgrades the schema (versioned migrations); safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * Optional: PostgreSQL provides it (LISTEN/NOTIFY). SQLite does not (one process: its polls are
   * local reads), nor Oracle (AQ has its own dequeue wait).
   */
  readonly wakeups?: StoreWakeups;

  // --- Provisioning ---------------------------------------------------------------------------

  /** The current provisioning version; cheap, polled by every node to notice changes. */
  provisioningVersion(): Promise<number>;
  /** Clients, routes and prefixes in one consistent read, with the version they belong to. */
  loadProvisioning(): Promise<ProvisioningSnapshot>;
  /**
   * Applies all changes in one transaction and raises the version once; either all apply or none
   * (a change naming a missing client or route rejects the whole list with PROVISIONING_INVALID).
   * Returns the new version.
   */
  applyProvisioning(changes: readonly ProvisioningChange[]): Promise<number>;
  /** The override for each given number that has one. */
  findNumberOverrides(msisdns: readonly string[]): Promise<ReadonlyMap<string, RouteId>>;
  countNumberOverrides(): Promise<number>;

  // --- MT queue and ledger ----------------------------------------------------------------------

  /**
   * Stores each request atomically (ledger rows + queue rows + idempotency key + demo allowance), the
   * requests of one call and of concurrent calls sharing one commit. Resolves after the commit is
   * durable, one outcome per request in order. Queue rows start READY, or WAITING when notBefore is
   * in the future. Rejects (with STORE_UNAVAILABLE) only when nothing of the call was stored.
   */
  enqueueMt(requests: readonly EnqueueRequest[]): Promise<readonly EnqueueOutcome[]>;

  /**
   * Raises and returns the bind's fencing epoch (monotonic, also across restarts). Called on every
   * acquisition of the bind; from then on queue changes with an older epoch are refused.
   */
  acquireBindEpoch(bindId: BindId): Promise<number>;
  currentBindEpoch(bindId: BindId): Promise<number>;

  /**
   * Claims up to `limit` READY messages of the route, smallest priority first, then oldest first,
   * skipping expired ones (with `perClientLimit`: that order within each client, the clients
   * interleaved round by round, each client's share capped; see ClaimRequest); sets them IN_FLIGHT with owner, bind, epoch and a lease ending leaseMs from
   * the database's now. Claims nothing (returns []) if the epoch is not the bind's current one.
   */
  claimMt(request: ClaimRequest): Promise<readonly ClaimedMt[]>;

  /**
   * Records the SMSC message ids (always: facts are never refused, even on a stale epoch) and, where
   * the epoch is current and the message is IN_FLIGHT under this bind, acks the queue row
   * (PROCESSED) and sets the ledger status to `submitted`. One transaction for the whole list.
   * A message this bind claimed at this epoch whose lease lapsed (IN_DOUBT) is acked the same way:
   * the SMSC id proves the submit, so it must not be resent.
   */
  ackMt(bindId: BindId, epoch: number, results: readonly SubmitResult[]): Promise<QueueChangeResult>;

  /**
   * Records SMSC ids of single segments (facts, whatever the epoch; no queue or ledger change), so
   * that their receipts match, and applies receipts already held for them. For a late
   * submit_sm_resp of one part of a multi-part message: one part's id does not prove the others
   * were sent, so the message is not acked; its receipts, once every part has one and all are
   * final, settle it.
   */
  recordSegmentIds(facts: readonly SegmentIdFact[]): Promise<void>;

  /** Applies each disposition where the epoch is current and the message is IN_FLIGHT under this bind. */
  nackMt(bindId: BindId, epoch: number, nacks: readonly Nack[]): Promise<QueueChangeResult>;

  /** Extends the lease of in-flight messages still held by this bind at this epoch. */
  renewMtLeases(bindId: BindId, epoch: number, ids: readonly MessageId[], leaseMs: number): Promise<QueueChangeResult>;

  /**
   * Messages of the route left IN_DOUBT by a dead lease: `resend` puts them back READY (attempt + 1),
   * `hold` leaves them for an operator. Returns the ids that were made READY.
   */
  resolveInDoubt(routeId: RouteId, policy: 'resend' | 'hold'): Promise<readonly MessageId[]>;

  /**
   * Maintenance, safe to run on every node at once: WAITING whose time came → READY; READY or
   * WAITING past expiresAt → EXPIRED (ledger `expired`); IN_FLIGHT past its lease → IN_DOUBT (ledger
   * `in_doubt`); rows and idempotency keys older than retention → purged. Also: held receipts past
   * their hold time → inbound problems; delivered callback events, MO rows (once their dedupUntil
   * passed too) and inbound problems older than retention → purged; web sessions expired → purged.
   */
  sweepMt(): Promise<SweepResult>;

  /** The ledger view of one message of the client, by our id or the client's id. */
  findMessage(clientId: ClientId, key: { readonly id: MessageId } | { readonly clientRef: string }): Promise<MessageView | null>;
  /** The recorded segments of one message of the client, in order; [] when none (or not the client's). */
  findMessageParts(clientId: ClientId, id: MessageId): Promise<readonly MessagePartView[]>;
  clientBalance(clientId: ClientId): Promise<ClientBalance>;
  /** Messages waiting (not final) per client, for the approximate max-queue check. */
  queuedByClient(): Promise<ReadonlyMap<ClientId, number>>;

  queueSettings(): QueueSettings;

  // --- Receipts (DLR correlation) ---------------------------------------------------------------

  /**
   * Matches a receipt to the segment whose SMSC id (on any bind of the route, from any node) equals
   * one of `smscIdCandidates`, in one transaction: the segment's status, the message's aggregated
   * status (docs/storage.md: delivered only when every segment is; otherwise the worst final state
   * once every segment is final), its history, and, when the message becomes final and the client
   * asked for receipts, one callback event in the outbox. A receipt that matches no recorded id yet is
   * held and applied by the ackMt that records the id (`held`); a held receipt never matched within
   * `receiptHoldMs` becomes an inbound problem at a sweep. The same receipt twice → `duplicate`.
   */
  applyReceipt(receipt: ReceiptInput): Promise<ReceiptOutcome>;

  // --- Callback outbox --------------------------------------------------------------------------

  /**
   * Leases up to `limit` due events (nextAttemptAt reached, not leased or lease expired), oldest
   * first, at most `perClientLimit` per client counting the client's events already under a live
   * lease, so that one client's backlog cannot crowd out others and its concurrency stays bounded.
   * Delivery is at least once: an event whose lease expires (its sender died) is due again.
   */
  claimCallbacks(request: CallbackClaim): Promise<readonly CallbackEvent[]>;
  /**
   * Dead-letters SMPP-channel events that have been due, unclaimed, for `waitedMs` or longer (no node
   * with a receiving bind of their client claimed them: their time came, by creation, retry or replay,
   * that long ago), with `lastError`; returns how many. Safe to run on every node at once.
   */
  deadLetterUnclaimedSmppCallbacks(waitedMs: number, lastError: string): Promise<number>;
  /**
   * SMPP-channel events due now and not leased, per client, with the time the oldest became due: in a
   * healthy cluster a node with a receiving bind claims them within a poll, so what stays here waits
   * for a bind (docs/smpp-server.md).
   */
  waitingSmppCallbacks(): Promise<ReadonlyMap<ClientId, WaitingSmppCallbacks>>;
  /** Records the outcome of one delivery attempt of a leased event (owner must match the lease). */
  completeCallback(eventId: string, owner: string, outcome: CallbackOutcome): Promise<void>;
  /** Dead-lettered events, newest first, optionally of one client. */
  listDeadCallbacks(filter: { readonly clientId?: ClientId; readonly limit: number }): Promise<readonly DeadCallback[]>;
  /** Makes the given dead events (or all of a client's) due again with attempts reset; returns how many. */
  replayDeadCallbacks(selector: { readonly eventIds: readonly string[] } | { readonly clientId: ClientId }): Promise<number>;
  /** Events waiting per client (due or in backoff), for metrics and the max-backlog view. */
  callbackBacklog(): Promise<ReadonlyMap<ClientId, number>>;

  // --- Inbound SMS (MO) -------------------------------------------------------------------------

  /**
   * Keeps one part of a concatenated MO durably before its deliver_sm_resp, so that a restart loses
   * no part. `duplicate` when the same part (same dedup key) is already held.
   */
  holdMoPart(part: MoPartInput): Promise<{ readonly kind: 'held'; readonly partId: string } | { readonly kind: 'duplicate' }>;
  /** Every held part, for rebuilding the reassembly state at start. */
  loadHeldMoParts(): Promise<readonly HeldMoPart[]>;
  /**
   * Records a complete (or timed-out partial) MO in one transaction: the MO row, the removal of the
   * held parts it consumed, and, when routed to a client with an MO URL, one callback event. An MO
   * whose dedupKey was recorded before and has not passed its dedupUntil is a `duplicate`: nothing
   * is stored and no event is raised.
   */
  recordMo(mo: MoInput): Promise<MoOutcome>;

  // --- Inbound problems -------------------------------------------------------------------------

  /** Keeps an inbound PDU we could not use (unparseable receipt, malformed MO, …) for inspection. */
  recordInboundProblem(problem: InboundProblemInput): Promise<void>;
  listInboundProblems(filter: { readonly limit: number; readonly kind?: InboundProblemKind }): Promise<readonly InboundProblem[]>;

  // --- Operations (metrics, smsprocctl) ---------------------------------------------------------

  /**
   * Messages still to be worked per route and queue state, and those given up into the exception
   * queue (EXCEPTION), with the oldest acceptance time; ordered by route then state (docs/storage.md, DBA views).
   */
  queueDepth(): Promise<readonly QueueDepth[]>;
  /** Messages of any client by our id, or of one client by recipient and/or client reference; newest first, with history. */
  lookupMessages(query: MessageLookup): Promise<readonly MessageView[]>;
  /**
   * An operator's cancel, in one transaction: a READY or WAITING message ends `cancelled` (its queue
   * row PROCESSED, an event in its history, a DLR event when the client is told of final states).
   * A message in flight or final is `refused`, unchanged.
   */
  cancelMt(id: MessageId, detail: string): Promise<AdminMtOutcome>;
  /**
   * An operator's resend, in one transaction: a `failed` or `in_doubt` message (queue row IN_DOUBT,
   * PROCESSED, or in the exception queue) becomes READY again with its attempts counted from 0 and
   * status `accepted`. Any other status, or a message whose validity has ended, is `refused`.
   */
  requeueMt(id: MessageId, detail: string): Promise<AdminMtOutcome>;
}

export interface QueueDepth {
  readonly routeId: RouteId;
  readonly state: 'READY' | 'WAITING' | 'IN_FLIGHT' | 'IN_DOUBT' | 'EXCEPTION';
  readonly messages: number;
  readonly oldestAcceptedAt: Date;
}

/** `id` alone, or `clientId` with optional `recipient` and `clientRef`. */
export type MessageLookup =
  | { readonly id: MessageId }
  | { readonly clientId: ClientId; readonly recipient?: string; readonly clientRef?: string; readonly limit: number };

export type AdminMtOutcome =
  | { readonly kind: 'done'; readonly status: MessageStatus }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'refused'; readonly status: MessageStatus; readonly why: string };

export interface ReceiptInput {
  readonly routeId: RouteId;
  readonly bindId: BindId;
  /** The forms of the receipt's SMSC id to look up (receiptIdCandidates for the route's format). */
  readonly smscIdCandidates: readonly string[];
  /** The status the receipt reports for its segment (statusOfStat / statusOfMessageState). */
  readonly status: MessageStatus;
  /** The raw stat and err values, kept for the client and support. */
  readonly stat: string | null;
  readonly errorCode: string | null;
  readonly doneAt: Date | null;
  /** The receipt text as received, for inspection. */
  readonly raw: string;
  /** How long a receipt that matches nothing yet is held before it becomes an inbound problem. */
  readonly receiptHoldMs: number;
}

export type ReceiptOutcome =
  | {
      readonly kind: 'matched';
      readonly messageId: MessageId;
      readonly clientId: ClientId;
      readonly segment: number;
      /** The message's aggregated status after this receipt. */
      readonly messageStatus: MessageStatus;
      readonly final: boolean;
      /** The callback event raised, if any. */
      readonly eventId: string | null;
    }
  | { readonly kind: 'held' }
  | { readonly kind: 'duplicate'; readonly messageId: MessageId };

export type CallbackKind = 'dlr' | 'mo';

/** One event for a client's system, with a stable id the client uses to deduplicate. */
export interface CallbackEvent {
  readonly id: string;
  readonly clientId: ClientId;
  readonly kind: CallbackKind;
  /** Where to deliver: the client's DLR or MO URL, or a Kannel dlr-url as given (the sender fills its % placeholders from the payload). */
  readonly url: string;
  /** Kannel dlr-url events are sent as a plain GET to `url`; others in the client's callback format. */
  readonly kannel: boolean;
  /** The event's fields (message id, status, error, times; or the MO's fields); the sender formats them. */
  readonly payload: Readonly<Record<string, string | number | boolean | null>>;
  /** Attempts made before this one. */
  readonly attempts: number;
  readonly createdAt: Date;
}

export interface CallbackClaim {
  readonly owner: string;
  readonly limit: number;
  readonly perClientLimit: number;
  readonly leaseMs: number;
  readonly scope: CallbackClaimScope;
}

/**
 * Which events a claim may take. HTTP events (every url but SMPP_CHANNEL_URL, Kannel dlr-urls
 * included) when `http`; SMPP-channel events only of `smppClients`, the clients with a receiving bind
 * (receiver or transceiver) on the claiming node's SMPP server, so that an event goes to a node that
 * can deliver it and others leave it alone. A node with no SMPP server claims `{ http: true,
 * smppClients: [] }`. The two halves are independent so that processes can split the outbox: worker
 * processes that send HTTP only claim `{ http: true, smppClients: [] }` while the primary, which holds
 * the SMPP binds, claims `{ http: false, smppClients: <bound> }`. Events outside every node's scope
 * stay due (see deadLetterUnclaimedSmppCallbacks and waitingSmppCallbacks).
 */
export interface CallbackClaimScope {
  readonly http: boolean;
  readonly smppClients: readonly ClientId[];
}

export interface WaitingSmppCallbacks {
  readonly events: number;
  readonly oldestDueAt: Date;
}

export type CallbackOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: string }
  | { readonly kind: 'dead'; readonly error: string };

export interface DeadCallback extends CallbackEvent {
  readonly lastError: string;
  readonly deadAt: Date;
}

export interface MoPartInput {
  readonly routeId: RouteId;
  readonly source: string;
  readonly shortCode: string;
  readonly reference: number;
  readonly total: number;
  readonly seq: number;
  /** The part's decoded text (a UCS-2 part may end in half a surrogate pair; kept as received). */
  readonly text: string;
  /** Identifies a redelivery of this part by the SMSC. */
  readonly dedupKey: string;
  readonly receivedAt: Date;
}

export interface HeldMoPart extends MoPartInput {
  readonly partId: string;
}

export interface MoInput {
  readonly routeId: RouteId;
  readonly source: string;
  readonly shortCode: string;
  readonly text: string;
  /** Null when no client (and no default) takes it: kept for inspection, no event. */
  readonly clientId: ClientId | null;
  readonly keyword: string;
  readonly args: string;
  /** A concatenated MO forwarded after its timeout with parts missing. */
  readonly partial: boolean;
  readonly missingParts: readonly number[];
  /** Null: never deduplicated. */
  readonly dedupKey: string | null;
  readonly dedupUntil: Date | null;
  readonly receivedAt: Date;
  /** Held parts this MO was assembled from; they are removed in the same transaction. */
  readonly consumedPartIds: readonly string[];
  /** False: no callback event even with an MO URL (a scenario answers it, docs/scenarios.md). Default true. */
  readonly forward?: boolean;
}

export type MoOutcome =
  | { readonly kind: 'new'; readonly moId: string; readonly eventId: string | null }
  | { readonly kind: 'duplicate'; readonly moId: string };

export type InboundProblemKind = 'receipt-unparsed' | 'receipt-unmatched' | 'mo-malformed' | 'mo-unrouted' | 'pdu-malformed';

export interface InboundProblemInput {
  readonly kind: InboundProblemKind;
  readonly routeId: RouteId | null;
  readonly bindId: BindId | null;
  /** The PDU or field as hex, for a support engineer to decode. */
  readonly rawHex: string;
  readonly detail: string;
}

export interface InboundProblem extends InboundProblemInput {
  readonly id: string;
  readonly at: Date;
}
