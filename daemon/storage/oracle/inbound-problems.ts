import type { BindId, RouteId } from '../../domain/ids.js';
import type { InboundProblem, InboundProblemInput, InboundProblemKind } from '../port.js';
import type { OracleSession } from './aq-session.js';
import { oracleQueries } from './sql-files.js';

/** The inbound problem log: what we could not use, kept for a support engineer until retention ends. */

interface ProblemRow { ID: number; KIND: string; ROUTE_ID: string | null; BIND_ID: string | null; RAW_HEX: string | null; DETAIL: string; AT: Date }

const sql = oracleQueries('inbound_problems');

export async function recordProblem(session: OracleSession, problem: InboundProblemInput): Promise<void> {
  await session.execute(sql('insert'), {
    kind: problem.kind, route_id: problem.routeId, bind_id: problem.bindId, raw_hex: problem.rawHex, detail: problem.detail,
  });
}

export async function listProblems(session: OracleSession, filter: { readonly limit: number; readonly kind?: InboundProblemKind }): Promise<InboundProblem[]> {
  const rows = filter.kind === undefined
    ? await session.execute<ProblemRow>(sql('listAll'), { max_rows: filter.limit })
    : await session.execute<ProblemRow>(sql('listKind'), { kind: filter.kind, max_rows: filter.limit });
  return rows.rows.map((row) => ({
    id: String(row.ID),
    kind: row.KIND as InboundProblemKind,
    routeId: row.ROUTE_ID as RouteId | null,
    bindId: row.BIND_ID as BindId | null,
    rawHex: row.RAW_HEX ?? '',
    detail: row.DETAIL,
    at: row.AT,
  }));
}

export async function purgeProblems(session: OracleSession, retentionS: number): Promise<number> {
  return (await session.execute(sql('purge'), { retention_s: retentionS })).rowsAffected;
}
