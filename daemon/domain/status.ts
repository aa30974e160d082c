/**
 * Client-visible message statuses. docs/statuses.md explains each one and its mapping to SMPP
 * message_state and Kannel dlr-mask bits; a test keeps the two in step.
 */
export const MessageStatus = {
  accepted: 'accepted',
  scheduled: 'scheduled',
  submitted: 'submitted',
  delivered: 'delivered',
  undeliverable: 'undeliverable',
  expired: 'expired',
  rejected: 'rejected',
  failed: 'failed',
  inDoubt: 'in_doubt',
  cancelled: 'cancelled',
} as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

export const finalStatuses: ReadonlySet<MessageStatus> = new Set<MessageStatus>([
  MessageStatus.delivered,
  MessageStatus.undeliverable,
  MessageStatus.expired,
  MessageStatus.rejected,
  MessageStatus.failed,
  MessageStatus.cancelled,
]);

/** SMPP 3.4 message_state values (section 5.2.28) that correspond to each status, where one does. */
export const smppMessageStateOf: Readonly<Record<MessageStatus, number | null>> = {
  accepted: null,
  scheduled: null,
  submitted: 1, // ENROUTE
  delivered: 2, // DELIVERED
  expired: 3, // EXPIRED
  cancelled: 4, // DELETED
  undeliverable: 5, // UNDELIVERABLE
  in_doubt: 7, // UNKNOWN
  rejected: 8, // REJECTED
  failed: 5, // UNDELIVERABLE: SMPP has no separate "failed before the operator" state
};

/** Kannel dlr-mask bits: 1 delivered, 2 failed, 4 buffered, 8 accepted by SMSC, 16 rejected by SMSC. */
export const kannelDlrBitOf: Readonly<Record<MessageStatus, number | null>> = {
  accepted: null,
  scheduled: null,
  submitted: 8,
  delivered: 1,
  undeliverable: 2,
  expired: 2,
  rejected: 16,
  failed: 2,
  in_doubt: 4,
  cancelled: 2,
};

/**
 * Queue states, mirroring Oracle AQ: READY (can be claimed), WAITING (delayed until not_before),
 * IN_FLIGHT (claimed under a lease), IN_DOUBT (lease expired: the owner may have sent it),
 * PROCESSED (acked), EXPIRED (its validity ended before it was sent).
 */
export const QueueState = {
  ready: 'READY',
  waiting: 'WAITING',
  inFlight: 'IN_FLIGHT',
  inDoubt: 'IN_DOUBT',
  processed: 'PROCESSED',
  expired: 'EXPIRED',
} as const;
export type QueueState = (typeof QueueState)[keyof typeof QueueState];
