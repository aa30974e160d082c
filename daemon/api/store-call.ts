import { Errors, SmsprocError } from '../domain/errors.js';

/** Seconds a client waits before retrying after the store failed. */
export const STORE_RETRY_AFTER_S = 2;

/**
 * Runs a store call; a failure other than a registry error becomes STORE_UNAVAILABLE (503 with
 * Retry-After). The port's contract is that a rejected enqueue stored nothing, so a retry is safe.
 */
export async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SmsprocError) throw error;
    throw new SmsprocError(Errors.STORE_UNAVAILABLE, { retryAfterS: STORE_RETRY_AFTER_S }, { retryAfterS: STORE_RETRY_AFTER_S, cause: error });
  }
}
