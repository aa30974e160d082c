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
import type { OracleSessionPool } from './aq-session.js';
import { createOracledbPool, type OracleConnectOptions } from './oracledb-session.js';
import { enqueueAll } from './mt-enqueue.js';
import * as queue from './mt-queue.js';
import { sweep } from './mt-sweep.js';
import * as views from './mt-views.js';
import { oracleErrorCode } from './oracle-errors.js';
import * as provisioning from './provisioning.js';
import { ORACLE_SCHEMA_VERSION, oracleQueries } from './sql-files.js';
import { inTransaction } from './transaction.js';

/**
 * The Store on Oracle Advanced Queuing (docs/oracle.md). Every method is one short transaction on
 * a pooled Thin-mode session (transaction.ts); no transaction is held across network I/O of the
 * caller. Implemented: provisioning and the whole MT path (enqueue, epochs, claim, ack, nack,
 * renewal, IN_DOUBT resolution, sweep, status lookups). Not yet implemented for Oracle, and
 * rejecting with a clear error: receipts (DLR correlation), the callback outbox, MO and the
 * inbound problem log — so neither are the DLR events an ack, a nack or an expiry raises in the
 * SQLite store. The adapter has not yet run against an Oracle server.
 */
export interface OracleStoreOptions {
  readonly queue: QueueSettings;
  readonly idempotencyRetentionMs: number;
  readonly demoFreeSegments: number;
}

const schema = oracleQueries('schema');

export class OracleNotImplementedError extends Error {
  constructor(method: string) {
    super(`Store.${method} is not yet implemented for Oracle (docs/oracle.md lists what is); use the sqlite store for it`);
    this.name = 'OracleNotImplementedError';
  }
}

function notImplemented(method: string): Promise<never> {
  return Promise.reject(new OracleNotImplementedError(method));
}

export class OracleStore implements Store {
  constructor(private readonly pool: OracleSessionPool, private readonly options: OracleStoreOptions) {}

  /** The schema is installed by a DBA (sql/oracle/); this checks that it is there and not newer than this code. */
  async migrate(): Promise<void> {
    const version = await inTransaction(this.pool, async (session) => {
      try {
        return (await session.execute<{ VERSION: number }>(schema('version'), {})).rows[0]?.VERSION ?? 0;
      } catch (error) {
        if (oracleErrorCode(error) === 'ORA-00942') return 0;
        throw error;
      }
    });
    if (version === 0) throw new Error('Oracle schema is not installed: a DBA runs sql/oracle/admin and sql/oracle/schema (docs/oracle.md)');
    if (version > ORACLE_SCHEMA_VERSION) {
      throw new Error(`Oracle schema version ${version} is newer than this smsproc understands (${ORACLE_SCHEMA_VERSION}); upgrade smsproc`);
    }
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
    return inTransaction(this.pool, (session) => queue.ack(session, bindId, epoch, results));
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
    return inTransaction(this.pool, (session) => sweep(session, this.options.queue));
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

  applyReceipt(): Promise<never> {
    return notImplemented('applyReceipt');
  }

  claimCallbacks(): Promise<never> {
    return notImplemented('claimCallbacks');
  }

  completeCallback(): Promise<never> {
    return notImplemented('completeCallback');
  }

  listDeadCallbacks(): Promise<never> {
    return notImplemented('listDeadCallbacks');
  }

  replayDeadCallbacks(): Promise<never> {
    return notImplemented('replayDeadCallbacks');
  }

  callbackBacklog(): Promise<never> {
    return notImplemented('callbackBacklog');
  }

  holdMoPart(): Promise<never> {
    return notImplemented('holdMoPart');
  }

  loadHeldMoParts(): Promise<never> {
    return notImplemented('loadHeldMoParts');
  }

  recordMo(): Promise<never> {
    return notImplemented('recordMo');
  }

  recordInboundProblem(): Promise<never> {
    return notImplemented('recordInboundProblem');
  }

  listInboundProblems(): Promise<never> {
    return notImplemented('listInboundProblems');
  }
}

/** Opens a Thin-mode pool (no connection yet) and the store on it; call migrate() to check the schema. */
export async function openOracleStore(connect: OracleConnectOptions, options: OracleStoreOptions): Promise<OracleStore> {
  return new OracleStore(await createOracledbPool(connect), options);
}
