import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { storeCall } from '../api/store-call.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { MessageId } from '../domain/ids.js';
import type { MessageView } from '../storage/port.js';
import type { ReportKind } from '../storage/stats-port.js';
import type { ClientStats } from './client-stats.js';
import type { ClientViewers } from './client-viewer.js';
import { toCsv } from './csv.js';
import { chartWindow, isChartRange } from './figures.js';
import { dateRange, searchOf } from './request-params.js';
import type { WebContext } from './web-context.js';

/**
 * The client statistics as data (docs/web.md): the read-only JSON API under /stats/api/v1 and the
 * CSV reports the pages download. Authenticated by a session or the API's credentials.
 */
const PATH = '/stats';
const clientReportKinds: readonly ReportKind[] = ['day', 'sender', 'route', 'status'];

function messageJson(view: MessageView): Record<string, unknown> {
  return {
    id: view.id, clientRef: view.clientRef, from: view.sender, to: view.recipient, route: view.routeId, status: view.status,
    segments: view.segments, acceptedAt: view.acceptedAt.toISOString(), submittedAt: view.submittedAt?.toISOString() ?? null,
    doneAt: view.doneAt?.toISOString() ?? null, errorCode: view.errorCode, reason: view.reason,
    history: view.history.map((event) => ({ at: event.at.toISOString(), status: event.status, detail: event.detail })),
  };
}

export function registerClientApi(app: FastifyInstance, deps: { readonly context: WebContext; readonly viewers: ClientViewers; readonly stats: ClientStats }): void {
  const { context, viewers, stats } = deps;
  const { clock } = context;

  /** A report as CSV (pages and API) or JSON (API, ?format=json). */
  async function report(request: FastifyRequest<{ Params: { kind: string } }>, reply: FastifyReply): Promise<FastifyReply> {
    const viewer = await viewers.ofApi(request);
    const [kind, extension] = request.params.kind.split('.', 2);
    const query = request.query as Record<string, unknown>;
    if (!clientReportKinds.includes(kind as ReportKind)) throw new SmsprocError(Errors.NOT_FOUND, { kind: 'Report', id: request.params.kind });
    const { since, until } = dateRange(query, clock());
    const rows = await storeCall(() => context.store.statsReport(kind as ReportKind, { clientId: viewer.client.id, since, until }));
    if (extension !== 'csv' && query['format'] === 'json') return reply.send({ kind, since: since.toISOString(), until: until.toISOString(), rows });
    const csv = toCsv([kind ?? '', 'messages', 'segments', 'delivered', 'failed', 'expired', 'pending'],
      rows.map((row) => [row.key, row.messages, row.segments, row.delivered, row.failed, row.expired, row.pending]));
    const name = `smsproc-${kind ?? ''}-${since.toISOString().slice(0, 10)}-${new Date(until.getTime() - 1).toISOString().slice(0, 10)}.csv`;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(csv);
  }
  app.get(`${PATH}/reports/:kind`, report);
  app.get(`${PATH}/api/v1/reports/:kind`, report);

  app.get(`${PATH}/api/v1/summary`, async (request) => {
    const viewer = await viewers.ofApi(request);
    const now = clock();
    return { at: new Date(now).toISOString(), clientId: viewer.client.id, period: 'last 24 hours', ...(await storeCall(() => stats.figures(viewer.client.id, now))) };
  });

  app.get(`${PATH}/api/v1/series`, async (request) => {
    const viewer = await viewers.ofApi(request);
    const range = (request.query as Record<string, unknown>)['range'] ?? 'day';
    if (!isChartRange(range)) throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'range', detail: 'use hour, day or month' });
    const window = chartWindow(range, clock());
    const buckets = await storeCall(() => context.store.statsSeries({ clientId: viewer.client.id, since: window.since, until: window.until, bucketMs: window.bucketMs }));
    return {
      range, bucketMs: window.bucketMs, since: window.since.toISOString(), until: window.until.toISOString(),
      buckets: buckets.map((bucket) => ({ ...bucket, start: bucket.start.toISOString() })),
    };
  });

  app.get(`${PATH}/api/v1/messages`, async (request) => {
    const viewer = await viewers.ofApi(request);
    const search = searchOf(request.query as Record<string, unknown>, viewer.client.id, clock());
    const messages = await storeCall(() => context.store.searchMessages(search));
    return {
      messages: messages.map((m) => ({
        id: m.id, clientRef: m.clientRef, from: m.sender, to: m.recipient, route: m.routeId, status: m.status, segments: m.segments,
        acceptedAt: m.acceptedAt.toISOString(), submittedAt: m.submittedAt?.toISOString() ?? null, doneAt: m.doneAt?.toISOString() ?? null, errorCode: m.errorCode,
      })),
    };
  });

  app.get<{ Params: { id: string } }>(`${PATH}/api/v1/messages/:id`, async (request) => {
    const viewer = await viewers.ofApi(request);
    const message = await storeCall(() => context.store.findMessage(viewer.client.id, { id: request.params.id as MessageId }));
    if (message === null) throw new SmsprocError(Errors.MESSAGE_NOT_FOUND, { id: request.params.id });
    return messageJson(message);
  });
}
