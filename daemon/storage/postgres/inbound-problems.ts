import type { BindId, RouteId } from '../../domain/ids.js';
import type { InboundProblem, InboundProblemInput, InboundProblemKind } from '../port.js';
import type { Sql } from './database.js';
import { loadQueries } from './sql-files.js';

/** The inbound problem log: what we could not use, kept for a support engineer until retention ends. */

interface ProblemRow { id: number; kind: string; route_id: string | null; bind_id: string | null; raw_hex: string; detail: string; at: number }

export class InboundProblemsSql {
  private readonly sql = loadQueries('inbound_problems');

  async record(db: Sql, problem: InboundProblemInput, now: number): Promise<void> {
    await db.count(this.sql('insert'), [problem.kind, problem.routeId, problem.bindId, problem.rawHex, problem.detail, now]);
  }

  async list(db: Sql, filter: { readonly limit: number; readonly kind?: InboundProblemKind }): Promise<InboundProblem[]> {
    const rows = filter.kind === undefined
      ? await db.rows<ProblemRow>(this.sql('listAll'), [filter.limit])
      : await db.rows<ProblemRow>(this.sql('listKind'), [filter.kind, filter.limit]);
    return rows.map((row) => ({
      id: String(row.id),
      kind: row.kind as InboundProblemKind,
      routeId: row.route_id as RouteId | null,
      bindId: row.bind_id as BindId | null,
      rawHex: row.raw_hex,
      detail: row.detail,
      at: new Date(row.at),
    }));
  }

  async purge(db: Sql, cutoff: number): Promise<number> {
    return db.count(this.sql('purge'), [cutoff]);
  }
}
