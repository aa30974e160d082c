import type Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import type { ClientId } from '../../domain/ids.js';
import { channelsOf, inScope } from '../callback-claim-scope.js';
import type { CallbackClaim, CallbackEvent, CallbackKind, CallbackOutcome, DeadCallback, WaitingSmppCallbacks } from '../port.js';
import { loadQueries } from './sql-files.js';

/**
 * The callback outbox. Events are added inside the transaction of the state change that raises them
 * (receipt, nack, expiry, MO); senders lease them, report each attempt, and the store keeps the
 * backoff schedule and the dead letters. Every write runs inside a group-commit job.
 */

export type EventPayload = Readonly<Record<string, string | number | boolean | null>>;

export interface NewEvent {
  readonly clientId: string;
  readonly kind: CallbackKind;
  readonly url: string;
  readonly kannel: boolean;
  readonly payload: EventPayload;
}

interface EventRow {
  id: string; client_id: string; kind: string; url: string; kannel: number; payload: string; attempts: number; created_at: number;
}

interface ClaimRow extends EventRow { seq: number }
interface DeadRow extends EventRow { last_error: string | null; done_at: number | null }

export class OutboxSql {
  private readonly insertEvent: Database.Statement<[string, string, string, string, number, string, number, number]>;
  private readonly dueClients: Database.Statement<[], { client_id: string }>;
  private readonly dueOfClient: Database.Statement<[string, number, number, number], ClaimRow>;
  private readonly lapsedLeases: Database.Statement<[number], ClaimRow>;
  private readonly liveLeases: Database.Statement<[number], { client_id: string; n: number }>;
  private readonly lease: Database.Statement<[string, number, number]>;
  private readonly leaseOf: Database.Statement<[string], { seq: number; state: string; lease_owner: string | null }>;
  private readonly delivered: Database.Statement<[number, number]>;
  private readonly retry: Database.Statement<[number, string, number]>;
  private readonly dead: Database.Statement<[string, number, number]>;
  private readonly deadAll: Database.Statement<[number], DeadRow>;
  private readonly deadOf: Database.Statement<[string, number], DeadRow>;
  private readonly replayOne: Database.Statement<[number, string]>;
  private readonly replayClient: Database.Statement<[number, string]>;
  private readonly deadUnclaimedSmpp: Database.Statement<[string, number, number]>;
  private readonly waitingSmppRows: Database.Statement<[number], { client_id: string; n: number; oldest_due_at: number }>;
  private readonly backlogRows: Database.Statement<[], { client_id: string; n: number }>;
  private readonly purgeDelivered: Database.Statement<[{ cutoff: number }]>;

  constructor(db: Database.Database) {
    const sql = loadQueries('outbox');
    this.insertEvent = db.prepare(sql('insert'));
    this.dueClients = db.prepare(sql('dueClients'));
    this.dueOfClient = db.prepare(sql('dueOfClient'));
    this.lapsedLeases = db.prepare(sql('lapsedLeases'));
    this.liveLeases = db.prepare(sql('liveLeases'));
    this.lease = db.prepare(sql('lease'));
    this.leaseOf = db.prepare(sql('leaseOf'));
    this.delivered = db.prepare(sql('delivered'));
    this.retry = db.prepare(sql('retry'));
    this.dead = db.prepare(sql('dead'));
    this.deadAll = db.prepare(sql('deadAll'));
    this.deadOf = db.prepare(sql('deadOf'));
    this.replayOne = db.prepare(sql('replayOne'));
    this.replayClient = db.prepare(sql('replayClient'));
    this.deadUnclaimedSmpp = db.prepare(sql('deadUnclaimedSmpp'));
    this.waitingSmppRows = db.prepare(sql('waitingSmpp'));
    this.backlogRows = db.prepare(sql('backlog'));
    this.purgeDelivered = db.prepare(sql('purgeDelivered'));
  }

  /** Adds a due event; returns its id (a UUIDv7: unique across nodes, stable for the client to deduplicate). */
  add(event: NewEvent, now: number): string {
    const id = uuidv7();
    this.insertEvent.run(id, event.clientId, event.kind, event.url, event.kannel ? 1 : 0, JSON.stringify(event.payload), now, now);
    return id;
  }

