import { SMPP_CHANNEL_URL } from '../domain/callback-channel.js';
import type { ClientId } from '../domain/ids.js';
import type { CallbackClaimScope } from './port.js';

/**
 * A claim's scope (port.ts, CallbackClaimScope) as every adapter applies it. The adapters probe each
 * client's due events per channel (their index of due events is keyed by client, channel, seq): with
 * HTTP in scope every client that has due events, else only the listed SMPP clients.
 */

/** The channels (true: SMPP) of one client's due events that the claim takes. */
export function channelsOf(scope: CallbackClaimScope, clientId: string): readonly boolean[] {
  const smpp = scope.smppClients.includes(clientId as ClientId);
  if (scope.http) return smpp ? [false, true] : [false];
  return smpp ? [true] : [];
}

/** Whether a claim may take this event (a lapsed lease is checked with it too). */
export function inScope(scope: CallbackClaimScope, clientId: string, url: string): boolean {
  return url === SMPP_CHANNEL_URL ? channelsOf(scope, clientId).includes(true) : scope.http;
}
