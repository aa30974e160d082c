import type { WebSessionKind, WebSessionRecord } from './web-session-port.js';

/**
 * A web_sessions row as the SQLite and PostgreSQL adapters read it (snake_case columns, times in ms),
 * mapped to the port's record in one place, as ledger-rows.ts does for the ledger.
 */
export interface WebSessionRow { id_sha256: string; kind: string; subject: string; csrf_token: string; lang: string | null; created_at: number; expires_at: number }

export function webSessionOf(row: WebSessionRow): WebSessionRecord {
  return {
    idSha256: row.id_sha256,
    kind: row.kind as WebSessionKind,
    subject: row.subject,
    csrfToken: row.csrf_token,
    lang: row.lang,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
  };
}
