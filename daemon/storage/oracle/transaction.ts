import type { OracleSession, OracleSessionPool } from './aq-session.js';
import { storeErrorOf } from './oracle-errors.js';

/**
 * Runs `body` in one transaction on one pooled session: commit when it returns, rollback when it
 * throws (a dequeue with ON_COMMIT visibility is undone too, so the messages stay in AQ), release
 * either way. A failure is mapped to the project's errors (oracle-errors.ts). A rollback that fails
 * because the connection is gone is not reported over the original error: the server rolls back a
 * dead session's transaction itself.
 */
export async function inTransaction<T>(pool: OracleSessionPool, body: (session: OracleSession) => Promise<T>): Promise<T> {
  let session: OracleSession;
  try {
    session = await pool.acquire();
  } catch (error) {
    throw storeErrorOf(error);
  }
  try {
    const result = await body(session);
    await session.commit();
    return result;
  } catch (error) {
    await session.rollback().catch(() => undefined);
    throw storeErrorOf(error);
  } finally {
    await session.release().catch(() => undefined);
  }
}