  claim(request: CallbackClaim, now: number): CallbackEvent[] {
    if (request.limit <= 0 || request.perClientLimit <= 0) return [];
    const rows = this.claimableRows(request, now);
    const leaseUntil = now + request.leaseMs;
    return rows.map((row) => {
      this.lease.run(request.owner, leaseUntil, row.seq);
      return eventOf(row);
    });
  }

  /**
   * The events to lease: due ones whose time came and lapsed leases, within the claim's scope, oldest
   * first, each client's share capped at perClientLimit less its events under a live lease. Reads a few
   * rows per client and channel (an index per client and channel) rather than every due event.
   */
  private claimableRows(request: CallbackClaim, now: number): ClaimRow[] {
    const { scope } = request;
    const live = new Map(this.liveLeases.all(now).map((row) => [row.client_id, row.n]));
    const byClient = new Map<string, ClaimRow[]>();
    for (const row of this.lapsedLeases.all(now)) {
      if (!inScope(scope, row.client_id, row.url)) continue;
      const list = byClient.get(row.client_id) ?? [];
      list.push(row);
      byClient.set(row.client_id, list);
    }
    const clients = scope.http ? this.dueClients.all().map((row) => row.client_id) : scope.smppClients;
    for (const clientId of clients) {
      const room = request.perClientLimit - (live.get(clientId) ?? 0);
      if (room <= 0) continue;
      const list = byClient.get(clientId) ?? [];
      for (const smpp of channelsOf(scope, clientId)) {
        list.push(...this.dueOfClient.all(clientId, smpp ? 1 : 0, now, Math.min(room, request.limit)));
      }
      byClient.set(clientId, list);
    }
    const rows: ClaimRow[] = [];
    for (const [clientId, list] of byClient) {
      const room = request.perClientLimit - (live.get(clientId) ?? 0);
      if (room > 0) rows.push(...list.sort((a, b) => a.seq - b.seq).slice(0, room));
    }
    return rows.sort((a, b) => a.seq - b.seq).slice(0, request.limit);
  }

  /** An outcome from anyone but the current lease holder (or for an event not leased) is ignored. */
  complete(eventId: string, owner: string, outcome: CallbackOutcome, now: number): void {
    const row = this.leaseOf.get(eventId);
    if (!row || row.state !== 'leased' || row.lease_owner !== owner) return;
    if (outcome.kind === 'delivered') this.delivered.run(now, row.seq);
    else if (outcome.kind === 'retry') this.retry.run(now + Math.max(0, outcome.delayMs), outcome.error, row.seq);
    else this.dead.run(outcome.error, now, row.seq);
  }

  listDead(filter: { readonly clientId?: ClientId; readonly limit: number }): DeadCallback[] {
    const rows = filter.clientId === undefined ? this.deadAll.all(filter.limit) : this.deadOf.all(filter.clientId, filter.limit);
    return rows.map((row) => ({ ...eventOf(row), lastError: row.last_error ?? '', deadAt: new Date(row.done_at ?? row.created_at) }));
  }

  replay(selector: { readonly eventIds: readonly string[] } | { readonly clientId: ClientId }, now: number): number {
    if ('clientId' in selector) return this.replayClient.run(now, selector.clientId).changes;
    let replayed = 0;
    for (const id of new Set(selector.eventIds)) replayed += this.replayOne.run(now, id).changes;
    return replayed;
  }

  deadLetterUnclaimedSmpp(waitedMs: number, lastError: string, now: number): number {
    return this.deadUnclaimedSmpp.run(lastError, now, now - waitedMs).changes;
  }

  waitingSmpp(now: number): ReadonlyMap<ClientId, WaitingSmppCallbacks> {
    return new Map(this.waitingSmppRows.all(now).map((row) => [row.client_id as ClientId, { events: row.n, oldestDueAt: new Date(row.oldest_due_at) }]));
  }

  backlog(): ReadonlyMap<ClientId, number> {
    return new Map(this.backlogRows.all().map((row) => [row.client_id as ClientId, row.n]));
  }

  /** Deletes delivered events older than the cutoff; dead ones stay until replayed. Returns how many. */
  purge(cutoff: number): number {
    return this.purgeDelivered.run({ cutoff }).changes;
  }
}

function eventOf(row: EventRow): CallbackEvent {
  return {
    id: row.id,
    clientId: row.client_id as ClientId,
    kind: row.kind as CallbackKind,
    url: row.url,
    kannel: row.kannel === 1,
    payload: JSON.parse(row.payload) as EventPayload,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
  };
}
