import type { WebSessionKind, WebSessionRecord } from '../web-session-port.js';
import { webSessionOf, type WebSessionRow } from '../web-session-rows.js';
import type { Sql } from './database.js';
import { loadQueries } from './sql-files.js';

/** The web pages' login sessions, by the SHA-256 of their id (web-session-port.ts); each call is one statement. */

export class WebSessionsSql {
  private readonly sql = loadQueries('web_sessions');

  async create(db: Sql, session: WebSessionRecord): Promise<void> {
    await db.count(this.sql('insert'), [
      session.idSha256, session.kind, session.subject, session.csrfToken, session.lang, session.createdAt.getTime(), session.expiresAt.getTime(),
    ]);
  }

  async find(db: Sql, idSha256: string, kind: WebSessionKind, now: Date): Promise<WebSessionRecord | null> {
    const row = (await db.rows<WebSessionRow>(this.sql('live'), [idSha256, kind, now.getTime()]))[0];
    return row === undefined ? null : webSessionOf(row);
  }

  async extend(db: Sql, idSha256: string, expiresAt: Date): Promise<void> {
    await db.count(this.sql('extend'), [expiresAt.getTime(), idSha256]);
  }

  async setLang(db: Sql, idSha256: string, lang: string): Promise<void> {
    await db.count(this.sql('setLang'), [lang, idSha256]);
  }

  async delete(db: Sql, idSha256: string): Promise<void> {
    await db.count(this.sql('delete'), [idSha256]);
  }

  /** Ends a client's statistics sessions, in the caller's transaction (the client is disabled or deleted). */
  async endClient(db: Sql, clientId: string): Promise<void> {
    await db.count(this.sql('endClient'), [clientId]);
  }

  /** Before the client's row is written: its statistics sessions end if its password changes. */
  async endClientOnNewPassword(db: Sql, clientId: string, passwordHash: string | null): Promise<void> {
    await db.count(this.sql('endClientOnNewPassword'), [clientId, passwordHash]);
  }

  async purge(db: Sql, now: number): Promise<number> {
    return db.count(this.sql('purge'), [now]);
  }
}
