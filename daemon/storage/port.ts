/**
 * The Store port: the only way to durable state. Every method is async and resolves only after what
 * it changed is durable (committed; with the SQLite adapter, fsynced as part of a group commit).
 * No connection or transaction type leaks out: each atomic combination callers need is one method,
 * and its comment states what is atomic and what it returns.
 *
 * Times passed in are the caller's; times the store sets itself (leases, deadlines, promotion of
 * delayed messages, expiry) come from the database's clock, so that nodes' clocks do not matter.
 *
 * Implemented here: provisioning, the MT queue with its message ledger, idempotency keys and bind
 * epochs. Receipt correlation, the callback outbox and the MO queue join this port with the
 * "Deliver" work (docs/storage.md).
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

export type TextEncoding = 'gsm7' | 'ucs2';

/** Where a message came in; kept in the ledger for statistics and support. */
export type MessageSource = 'http' | 'xml' | 'kannel' | 'smpp' | 'mo-reply';

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
}

/** What the SMSC said to one submitted message (one entry per message; smscIds one per segment). */
export interface SubmitResult {
  readonly id: MessageId;
  readonly smscIds: readonly string[];
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
  | { readonly op: 'overrides.replace'; readonly overrides: readonly NumberOverrideRecord[] };

export interface Store {
  /** Creates or upgrades the schema (versioned migrations); safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

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
   * skipping expired ones; sets them IN_FLIGHT with owner, bind, epoch and a lease ending leaseMs from
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
   * `in_doubt`); rows and idempotency keys older than retention → purged.
   */
  sweepMt(): Promise<SweepResult>;

  /** The ledger view of one message of the client, by our id or the client's id. */
  findMessage(clientId: ClientId, key: { readonly id: MessageId } | { readonly clientRef: string }): Promise<MessageView | null>;
  clientBalance(clientId: ClientId): Promise<ClientBalance>;
  /** Messages waiting (not final) per client, for the approximate max-queue check. */
  queuedByClient(): Promise<ReadonlyMap<ClientId, number>>;

  queueSettings(): QueueSettings;
}
