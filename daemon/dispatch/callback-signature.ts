/**
 * The signature on every callback request, so a client can check that it came from us and was not
 * altered or replayed later (docs/callbacks.md, "Verifying a callback"). Pure.
 */
import { createHmac } from 'node:crypto';

export const CallbackHeader = {
  eventId: 'X-Smsproc-Event-Id',
  timestamp: 'X-Smsproc-Timestamp',
  signature: 'X-Smsproc-Signature',
} as const;

/**
 * `sha256=<hex HMAC-SHA256(secret, timestamp + "." + signedPart)>`; signedPart is the request body,
 * or for a GET the whole query string as sent (everything after `?`).
 */
export function callbackSignature(secret: string, timestampSeconds: number, signedPart: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${signedPart}`, 'utf8').digest('hex');
  return `sha256=${mac}`;
}

/** The three headers of one request; the timestamp is Unix seconds at sending time. */
export function callbackHeaders(
  eventId: string,
  secret: string,
  timestampSeconds: number,
  signedPart: string,
): Record<string, string> {
  return {
    [CallbackHeader.eventId]: eventId,
    [CallbackHeader.timestamp]: String(timestampSeconds),
    [CallbackHeader.signature]: callbackSignature(secret, timestampSeconds, signedPart),
  };
}
