import type Database from 'better-sqlite3';
import type { BindId, RouteId } from '../../domain/ids.js';
import type { InboundProblem, InboundProblemInput, InboundProblemKind } from '../port.js';
import { loadQueries } from './sql-files.js';

/** The inbound problem log: what we could not use, kept for a support engineer until retention ends. */

interface ProblemRow { id: number; kind: string; route_id: string | null; bind_id: string | null; raw_hex: string; detail: string; at: number }

export class InboundProblemsSql {
  private readonly insert: Database.Statement<[string, string | null, string | null, string, string, number]>;
  private readonly listAll: Database.Statement<[number], ProblemRow>;
  private readonly listKind: Database.Statement<[string, number], ProblemRow>;
  private readonly purgeOld: Database.Statement<[{ cutoff: number }]>;

  constructor(db: Database.Database) {
    const sql = loadQueries('inbound_problems');
    this.insert = db.prepare(sql('insert'));
    this.listAll = db.prepare(sql('listAll'));
    this.listKind = db.prepare(sql('listKind'));
    this.purgeOld = db.prepare(sql('purge'));
  }

  record(problem: InboundProblemInput, now: number): void {
    this.insert.run(problem.kind, problem.routeId, problem.bindId, problem.rawHex, problem.detail, now);
  }

  list(filter: { readonly limit: number; readonly kind?: InboundProblemKind }): InboundProblem[] {
    const rows = filter.kind === undefined ? this.listAll.all(filter.limit) : this.listKind.all(filter.kind, filter.limit);
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

  purge(cutoff: number): number {
    return this.purgeOld.run({ cutoff }).changes;
  }
}
