import { v7 as uuidv7 } from 'uuid';
import { SMPP_CHANNEL_URL } from '../../domain/callback-channel.js';
import type { RouteId } from '../../domain/ids.js';
import type { HeldMoPart, MoInput, MoOutcome, MoPartInput } from '../port.js';
import type { OracleSession } from './aq-session.js';
import { oracleErrorCode } from './oracle-errors.js';
import { addEvent } from './outbox.js';
import { oracleQueries } from './sql-files.js';

/**
 * Inbound SMS, with the SQLite store's rules (daemon/storage/sqlite/mo.ts): parts held durably until
 * their MO is assembled; recorded MO with their dedup keys and, for a client with an MO URL (or,
 * without one, SMPP access: url `smpp:`), the callback event in the same transaction — unless the
 * MO is not to be forwarded (a scenario answers it).
 */

interface PartRow {
  PART_ID: string; DEDUP_KEY: string; ROUTE_ID: string; SOURCE: string; SHORT_CODE: string; REFERENCE: number; TOTAL: number;
  PART_SEQ: number; TEXT: string | null; RECEIVED_AT: Date;
}

const sql = oracleQueries('mo');

export async function holdPart(session: OracleSession, part: MoPartInput): Promise<{ readonly kind: 'held'; readonly partId: string } | { readonly kind: 'duplicate' }> {
  const partId = uuidv7();
  try {
    const { rowsAffected } = await session.execute(sql('holdPart'), {
      part_id: partId, dedup_key: part.dedupKey, route_id: part.routeId, source: part.source, short_code: part.shortCode,
      reference: part.reference, total: part.total, part_seq: part.seq, text: part.text, received_at: part.receivedAt,
    });
    return rowsAffected === 0 ? { kind: 'duplicate' } : { kind: 'held', partId };
  } catch (error) {
    // Another node held the same part between the MERGE's check and its insert.
    if (oracleErrorCode(error) === 'ORA-00001') return { kind: 'duplicate' };
    throw error;
  }
}

export async function loadParts(session: OracleSession): Promise<HeldMoPart[]> {
  return (await session.execute<PartRow>(sql('heldParts'), {})).rows.map((row) => ({
    partId: row.PART_ID,
    dedupKey: row.DEDUP_KEY,
    routeId: row.ROUTE_ID as RouteId,
    source: row.SOURCE,
    shortCode: row.SHORT_CODE,
    reference: row.REFERENCE,
    total: row.TOTAL,
    seq: row.PART_SEQ,
    text: row.TEXT ?? '',
    receivedAt: row.RECEIVED_AT,
  }));
}

/** A duplicate still removes the parts it names: they were held only for this MO. */
export async function recordMo(session: OracleSession, mo: MoInput): Promise<MoOutcome> {
  await session.executeMany(sql('dropPart'), mo.consumedPartIds.map((partId) => ({ part_id: partId })));
  if (mo.dedupKey !== null) {
    const seen = (await session.execute<{ ID: string }>(sql('findDedup'), { dedup_key: mo.dedupKey })).rows[0];
    if (seen !== undefined) return { kind: 'duplicate', moId: seen.ID };
  }
  const moId = uuidv7();
  const missing = mo.missingParts.join(',');
  const moUrl = mo.clientId === null || mo.forward === false ? null : await moChannelOf(session, mo.clientId);
  const eventId = mo.clientId === null || moUrl === null ? null : await addEvent(session, {
    clientId: mo.clientId,
    kind: 'mo',
    url: moUrl,
    kannel: false,
    payload: {
      moId, routeId: mo.routeId, from: mo.source, to: mo.shortCode, shortCode: mo.shortCode, text: mo.text, keyword: mo.keyword,
      args: mo.args, partial: mo.partial, missingParts: missing, receivedAt: mo.receivedAt.toISOString(),
    },
  });
  await session.execute(sql('insertMo'), {
    id: moId, route_id: mo.routeId, source: mo.source, short_code: mo.shortCode, text: mo.text, client_id: mo.clientId,
    keyword: mo.keyword, args: mo.args, partial: mo.partial ? 1 : 0, missing, dedup_key: mo.dedupKey, dedup_until: mo.dedupUntil,
    received_at: mo.receivedAt, event_id: eventId,
  });
  return { kind: 'new', moId, eventId };
}

/** The client's MO URL; without one, its SMPP binds when it has SMPP access (docs/smpp-server.md); else null. */
async function moChannelOf(session: OracleSession, clientId: string): Promise<string | null> {
  const row = (await session.execute<{ MO_URL: string | null; HAS_SMPP: number }>(sql('moUrlOf'), { client_id: clientId })).rows[0];
  if (row === undefined) return null;
  return row.MO_URL ?? (row.HAS_SMPP === 1 ? SMPP_CHANNEL_URL : null);
}

/** Deletes MO past retention whose dedup key no longer counts; returns how many. */
export async function purgeMo(session: OracleSession, retentionS: number): Promise<number> {
  return (await session.execute(sql('purge'), { retention_s: retentionS })).rowsAffected;
}
