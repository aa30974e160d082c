import type { MessageId } from '../../domain/ids.js';
import type { EnqueueOutcome, EnqueueRequest, MtSubmission } from '../port.js';
import type { Sql } from './database.js';
import { dayOf } from './day-partitions.js';
import { loadQueries } from './sql-files.js';
import type { NotifyThrottle } from './wakeups.js';

/**
 * The enqueue hot path, set-based: whatever the number of requests in a call, one statement reads
 * the demo clients (locking them), one the idempotency keys, one writes the new keys, one the ledger
 * and queue rows, one the counters. The call is one transaction: a failure stores nothing of it.
 * Exactness: a demo client's row is locked for the transaction, so concurrent calls see each other's
 * counts; a key stored by a concurrent call in the meantime restarts the transaction (as a
 * serialization failure), which then replays it.
 */
export interface EnqueueSettings {
  readonly idempotencyRetentionMs: number;
  readonly demoFreeSegments: number;
}

interface KeyRow { client_id: string; key: string; request_hash: string; message_ids: string[]; expires_at: number }

/** Thrown inside the transaction to have it retried (database.ts retries SQLSTATE 40001). */
class KeyRace extends Error {
  readonly code = '40001';
}

const counterShards = 16;
const keyOf = (clientId: string, key: string): string => `${clientId}\u0000${key}`;

export class MtEnqueueSql {
  private readonly sql = loadQueries('mt_enqueue');

  constructor(private readonly settings: EnqueueSettings, private readonly notifies: NotifyThrottle) {}

  async enqueueAll(db: Sql, requests: readonly EnqueueRequest[], now: number): Promise<EnqueueOutcome[]> {
    const clients = [...new Set(requests.map((request) => request.clientId))].sort();
    const demo = new Set((await db.rows<{ id: string }>(this.sql('lockDemoClients'), [clients])).map((row) => row.id));
    const used = new Map<string, number>();
    if (demo.size > 0) {
      for (const row of await db.rows<{ client_id: string; used: number }>(this.sql('usedSegments'), [[...demo]])) used.set(row.client_id, Number(row.used));
    }
    const keyed = requests.filter((request) => request.idempotencyKey !== null);
    const seen = new Map<string, { hash: string; ids: readonly MessageId[] }>();
    if (keyed.length > 0) {
      const rows = await db.rows<KeyRow>(this.sql('findKeys'), [keyed.map((r) => r.clientId), keyed.map((r) => r.idempotencyKey)]);
      for (const row of rows) {
        if (row.expires_at > now) seen.set(keyOf(row.client_id, row.key), { hash: row.request_hash, ids: row.message_ids as MessageId[] });
      }
    }
    const added = new Map<string, number>();
    const stored: MtSubmission[] = [];
    const newKeys: { clientId: string; key: string; hash: string; ids: MessageId[] }[] = [];
    const outcomes = requests.map((request): EnqueueOutcome => {
      const key = request.idempotencyKey;
      if (key !== null) {
        const earlier = seen.get(keyOf(request.clientId, key));
        if (earlier !== undefined) return earlier.hash === request.requestHash ? { kind: 'replayed', ids: earlier.ids } : { kind: 'conflict' };
      }
      const segments = request.messages.reduce((sum, message) => sum + message.segments, 0);
      const sofar = added.get(request.clientId) ?? 0;
      if (demo.has(request.clientId)) {
        const remaining = Math.max(0, this.settings.demoFreeSegments - (used.get(request.clientId) ?? 0) - sofar);
        if (segments > remaining) return { kind: 'quota_exhausted', remaining };
      }
      added.set(request.clientId, sofar + segments);
      stored.push(...request.messages);
      const ids = request.messages.map((message) => message.id);
      if (key !== null) {
        seen.set(keyOf(request.clientId, key), { hash: request.requestHash, ids });
        newKeys.push({ clientId: request.clientId, key, hash: request.requestHash, ids });
      }
      return { kind: 'accepted', ids };
    });
    if (newKeys.length > 0) {
      const written = await db.rows(this.sql('putKeys'), [
        newKeys.map((k) => k.clientId), newKeys.map((k) => k.key), newKeys.map((k) => k.hash), newKeys.map((k) => JSON.stringify(k.ids)),
        now + this.settings.idempotencyRetentionMs, now,
      ]);
      if (written.length !== newKeys.length) throw new KeyRace('an idempotency key was stored by a concurrent call');
    }
    if (stored.length > 0) await this.insert(db, stored, now);
    // A wake-up for each route with READY messages, delivered at commit (or trailing, NotifyThrottle); a
    // scheduled message is found by polling.
    const ready = new Set(stored.filter((m) => m.notBefore === null || m.notBefore.getTime() <= now).map((m) => m.routeId));
    const woken = [...ready].filter((routeId) => this.notifies.take('mt', routeId));
    if (woken.length > 0) await db.rows(this.sql('notifyRoutes'), [woken]);
    const counted = [...added].filter(([, segments]) => segments > 0).sort(([a], [b]) => a.localeCompare(b));
    if (counted.length > 0) {
      // Demo clients hold their row lock anyway; others spread over shards to avoid one hot row.
      const shard = counted.some(([clientId]) => demo.has(clientId)) ? 0 : Math.floor(Math.random() * counterShards);
      await db.rows(this.sql('addSegments'), [counted.map(([clientId]) => clientId), counted.map(([, segments]) => segments), shard]);
    }
    return outcomes;
  }

  private async insert(db: Sql, messages: readonly MtSubmission[], now: number): Promise<void> {
    const column = <T>(pick: (message: MtSubmission) => T): T[] => messages.map(pick);
    await db.count(this.sql('insertMessages'), [
      dayOf(now), now,
      column((m) => m.id), column((m) => m.clientId), column((m) => m.clientRef), column((m) => m.routeId), column((m) => m.sender),
      column((m) => m.recipient), column((m) => m.text), column((m) => m.encoding), column((m) => m.segments), column((m) => m.priority),
      column((m) => (m.notBefore === null ? null : m.notBefore.getTime())), column((m) => m.expiresAt.getTime()),
      column((m) => m.dlrRequested), column((m) => m.kannelDlrMask), column((m) => m.kannelDlrUrl), column((m) => m.source),
    ]);
  }
}
