import type Database from 'better-sqlite3';
import type { WebSessionKind, WebSessionRecord } from '../web-session-port.js';
import { webSessionOf, type WebSessionRow } from '../web-session-rows.js';
import { loadQueries } from './sql-files.js';

/** The web pages' login sessions, by the SHA-256 of their id (web-session-port.ts). */

export class WebSessionsSql {
  private readonly insert: Database.Statement<[string, string, string, string, string | null, number, number]>;
  private readonly live: Database.Statement<[string, string, number], WebSessionRow>;
  private readonly extendOne: Database.Statement<[number, string]>;
  private readonly setLangOf: Database.Statement<[string, string]>;
  private readonly deleteOne: Database.Statement<[string]>;
  private readonly endClientSessions: Database.Statement<[string]>;
  private readonly endOnNewPassword: Database.Statement<[{ client: string; passwordHash: string | null }]>;
  private readonly purgeExpired: Database.Statement<[{ now: number }]>;

  constructor(db: Database.Database) {
    const sql = loadQueries('web_sessions');
    this.insert = db.prepare(sql('insert'));
    this.live = db.prepare(sql('live'));
    this.extendOne = db.prepare(sql('extend'));
    this.setLangOf = db.prepare(sql('setLang'));
    this.deleteOne = db.prepare(sql('delete'));
    this.endClientSessions = db.prepare(sql('endClient'));
    this.endOnNewPassword = db.prepare(sql('endClientOnNewPassword'));
    this.purgeExpired = db.prepare(sql('purge'));
  }

  create(session: WebSessionRecord): void {
    this.insert.run(session.idSha256, session.kind, session.subject, session.csrfToken, session.lang, session.createdAt.getTime(), session.expiresAt.getTime());
  }

  find(idSha256: string, kind: WebSessionKind, now: number): WebSessionRecord | null {
    const row = this.live.get(idSha256, kind, now);
    return row === undefined ? null : webSessionOf(row);
  }

  extend(idSha256: string, expiresAt: number): void {
    this.extendOne.run(expiresAt, idSha256);
  }

  setLang(idSha256: string, lang: string): void {
    this.setLangOf.run(lang, idSha256);
  }

  delete(idSha256: string): void {
    this.deleteOne.run(idSha256);
  }

  /** Ends a client's statistics sessions, in the caller's transaction (the client is disabled or deleted). */
  endClient(clientId: string): void {
    this.endClientSessions.run(clientId);
  }

  /** Before the client's row is written: its statistics sessions end if its password changes. */
  endClientOnNewPassword(clientId: string, passwordHash: string | null): void {
    this.endOnNewPassword.run({ client: clientId, passwordHash });
  }

  purge(now: number): number {
    return this.purgeExpired.run({ now }).changes;
  }
}
