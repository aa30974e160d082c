/**
 * Callbacks are channels (DESIGN.md): an event whose url is SMPP_CHANNEL_URL goes to the client's
 * own SMPP receiver/transceiver binds instead of an HTTP endpoint, with the outbox's same backoff and
 * dead-lettering. The store chooses the channel when it raises the event (docs/smpp-server.md).
 */
import type { ClientId } from '../domain/ids.js';
import type { CallbackEvent } from '../storage/port.js';

export type ChannelAttempt = { readonly kind: 'delivered' } | { readonly kind: 'failed'; readonly error: string };

export interface EventChannel {
  /** One delivery attempt; never rejects. */
  deliver(event: CallbackEvent): Promise<ChannelAttempt>;
  /**
   * The clients with a receiving bind (receiver or transceiver) here now: the callback sender claims
   * SMPP-channel events of these clients only, so that events go to a node that holds such a bind.
   */
  receivingClients(): readonly ClientId[];
  /** Calls `listener` once a receiving bind of a client is up (bound); returns the unsubscribe. */
  onReceivingBind(listener: (clientId: ClientId) => void): () => void;
}
