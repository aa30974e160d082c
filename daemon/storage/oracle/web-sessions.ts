import type { WebSessionKind, WebSessionRecord } from '../web-session-port.js';
import type { OracleSession } from './aq-session.js';
import { oracleQueries } from './sql-files.js';

/** The web pages' login sessions, by the SHA-256 of their id (web-session-port.ts). */

interface SessionRow { ID_SHA256: string; KIND: string; SUBJECT: string; CSRF_TOKEN: string; LANG: string | null; CREATED_AT: Date; EXPIRES_AT: Date }

const sql = oracleQueries('web_sessions');

export async function createSession(session: OracleSession, record: WebSessionRecord): Promise<void> {
  await session.execute(sql('insert'), {
    id_sha256: record.idSha256, kind: record.kind, subject: record.subject, csrf_token: record.csrfToken, lang: record.lang,
    created_at: record.createdAt, expires_at: record.expiresAt,
  });
}

export async function findSession(session: OracleSession, idSha256: string, kind: WebSessionKind, now: Date): Promise<WebSessionRecord | null> {
  const row = (await session.execute<SessionRow>(sql('live'), { id_sha256: idSha256, kind, now_at: now })).rows[0];
  if (row === undefined) return null;
  return {
    idSha256: row.ID_SHA256,
    kind: row.KIND as WebSessionKind,
    subject: row.SUBJECT,
    csrfToken: row.CSRF_TOKEN,
    lang: row.LANG,
    createdAt: row.CREATED_AT,
    expiresAt: row.EXPIRES_AT,
  };
}

export async function extendSession(session: OracleSession, idSha256: string, expiresAt: Date): Promise<void> {
  await session.execute(sql('extend'), { expires_at: expiresAt, id_sha256: idSha256 });
}

export async function setSessionLang(session: OracleSession, idSha256: string, lang: string): Promise<void> {
  await session.execute(sql('setLang'), { lang, id_sha256: idSha256 });
}

export async function deleteSession(session: OracleSession, idSha256: string): Promise<void> {
  await session.execute(sql('remove'), { id_sha256: idSha256 });
}

/** Ends a client's statistics sessions, in the caller's transaction (the client is disabled or deleted). */
export async function endClientSessions(session: OracleSession, clientId: string): Promise<void> {
  await session.execute(sql('endClient'), { client_id: clientId });
}

/** Before the client's row is written: its statistics sessions end if its password changes. */
export async function endClientSessionsOnNewPassword(session: OracleSession, clientId: string, passwordHash: string | null): Promise<void> {
  await session.execute(sql('endClientOnNewPassword'), { client_id: clientId, password_hash: passwordHash });
}

export async function purgeSessions(session: OracleSession): Promise<number> {
  return (await session.execute(sql('purge'), {})).rowsAffected;
}
