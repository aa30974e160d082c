import { v7 as uuidv7 } from 'uuid';
import type { ClientId } from '../../domain/ids.js';
import { channelsOf, inScope } from '../callback-claim-scope.js';
import type { CallbackClaim, CallbackEvent, CallbackKind, CallbackOutcome, DeadCallback, WaitingSmppCallbacks } from '../port.js';
import type { OracleSession } from './aq-session.js';
import { oracleQueries } from './sql-files.js';

/**
 * The callback outbox, with the SQLite store's rules (daemon/storage/sqlite/outbox.ts): events are
 * added in the transaction of the state change that raises them; senders lease them (leases by the
 * database clock, rows taken with SKIP LOCKED so senders on several nodes never share one), each
 * client's share of a claim capped by perClientLimit less its events under a live lease; a lapsed
 * lease makes the event due again (at least once).
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
  ID: string; CLIENT_ID: string; KIND: string; URL: string; KANNEL: number; PAYLOAD: string; ATTEMPTS: number; CREATED_AT: Date;
}
interface ClaimRow extends EventRow { SEQ: number }
interface DeadRow extends EventRow { LAST_ERROR: string | null; DONE_AT: Date | null }

const sql = oracleQueries('outbox');

/** Adds a due event; returns its id (a UUIDv7: unique across nodes, stable for the client to deduplicate). */
export async function addEvent(session: OracleSession, event: NewEvent): Promise<string> {
  const id = uuidv7();
  await session.execute(sql('insert'), {
    id, client_id: event.clientId, kind: event.kind, url: event.url, kannel: event.kannel ? 1 : 0, payload: JSON.stringify(event.payload),
  });
  return id;
}

export async function claimEvents(session: OracleSession, request: CallbackClaim): Promise<CallbackEvent[]> {
  if (request.limit <= 0 || request.perClientLimit <= 0) return [];
  const { scope } = request;
  const live = new Map((await session.execute<{ CLIENT_ID: string; N: number }>(sql('liveLeases'), {})).rows.map((row) => [row.CLIENT_ID, row.N]));
  const byClient = new Map<string, ClaimRow[]>();
  for (const row of (await session.execute<ClaimRow>(sql('lapsedLeases'), {})).rows) {
    if (inScope(scope, row.CLIENT_ID, row.URL)) byClient.set(row.CLIENT_ID, [...(byClient.get(row.CLIENT_ID) ?? []), row]);
  }
  const clients = scope.http
    ? (await session.execute<{ CLIENT_ID: string }>(sql('dueClients'), {})).rows.map((row) => row.CLIENT_ID)
    : scope.smppClients;
  for (const clientId of clients) {
    const room = request.perClientLimit - (live.get(clientId) ?? 0);
    if (room <= 0) continue;
    for (const smpp of channelsOf(scope, clientId)) {
      const due = await session.execute<ClaimRow>(sql('dueOfClient'), { client_id: clientId, smpp: smpp ? 1 : 0, max_rows: Math.min(room, request.limit) });
      byClient.set(clientId, [...(byClient.get(clientId) ?? []), ...due.rows]);
    }
  }
  const rows: ClaimRow[] = [];
  for (const [clientId, list] of byClient) {
    const room = request.perClientLimit - (live.get(clientId) ?? 0);
    if (room > 0) rows.push(...list.sort((a, b) => a.SEQ - b.SEQ).slice(0, room));
  }
  const chosen = rows.sort((a, b) => a.SEQ - b.SEQ).slice(0, request.limit);
  await session.executeMany(sql('lease'), chosen.map((row) => ({ owner: request.owner, lease_ms: request.leaseMs, seq: row.SEQ })));
  return chosen.map(eventOf);
}

/** An outcome from anyone but the current lease holder (or for an event not leased) is ignored. */
export async function completeEvent(session: OracleSession, eventId: string, owner: string, outcome: CallbackOutcome): Promise<void> {
  const row = (await session.execute<{ SEQ: number; STATE: string; LEASE_OWNER: string | null }>(sql('leaseOf'), { id: eventId })).rows[0];
  if (row === undefined || row.STATE !== 'leased' || row.LEASE_OWNER !== owner) return;
  if (outcome.kind === 'delivered') await session.execute(sql('delivered'), { seq: row.SEQ });
  else if (outcome.kind === 'retry') await session.execute(sql('retry'), { delay_ms: Math.max(0, outcome.delayMs), last_error: outcome.error, seq: row.SEQ });
  else await session.execute(sql('dead'), { last_error: outcome.error, seq: row.SEQ });
}

export async function listDead(session: OracleSession, filter: { readonly clientId?: ClientId; readonly limit: number }): Promise<DeadCallback[]> {
  const rows = filter.clientId === undefined
    ? await session.execute<DeadRow>(sql('deadAll'), { max_rows: filter.limit })
    : await session.execute<DeadRow>(sql('deadOf'), { client_id: filter.clientId, max_rows: filter.limit });
  return rows.rows.map((row) => ({ ...eventOf(row), lastError: row.LAST_ERROR ?? '', deadAt: row.DONE_AT ?? row.CREATED_AT }));
}

export async function replayDead(session: OracleSession, selector: { readonly eventIds: readonly string[] } | { readonly clientId: ClientId }): Promise<number> {
  if ('clientId' in selector) return (await session.execute(sql('replayClient'), { client_id: selector.clientId })).rowsAffected;
  const counts = await session.executeMany(sql('replayOne'), [...new Set(selector.eventIds)].map((id) => ({ id })));
  return counts.reduce((sum, count) => sum + count, 0);
}

export async function deadLetterUnclaimedSmpp(session: OracleSession, waitedMs: number, lastError: string): Promise<number> {
  return (await session.execute(sql('deadUnclaimedSmpp'), { last_error: lastError, waited_ms: waitedMs })).rowsAffected;
}

export async function waitingSmpp(session: OracleSession): Promise<ReadonlyMap<ClientId, WaitingSmppCallbacks>> {
  const rows = await session.execute<{ CLIENT_ID: string; N: number; OLDEST_DUE_AT: Date }>(sql('waitingSmpp'), {});
  return new Map(rows.rows.map((row) => [row.CLIENT_ID as ClientId, { events: row.N, oldestDueAt: row.OLDEST_DUE_AT }]));
}

export async function backlog(session: OracleSession): Promise<ReadonlyMap<ClientId, number>> {
  const rows = await session.execute<{ CLIENT_ID: string; N: number }>(sql('backlog'), {});
  return new Map(rows.rows.map((row) => [row.CLIENT_ID as ClientId, row.N]));
}

/** Deletes delivered events older than retention; dead ones stay until replayed. Returns how many. */
export async function purgeDelivered(session: OracleSession, retentionS: number): Promise<number> {
  return (await session.execute(sql('purgeDelivered'), { retention_s: retentionS })).rowsAffected;
}

function eventOf(row: EventRow): CallbackEvent {
  return {
    id: row.ID,
    clientId: row.CLIENT_ID as ClientId,
    kind: row.KIND as CallbackKind,
    url: row.URL,
    kannel: row.KANNEL === 1,
    payload: JSON.parse(row.PAYLOAD) as EventPayload,
    attempts: row.ATTEMPTS,
    createdAt: row.CREATED_AT,
  };
}
