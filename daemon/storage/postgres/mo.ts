import { v7 as uuidv7 } from 'uuid';
import { SMPP_CHANNEL_URL } from '../../domain/callback-channel.js';
import type { RouteId } from '../../domain/ids.js';
import type { HeldMoPart, MoInput, MoOutcome, MoPartInput } from '../port.js';
import type { Sql } from './database.js';
import type { OutboxSql } from './outbox.js';
import { loadQueries } from './sql-files.js';

/**
 * Inbound SMS: parts held durably until their MO is assembled, and recorded MO with their dedup keys
 * and, for a client with an MO URL or SMPP access, the callback event (none when a scenario answered
 * the MO without forwarding it). An MO's dedup key is locked for its
 * transaction, so that a redelivery reaching two nodes at once is recorded once.
 */

interface PartRow {
  part_id: string; dedup_key: string; route_id: string; source: string; short_code: string; reference: number; total: number;
  part_seq: number; text: string; received_at: number;
}

export class MoSql {
  private readonly sql = loadQueries('mo');

  constructor(private readonly outbox: OutboxSql) {}

  async hold(db: Sql, part: MoPartInput): Promise<{ readonly kind: 'held'; readonly partId: string } | { readonly kind: 'duplicate' }> {
    const partId = uuidv7();
    const changes = await db.count(this.sql('holdPart'), [
      partId, part.dedupKey, part.routeId, part.source, part.shortCode, part.reference, part.total, part.seq, part.text, part.receivedAt.getTime(),
    ]);
    return changes === 0 ? { kind: 'duplicate' } : { kind: 'held', partId };
  }

  async loadParts(db: Sql): Promise<HeldMoPart[]> {
    return (await db.rows<PartRow>(this.sql('heldParts'))).map((row) => ({
      partId: row.part_id,
      dedupKey: row.dedup_key,
      routeId: row.route_id as RouteId,
      source: row.source,
      shortCode: row.short_code,
      reference: row.reference,
      total: row.total,
      seq: row.part_seq,
      text: row.text,
      receivedAt: new Date(row.received_at),
    }));
  }

  /** A duplicate still removes the parts it names: they were held only for this MO. */
  async record(db: Sql, mo: MoInput, now: number): Promise<MoOutcome> {
    if (mo.consumedPartIds.length > 0) await db.count(this.sql('dropParts'), [[...mo.consumedPartIds]]);
    if (mo.dedupKey !== null) {
      await db.rows(this.sql('lockDedup'), [mo.dedupKey]);
      const [seen] = await db.rows<{ id: string }>(this.sql('findDedup'), [mo.dedupKey, now]);
      if (seen) return { kind: 'duplicate', moId: seen.id };
    }
    const moId = uuidv7();
    const missing = mo.missingParts.join(',');
    const moUrl = mo.clientId === null ? null : await this.moChannelOf(db, mo.clientId);
    const eventId = mo.clientId === null || moUrl === null || mo.forward === false ? null : await this.outbox.add(db, {
      clientId: mo.clientId,
      kind: 'mo',
      url: moUrl,
      kannel: false,
      payload: {
        moId, routeId: mo.routeId, from: mo.source, to: mo.shortCode, shortCode: mo.shortCode, text: mo.text, keyword: mo.keyword,
        args: mo.args, partial: mo.partial, missingParts: missing, receivedAt: mo.receivedAt.toISOString(),
      },
    }, now);
    await db.count(this.sql('insertMo'), [
      moId, mo.routeId, mo.source, mo.shortCode, mo.text, mo.clientId, mo.keyword, mo.args, mo.partial, missing,
      mo.dedupKey, mo.dedupUntil === null ? null : mo.dedupUntil.getTime(), mo.receivedAt.getTime(), now, eventId,
    ]);
    return { kind: 'new', moId, eventId };
  }

  /** The client's MO URL; without one, its SMPP binds when it has SMPP access (docs/smpp-server.md); else null. */
  private async moChannelOf(db: Sql, clientId: string): Promise<string | null> {
    const [row] = await db.rows<{ mo_url: string | null; smpp: unknown }>(this.sql('moUrlOf'), [clientId]);
    if (row === undefined) return null;
    return row.mo_url ?? (row.smpp === null ? null : SMPP_CHANNEL_URL);
  }

  /** Deletes MO past retention whose dedup key no longer counts; returns how many. */
  async purge(db: Sql, now: number, cutoff: number): Promise<number> {
    return db.count(this.sql('purge'), [now, cutoff]);
  }
}
