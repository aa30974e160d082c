import { SMPP_CHANNEL_URL } from '../../domain/callback-channel.js';
import { finalStatuses, kannelDlrBitOf, type MessageStatus } from '../../domain/status.js';
import type { OracleSession } from './aq-session.js';
import { addEvent } from './outbox.js';
import { oracleQueries } from './sql-files.js';

/**
 * Decides whether a status change of a message tells its client, and adds the DLR event to the
 * outbox in the caller's transaction, with the SQLite store's rules (docs/storage.md, "DLR events"):
 * a Kannel sendsms message with a dlr-url gets an event for each status whose dlr-mask bit is set;
 * a message submitted over SMPP one when it becomes final, if it asked for receipts, sent to the
 * client's SMPP binds (url `smpp:`, docs/smpp-server.md); any other message one when it becomes
 * final, if it asked for receipts and the client has a DLR URL.
 */
export interface DlrFacts {
  readonly status: MessageStatus;
  readonly stat: string | null;
  readonly errorCode: string | number | null;
  /** When the SMSC says it happened; null: now, for a final status. */
  readonly doneAt: Date | null;
  readonly receiptText: string;
  readonly smscId: string | null;
}

interface ContextRow {
  ID: string; CLIENT_ID: string; CLIENT_REF: string | null; RECIPIENT: string; SENDER: string; SEGMENTS: number;
  SUBMITTED_AT: Date | null; DLR_REQUESTED: number; KANNEL_DLR_MASK: number | null; KANNEL_DLR_URL: string | null;
  SOURCE: string; DLR_URL: string | null; SMSC_ID: string | null;
}

const sql = oracleQueries('dlr_events');

/** Adds the event the change calls for; returns its id, or null when the client is not told. */
export async function raiseDlr(session: OracleSession, messageId: string, facts: DlrFacts, now: Date): Promise<string | null> {
  const row = (await session.execute<ContextRow>(sql('context'), { id: messageId })).rows[0];
  if (row === undefined) return null;
  const final = finalStatuses.has(facts.status);
  const doneAt = facts.doneAt ?? (final ? now : null);
  const payload = {
    messageId: row.ID,
    clientRef: row.CLIENT_REF,
    status: facts.status,
    smscStatus: facts.stat,
    errorCode: facts.errorCode,
    recipient: row.RECIPIENT,
    sender: row.SENDER,
    segments: row.SEGMENTS,
    smscId: facts.smscId ?? row.SMSC_ID,
    submittedAt: row.SUBMITTED_AT === null ? null : row.SUBMITTED_AT.toISOString(),
    doneAt: doneAt === null ? null : doneAt.toISOString(),
  };
  if (row.KANNEL_DLR_URL !== null) {
    const bit = kannelDlrBitOf[facts.status];
    if (bit === null || ((row.KANNEL_DLR_MASK ?? 0) & bit) === 0) return null;
    const kannelFields = { dlrType: bit, receiptText: facts.receiptText, time: Math.floor((doneAt ?? now).getTime() / 1000) };
    return addEvent(session, { clientId: row.CLIENT_ID, kind: 'dlr', url: row.KANNEL_DLR_URL, kannel: true, payload: { ...payload, ...kannelFields } });
  }
  const url = row.SOURCE === 'smpp' ? SMPP_CHANNEL_URL : row.DLR_URL;
  if (!final || row.DLR_REQUESTED !== 1 || url === null) return null;
  return addEvent(session, { clientId: row.CLIENT_ID, kind: 'dlr', url, kannel: false, payload });
}
