import { finalStatuses, type MessageStatus } from '../../domain/status.js';

/**
 * A multi-part message's status from its segments' statuses (pure): `delivered` when every segment
 * is; once every segment is final and one is not delivered, the worst of them in this order, the
 * most definite operator verdict first: rejected, undeliverable, expired, failed, cancelled.
 * Null while some segment is not final (the message keeps its status).
 */
const worstFirst: readonly MessageStatus[] = ['rejected', 'undeliverable', 'expired', 'failed', 'cancelled'];

export function aggregateStatus(segments: readonly MessageStatus[]): MessageStatus | null {
  if (segments.length === 0 || segments.some((status) => !finalStatuses.has(status))) return null;
  return worstFirst.find((status) => segments.includes(status)) ?? 'delivered';
}
