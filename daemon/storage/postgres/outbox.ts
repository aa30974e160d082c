import { v7 as uuidv7 } from 'uuid';
import type { ClientId } from '../../domain/ids.js';
import type { CallbackClaim, CallbackEvent, CallbackKind, CallbackOutcome, DeadCallback, WaitingSmppCallbacks } from '../port.js';
import type { Sql } from './database.js';
import { loadQueries } from './sql-files.js';
import type { NotifyThrottle } from './wakeups.js';

/**
 * The callback outbox. Events are added inside the transaction of the state change that raises them
 * (receipt, nack, expiry, MO); senders lease them, report each attempt, and the store keeps the
 * backoff schedule and the dead letters. Claims take an advisory lock for their short transaction,
 * so that the per-client limit counts every live lease even with senders on several nodes.
 */

export type EventPayload = Readonly<Record<string, string | number | boolean | null>>;

export interface NewEvent {
  readonly clientId: string;
  readonly kind: CallbackKind;
  readonly url: string;
  readonly kannel: boolean;
  readonly payload: EventPayload;
}

export interface Completion {
  readonly eventId: string;
  readonly owner: string;
  readonly outcome: CallbackOutcome;
}

interface EventRow {
  id: string; client_id: string; kind: string; url: string; kannel: boolean; payload: EventPayload; attempts: number; created_at: number;
}

interface ClaimRow extends EventRow { seq: number }
interface DeadRow extends EventRow { last_error: string | null; done_at: number | null }

export class OutboxSql {
  private readonly sql = loadQueries('outbox');

  constructor(private readonly notifies: NotifyThrottle) {}

  /** Adds a due event; returns its id (a UUIDv7: unique across nodes, stable for the client to deduplicate). */
  async add(db: Sql, event: NewEvent, now: number): Promise<string> {
    const id = uuidv7();
    await db.count(this.sql('insert'), [
      id, event.clientId, event.kind, event.url, event.kannel, JSON.stringify(event.payload), now, this.notifies.take('callbacks', ''),
    ]);
    return id;
  }

  async claim(db: Sql, request: CallbackClaim, now: number): Promise<CallbackEvent[]> {
    const { scope } = request;
    if (request.limit <= 0 || request.perClientLimit <= 0 || (!scope.http && scope.smppClients.length === 0)) return [];
    await db.rows(this.sql('lockClaims'));
    const rows = await db.rows<ClaimRow>(this.sql('claim'), [
      now, scope.http, scope.smppClients, request.perClientLimit, request.limit, request.owner, now + request.leaseMs,
    ]);
    return rows.sort((a, b) => a.seq - b.seq).map(eventOf);
  }


  /**
   * Records attempts' outcomes in one statement (no transaction around it: one UPDATE guarded by the
   * lease owner needs none). An outcome from anyone but the current lease holder (or for an event not
   * leased) is ignored. Returns how many applied.
   */
  async complete(db: Sql, completions: readonly Completion[]): Promise<number> {
    const ids: string[] = [];
    const owners: string[] = [];
    const states: string[] = [];
    const delays: (number | null)[] = [];
    const errors: (string | null)[] = [];
    for (const { eventId, owner, outcome } of completions) {
      ids.push(eventId);
      owners.push(owner);
      states.push(outcome.kind === 'retry' ? 'due' : outcome.kind);
      // Whole milliseconds: next_attempt_at is a bigint.
      delays.push(outcome.kind === 'retry' ? Math.round(Math.max(0, outcome.delayMs)) : null);
      errors.push(outcome.kind === 'delivered' ? null : outcome.error);
    }
    return db.count(this.sql('complete'), [ids, owners, states, delays, errors]);
  }

  async listDead(db: Sql, filter: { readonly clientId?: ClientId; readonly limit: number }): Promise<DeadCallback[]> {
    const rows = filter.clientId === undefined
      ? await db.rows<DeadRow>(this.sql('deadAll'), [filter.limit])
      : await db.rows<DeadRow>(this.sql('deadOf'), [filter.clientId, filter.limit]);
    return rows.map((row) => ({ ...eventOf(row), lastError: row.last_error ?? '', deadAt: new Date(row.done_at ?? row.created_at) }));
  }

  async replay(db: Sql, selector: { readonly eventIds: readonly string[] } | { readonly clientId: ClientId }): Promise<number> {
    if ('clientId' in selector) return db.count(this.sql('replayClient'), [selector.clientId]);
    return db.count(this.sql('replayIds'), [[...new Set(selector.eventIds)]]);
  }

  async deadLetterUnclaimedSmpp(db: Sql, waitedMs: number, lastError: string): Promise<number> {
    return db.count(this.sql('deadUnclaimedSmpp'), [lastError, waitedMs]);
  }

  async waitingSmpp(db: Sql): Promise<ReadonlyMap<ClientId, WaitingSmppCallbacks>> {
    const rows = await db.rows<{ client_id: string; n: number; oldest_due_at: number }>(this.sql('waitingSmpp'));
    return new Map(rows.map((row) => [row.client_id as ClientId, { events: row.n, oldestDueAt: new Date(row.oldest_due_at) }]));
  }

  async backlog(db: Sql): Promise<ReadonlyMap<ClientId, number>> {
    return new Map((await db.rows<{ client_id: string; n: number }>(this.sql('backlog'))).map((row) => [row.client_id as ClientId, row.n]));
  }

  /** Deletes delivered events older than the cutoff; dead ones stay until replayed. Returns how many. */
  async purge(db: Sql, cutoff: number): Promise<number> {
    return db.count(this.sql('purgeDelivered'), [cutoff]);
  }
}

function eventOf(row: EventRow): CallbackEvent {
  return {
    id: row.id,
    clientId: row.client_id as ClientId,
    kind: row.kind as CallbackKind,
    url: row.url,
    kannel: row.kannel,
    payload: row.payload,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
  };
}
