import type { MessageView } from '../../daemon/storage/port.js';
import { renderFields, renderTable } from './output.js';

/** One message as support reads it: the ledger fields, then its history oldest first. */
export function renderMessage(view: MessageView): string {
  const time = (at: Date | null): string | null => (at === null ? null : at.toISOString());
  const fields = renderFields([
    ['id', view.id],
    ['client', view.clientId],
    ['client ref', view.clientRef],
    ['route', view.routeId],
    ['from', view.sender],
    ['to', view.recipient],
    ['segments', `${view.segments} (${view.encoding})`],
    ['status', view.status],
    ['queue', view.queueState],
    ['accepted', time(view.acceptedAt)],
    ['not before', time(view.notBefore)],
    ['expires', time(view.expiresAt)],
    ['submitted', time(view.submittedAt)],
    ['done', time(view.doneAt)],
    ['error', view.errorCode === null && view.reason === null ? null : `${view.errorCode ?? '-'} ${view.reason ?? ''}`.trim()],
    ['smsc ids', view.smscIds],
  ]);
  const history = renderTable(['at', 'status', 'detail'], view.history.map((event) => [event.at.toISOString(), event.status, event.detail]));
  return `${fields}\n${history}`;
}
