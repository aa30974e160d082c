import type Database from 'better-sqlite3';
import type { MessageId } from '../../domain/ids.js';
import type { EnqueueOutcome, EnqueueRequest } from '../port.js';
import { loadQueries } from './sql-files.js';

/**
 * The enqueue hot path: per message one ledger row and one queue row; per request one idempotency
 * lookup and insert (only with a key); per client and call one demo lookup and one counter update.
 * Runs inside a group-commit job, so a call is atomic and the demo allowance check sees every
 * earlier request of the same group: the allowance is exact.
 */
export interface EnqueueSettings {
  readonly idempotencyRetentionMs: number;
  readonly demoFreeSegments: number;
}

/** What one call has read and added for a client, so counters are read and written once per call. */
interface ClientTally {
  readonly demo: boolean;
  readonly usedBefore: number;
  added: number;
}

export class MtEnqueueSql {
  private readonly findKey: Database.Statement<[string, string], { request_hash: string; message_ids: string; expires_at: number }>;
  private readonly putKey: Database.Statement<[string, string, string, string, number]>;
  private readonly isDemo: Database.Statement<[string], { demo: number }>;
  private readonly usedSegments: Database.Statement<[string], { segments_used: number }>;
  private readonly addSegments: Database.Statement<[string, number]>;
  private readonly insertMessage: Database.Statement<unknown[]>;
  private readonly insertQueue: Database.Statement<unknown[]>;

  constructor(db: Database.Database, private readonly settings: EnqueueSettings) {
    const sql = loadQueries('mt_enqueue');
    this.findKey = db.prepare(sql('findKey'));
    this.putKey = db.prepare(sql('putKey'));
    this.isDemo = db.prepare(sql('isDemo'));
    this.usedSegments = db.prepare(sql('usedSegments'));
    this.addSegments = db.prepare(sql('addSegments'));
    this.insertMessage = db.prepare(sql('insertMessage'));
    this.insertQueue = db.prepare(sql('insertQueue'));
  }

  /** One enqueueMt call: counters are summed per client and written once at the end of the call. */
  enqueueAll(requests: readonly EnqueueRequest[], now: number): EnqueueOutcome[] {
    const tallies = new Map<string, ClientTally>();
    const outcomes = requests.map((request) => this.enqueue(request, now, this.tallyOf(tallies, request.clientId)));
    for (const [clientId, tally] of tallies) {
      if (tally.added > 0) this.addSegments.run(clientId, tally.added);
    }
    return outcomes;
  }

  private tallyOf(tallies: Map<string, ClientTally>, clientId: string): ClientTally {
    let tally = tallies.get(clientId);
    if (tally === undefined) {
      const demo = this.isDemo.get(clientId)?.demo === 1;
      tally = { demo, usedBefore: demo ? (this.usedSegments.get(clientId)?.segments_used ?? 0) : 0, added: 0 };
      tallies.set(clientId, tally);
    }
    return tally;
  }

  private enqueue(request: EnqueueRequest, now: number, tally: ClientTally): EnqueueOutcome {
    const key = request.idempotencyKey;
    if (key !== null) {
      const seen = this.findKey.get(request.clientId, key);
      if (seen && seen.expires_at > now) {
        if (seen.request_hash !== request.requestHash) return { kind: 'conflict' };
        return { kind: 'replayed', ids: JSON.parse(seen.message_ids) as MessageId[] };
      }
    }
    let segments = 0;
    for (const message of request.messages) segments += message.segments;
    if (tally.demo) {
      const remaining = Math.max(0, this.settings.demoFreeSegments - tally.usedBefore - tally.added);
      if (segments > remaining) return { kind: 'quota_exhausted', remaining };
    }
    const ids: MessageId[] = [];
    for (const message of request.messages) {
      const notBefore = message.notBefore === null ? null : message.notBefore.getTime();
      const waiting = notBefore !== null && notBefore > now;
      const expiresAt = message.expiresAt.getTime();
      const { lastInsertRowid } = this.insertMessage.run(
        message.id, message.clientId, message.clientRef, message.routeId, message.sender, message.recipient, message.text,
        message.encoding, message.segments, message.priority, notBefore, expiresAt, message.dlrRequested ? 1 : 0,
        message.kannelDlrMask, message.kannelDlrUrl, message.source, waiting ? 'scheduled' : 'accepted', now,
      );
      this.insertQueue.run(lastInsertRowid, message.routeId, message.clientId, waiting ? 'WAITING' : 'READY', message.priority, notBefore, expiresAt);
      ids.push(message.id);
    }
    tally.added += segments;
    if (key !== null) {
      this.putKey.run(request.clientId, key, request.requestHash, JSON.stringify(ids), now + this.settings.idempotencyRetentionMs);
    }
    return { kind: 'accepted', ids };
  }
}
