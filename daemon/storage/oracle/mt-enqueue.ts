import type { MessageId } from '../../domain/ids.js';
import type { EnqueueOutcome, EnqueueRequest } from '../port.js';
import { mtQueueMessage } from './aq-message.js';
import { AqQueues, type AqOutgoing, type Binds, type OracleSession } from './aq-session.js';
import { oracleQueries } from './sql-files.js';

/**
 * The enqueue path: per call one transaction holding every request's ledger rows, idempotency
 * keys and demo counters, and one array enqueue of their AQ messages with ON_COMMIT visibility —
 * so a message is in AQ exactly when its ledger row is committed. A demo client's row is locked
 * for the transaction, so its allowance is exact across nodes.
 */
export interface EnqueueSettings {
  readonly idempotencyRetentionMs: number;
  readonly demoFreeSegments: number;
}

interface ClientTally {
  readonly demo: boolean;
  readonly usedBefore: number;
  added: number;
}

const sql = oracleQueries('mt');

export async function enqueueAll(
  session: OracleSession,
  requests: readonly EnqueueRequest[],
  settings: EnqueueSettings,
  now: Date,
): Promise<EnqueueOutcome[]> {
  const tallies = new Map<string, ClientTally>();
  const rows: Binds[] = [];
  const aq: AqOutgoing[] = [];
  const outcomes: EnqueueOutcome[] = [];
  for (const request of requests) {
    const tally = await tallyOf(session, tallies, request.clientId);
    outcomes.push(await admit(session, request, settings, tally, now, rows, aq));
  }
  await session.executeMany(sql('insertMessage'), rows);
  await session.enqueue(AqQueues.mt, aq);
  for (const [clientId, tally] of tallies) {
    if (tally.added > 0) await session.execute(sql('addSegments'), { client_id: clientId, segments: tally.added });
  }
  return outcomes;
}

async function tallyOf(session: OracleSession, tallies: Map<string, ClientTally>, clientId: string): Promise<ClientTally> {
  let tally = tallies.get(clientId);
  if (tally === undefined) {
    const demo = (await session.execute<{ DEMO: number }>(sql('isDemo'), { client_id: clientId })).rows[0]?.DEMO === 1;
    if (demo) await session.execute(sql('lockClient'), { client_id: clientId });
    const used = demo ? (await session.execute<{ SEGMENTS_USED: number }>(sql('usedSegments'), { client_id: clientId })).rows[0] : undefined;
    tally = { demo, usedBefore: used?.SEGMENTS_USED ?? 0, added: 0 };
    tallies.set(clientId, tally);
  }
  return tally;
}

async function admit(
  session: OracleSession,
  request: EnqueueRequest,
  settings: EnqueueSettings,
  tally: ClientTally,
  now: Date,
  rows: Binds[],
  aq: AqOutgoing[],
): Promise<EnqueueOutcome> {
  const key = request.idempotencyKey;
  if (key !== null) {
    const seen = (await session.execute<{ REQUEST_HASH: string; MESSAGE_IDS: string; LIVE: number }>(
      sql('findKey'), { client_id: request.clientId, idem_key: key },
    )).rows[0];
    if (seen !== undefined && seen.LIVE === 1) {
      if (seen.REQUEST_HASH !== request.requestHash) return { kind: 'conflict' };
      return { kind: 'replayed', ids: JSON.parse(seen.MESSAGE_IDS) as MessageId[] };
    }
  }
  const segments = request.messages.reduce((sum, message) => sum + message.segments, 0);
  if (tally.demo) {
    const remaining = Math.max(0, settings.demoFreeSegments - tally.usedBefore - tally.added);
    if (segments > remaining) return { kind: 'quota_exhausted', remaining };
  }
  const nowMs = now.getTime();
  for (const message of request.messages) {
    const readyAtMs = Math.max(nowMs, message.notBefore?.getTime() ?? nowMs);
    rows.push({
      id: message.id, client_id: message.clientId, client_ref: message.clientRef, route_id: message.routeId,
      sender: message.sender, recipient: message.recipient, text: message.text, encoding: message.encoding,
      segments: message.segments, priority: message.priority, not_before: message.notBefore, expires_at: message.expiresAt,
      dlr_requested: message.dlrRequested ? 1 : 0, kannel_dlr_mask: message.kannelDlrMask, kannel_dlr_url: message.kannelDlrUrl,
      source: message.source, status: readyAtMs > nowMs ? 'scheduled' : 'accepted', accepted_at: now,
      ready_at: readyAtMs > nowMs ? new Date(readyAtMs) : null,
    });
    aq.push(mtQueueMessage({ ...message, acceptedAt: now, attempts: 0 }, readyAtMs, nowMs));
  }
  tally.added += segments;
  const ids = request.messages.map((message) => message.id);
  if (key !== null) {
    await session.execute(sql('putKey'), {
      client_id: request.clientId, idem_key: key, request_hash: request.requestHash,
      message_ids: JSON.stringify(ids), retention_s: Math.ceil(settings.idempotencyRetentionMs / 1000),
    });
  }
  return { kind: 'accepted', ids };
}
