import { Errors, SmsprocError } from '../../domain/errors.js';

/**
 * Which oracledb failures mean "the database cannot be reached or the session is gone" (the
 * caller may retry, possibly on another node: STORE_UNAVAILABLE) and which are errors of ours or of
 * the schema (left as they are, so that they surface). node-oracledb Thin raises NJS-5xx for Oracle
 * Net failures (NJS-500 connection closed, NJS-501 lost contact, NJS-503 cannot connect, NJS-510
 * timeout, NJS-511 refused, NJS-521 end of file) and maps the server's ORA-03113/03114/03135/01012
 * to NJS-500; ORA- codes a server or listener sends while starting, stopping or failing over are
 * listed too. DPI- codes come from Thick mode and DPY- from python-oracledb; DPI-1080 (connection
 * closed) is kept so that a Thick deployment classifies the same.
 */
const unavailableCodes = new Set([
  'NJS-003', // connection already closed or invalid
  'NJS-040', // pool queue timeout: every connection busy or the pool cannot grow
  'NJS-500', 'NJS-501', 'NJS-503', 'NJS-510', 'NJS-511', 'NJS-521',
  'ORA-01012', // not logged on
  'ORA-01033', // initialisation or shutdown in progress
  'ORA-01034', // Oracle not available
  'ORA-01089', // immediate shutdown in progress
  'ORA-03113', // end-of-file on communication channel
  'ORA-03114', // not connected
  'ORA-03135', // connection lost contact
  'ORA-12170', // connect timeout
  'ORA-12514', // listener does not know the service
  'ORA-12528', // listener: instance blocking new connections
  'ORA-12537', // connection closed
  'ORA-12541', // no listener
  'ORA-25408', // cannot safely replay call (failover)
  'DPI-1080',
]);

/** The code of an oracledb error ("NJS-500", "ORA-03113"), or null for anything else. */
export function oracleErrorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(NJS|ORA|DPI|DPY)-\d+$/.test(code)) return code;
  const message = (error as { message?: unknown }).message;
  const match = typeof message === 'string' ? /^(NJS|ORA|DPI|DPY)-\d+/.exec(message) : null;
  return match?.[0] ?? null;
}

export function isUnavailable(error: unknown): boolean {
  const code = oracleErrorCode(error);
  return code !== null && unavailableCodes.has(code);
}

/** The error a Store method rejects with: STORE_UNAVAILABLE for connection failures, the error itself otherwise. */
export function storeErrorOf(error: unknown): unknown {
  if (error instanceof SmsprocError || !isUnavailable(error)) return error;
  return new SmsprocError(Errors.STORE_UNAVAILABLE, { retryAfterS: 1 }, { retryAfterS: 1, cause: error });
}

/** True for ORA-00001: an insert met a unique key (possibly one another session committed meanwhile). */
export function isUniqueViolation(error: unknown): boolean {
  return oracleErrorCode(error) === 'ORA-00001';
}

/**
 * Runs an upserting MERGE; when it loses a race for a new key (another session inserted the row
 * between the MERGE's match and its insert: ORA-00001, only this statement undone), runs it once
 * more, and the second run finds the row committed.
 */
export async function mergeRacing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return run();
  }
}
