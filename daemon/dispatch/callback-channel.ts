/**
 * Callbacks are channels (DESIGN.md): an event whose url is SMPP_CHANNEL_URL goes to the client's
 * own SMPP receiver/transceiver binds instead of an HTTP endpoint, with the outbox's same backoff and
 * dead-lettering. The store chooses the channel when it raises the event (docs/smpp-server.md).
 */
import type { CallbackEvent } from '../storage/port.js';

export type ChannelAttempt = { readonly kind: 'delivered' } | { readonly kind: 'failed'; readonly error: string };

export interface EventChannel {
  /** One delivery attempt; never rejects. */
  deliver(event: CallbackEvent): Promise<ChannelAttempt>;
}
