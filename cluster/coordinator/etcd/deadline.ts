import { CoordinatorUnavailableError } from '../port.js';

/**
 * Settles with `call`, or rejects with CoordinatorUnavailableError after `ms`. The gRPC deadline on
 * the call itself should fire first; this timer is the backstop for the client's own queues and
 * retries (a call waiting for a connection has no gRPC deadline yet).
 */
export function withDeadline<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CoordinatorUnavailableError(`etcd: ${what} got no answer within ${ms} ms`)), ms);
  });
  return Promise.race([call, expired]).finally(() => clearTimeout(timer));
}

/** Turns any failure of an etcd call into CoordinatorUnavailableError, keeping the cause. */
export function unavailable(error: unknown, what: string): CoordinatorUnavailableError {
  if (error instanceof CoordinatorUnavailableError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new CoordinatorUnavailableError(`etcd: ${what} failed: ${detail}`, { cause: error });
}
