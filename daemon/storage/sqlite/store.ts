import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BindId, ClientId, MessageId, RouteId } from '../../domain/ids.js';
import type { ProvisioningSnapshot } from '../../domain/provisioning.js';
import type {
  ClaimRequest,
  ClaimedMt,
  ClientBalance,
  EnqueueOutcome,
  EnqueueRequest,
  MessageView,
  Nack,
  ProvisioningChange,
  QueueChangeResult,
  QueueSettings,
  Store,
  SubmitResult,
  SweepResult,
} from '../port.js';
import { GroupCommit, type CommitStats } from './group-commit.js';
import { migrate } from './migrate.js';
import { MtEnqueueSql } from './mt-enqueue.js';
import { MtQueueSql } from './mt-queue.js';
import { MtSweepSql } from './mt-sweep.js';
import { MtViewsSql } from './mt-views.js';
import { ProvisioningSql } from './provisioning.js';

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
}

export class SqliteStore implements Store {
  private readonly groupCommit: GroupCommit;
  private prepared: Parts | null = null;

  constructor(private readonly db: Database.Database, private readonly options: SqliteStoreOptions) {
    this.groupCommit = new GroupCommit(db, options.groupCommitMaxBatch);
  }

  async migrate(): Promise<void> {
    migrate(this.db, Date.now());
    this.prepared ??= {
      provisioning: new ProvisioningSql(this.db),
      enqueue: new MtEnqueueSql(this.db, this.options),
      queue: new MtQueueSql(this.db, this.options.queue),
      sweep: new MtSweepSql(this.db, this.options.queue),
      views: new MtViewsSql(this.db, this.options.demoFreeSegments),
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
    const sweep = this.parts.sweep;
    return this.groupCommit.submit(() => sweep.sweep(Date.now()));
  }

  async findMessage(clientId: ClientId, key: { readonly id: MessageId } | { readonly clientRef: string }): Promise<MessageView | null> {
    return this.parts.views.find(clientId, key);
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
