import type Database from 'better-sqlite3';
import { SMPP_CHANNEL_URL } from '../../domain/callback-channel.js';
import { v7 as uuidv7 } from 'uuid';
import type { RouteId } from '../../domain/ids.js';
import type { HeldMoPart, MoInput, MoOutcome, MoPartInput } from '../port.js';
import type { OutboxSql } from './outbox.js';
import { loadQueries } from './sql-files.js';

/**
 * Inbound SMS: parts held durably until their MO is assembled, and recorded MO with their dedup keys
 * and, for a client with an MO URL, the callback event. Every write runs inside a group-commit job.
 */

interface PartRow {
  part_id: string; dedup_key: string; route_id: string; source: string; short_code: string; reference: number; total: number;
  part_seq: number; text: string; received_at: number;
}

type InsertMoArgs = [
  string, string, string, string, string, string | null, string, string, number, string, string | null, number | null, number, number, string | null,
];

export class MoSql {
  private readonly holdPart: Database.Statement<[string, string, string, string, string, number, number, number, string, number]>;
  private readonly heldParts: Database.Statement<[], PartRow>;
  private readonly dropPart: Database.Statement<[string]>;
  private readonly findDedup: Database.Statement<[string, number], { id: string }>;
  private readonly moUrlOf: Database.Statement<[string], { mo_url: string | null; smpp: string | null }>;
  private readonly insertMo: Database.Statement<InsertMoArgs>;
  private readonly purgeOld: Database.Statement<[{ now: number; cutoff: number }]>;

  constructor(db: Database.Database, private readonly outbox: OutboxSql) {
    const sql = loadQueries('mo');
    this.holdPart = db.prepare(sql('holdPart'));
    this.heldParts = db.prepare(sql('heldParts'));
    this.dropPart = db.prepare(sql('dropPart'));
    this.findDedup = db.prepare(sql('findDedup'));
    this.moUrlOf = db.prepare(sql('moUrlOf'));
    this.insertMo = db.prepare(sql('insertMo'));
    this.purgeOld = db.prepare(sql('purge'));
  }

  hold(part: MoPartInput): { readonly kind: 'held'; readonly partId: string } | { readonly kind: 'duplicate' } {
    const partId = uuidv7();
    const { changes } = this.holdPart.run(
      partId, part.dedupKey, part.routeId, part.source, part.shortCode, part.reference, part.total, part.seq, part.text, part.receivedAt.getTime(),
    );
    return changes === 0 ? { kind: 'duplicate' } : { kind: 'held', partId };
  }

  loadParts(): HeldMoPart[] {
    return this.heldParts.all().map((row) => ({
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
  record(mo: MoInput, now: number): MoOutcome {
    for (const partId of mo.consumedPartIds) this.dropPart.run(partId);
    if (mo.dedupKey !== null) {
      const seen = this.findDedup.get(mo.dedupKey, now);
      if (seen) return { kind: 'duplicate', moId: seen.id };
    }
    const moId = uuidv7();
    const missing = mo.missingParts.join(',');
    const moUrl = mo.clientId === null ? null : this.moChannelOf(mo.clientId);
    const eventId = mo.clientId === null || moUrl === null || mo.forward === false ? null : this.outbox.add({
      clientId: mo.clientId,
      kind: 'mo',
      url: moUrl,
      kannel: false,
      payload: {
        moId, routeId: mo.routeId, from: mo.source, to: mo.shortCode, shortCode: mo.shortCode, text: mo.text, keyword: mo.keyword,
        args: mo.args, partial: mo.partial, missingParts: missing, receivedAt: mo.receivedAt.toISOString(),
      },
    }, now);
    this.insertMo.run(
      moId, mo.routeId, mo.source, mo.shortCode, mo.text, mo.clientId, mo.keyword, mo.args, mo.partial ? 1 : 0, missing,
      mo.dedupKey, mo.dedupUntil === null ? null : mo.dedupUntil.getTime(), mo.receivedAt.getTime(), now, eventId,
    );
    return { kind: 'new', moId, eventId };
  }

  /** The client's MO URL; without one, its SMPP binds when it has SMPP access (docs/smpp-server.md); else null. */
  private moChannelOf(clientId: string): string | null {
    const row = this.moUrlOf.get(clientId);
    if (row === undefined) return null;
    return row.mo_url ?? (row.smpp === null ? null : SMPP_CHANNEL_URL);
  }

  /** Deletes MO past retention whose dedup key no longer counts; returns how many. */
  purge(now: number, cutoff: number): number {
    return this.purgeOld.run({ now, cutoff }).changes;
  }
}
