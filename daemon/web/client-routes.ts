import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { credentialsOf } from '../api/authenticate.js';
import { storeCall } from '../api/store-call.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { ClientId, MessageId } from '../domain/ids.js';
import type { ClientRecord } from '../domain/provisioning.js';
import type { MessageView } from '../storage/port.js';
import type { ReportKind } from '../storage/stats-port.js';
import type { ClientStats } from './client-stats.js';
import { dashboardPage, loginPage, messagePage, searchPage, type SessionPageContext } from './client-pages.js';
import { toCsv } from './csv.js';
import { chartWindow, isChartRange } from './figures.js';
import { isLang, translator } from './i18n.js';
import type { LiveFeed } from './live-feed.js';
import { refuseThrottled, type LoginThrottle } from './login-throttle.js';
import { figureText } from './live-text.js';
import { dateRange, defaultDates, searchOf } from './request-params.js';
import type { Session, SessionStore } from './sessions.js';
import { formFields, langOf, requireCsrf, sessionOf, setSessionCookie, webClientIp, type WebContext } from './web-context.js';

/**
 * The client statistics pages and their read-only JSON API under /stats (docs/web.md). Pages need a
 * session (login with the client's API login and password); the JSON API and the live stream also
 * take the API's credentials (Bearer token, Basic). Every request re-checks the client's allowlist
 * and state, so a change applies at once to open sessions too.
 */
export const CLIENT_COOKIE = 'smsproc_stats';
const PATH = '/stats';
const clientReportKinds: readonly ReportKind[] = ['day', 'sender', 'route', 'status'];

export interface ClientWebDeps {
  readonly context: WebContext;
  readonly sessions: SessionStore<ClientId>;
  readonly stats: ClientStats;
  readonly feed: LiveFeed;
  readonly throttle: LoginThrottle;
}

interface Viewer {
  readonly client: ClientRecord;
  /** Absent when the request came with API credentials instead. */
  readonly session: Session<ClientId> | undefined;
}

interface PageViewer extends Viewer {
  readonly session: Session<ClientId>;
}

function messageJson(view: MessageView): Record<string, unknown> {
  return {
    id: view.id, clientRef: view.clientRef, from: view.sender, to: view.recipient, route: view.routeId, status: view.status,
    segments: view.segments, acceptedAt: view.acceptedAt.toISOString(), submittedAt: view.submittedAt?.toISOString() ?? null,
    doneAt: view.doneAt?.toISOString() ?? null, errorCode: view.errorCode, reason: view.reason,
    history: view.history.map((event) => ({ at: event.at.toISOString(), status: event.status, detail: event.detail })),
  };
}

export function registerClientWeb(app: FastifyInstance, deps: ClientWebDeps): void {
  const { context, sessions, stats, feed, throttle } = deps;
  const { clock } = context;

  /** The session's client, admitted again; undefined without a live session. */
  function sessionViewer(request: FastifyRequest): PageViewer | undefined {
    const session = sessionOf(sessions, CLIENT_COOKIE, request, clock());
    if (session === undefined) return undefined;
    return { client: context.api.authenticator.admit(session.subject, webClientIp(context, request)), session };
  }

  /** Pages: a session, or a redirect to the login page (then undefined). */
  function pageViewer(request: FastifyRequest, reply: FastifyReply): PageViewer | undefined {
    const viewer = sessionViewer(request);
    if (viewer === undefined) void reply.redirect(`${PATH}/login`, 303);
    return viewer;
  }

  /** The JSON API and the live stream: a session, or the API's credentials in the Authorization header. */
  async function apiViewer(request: FastifyRequest): Promise<Viewer> {
    const viewer = sessionViewer(request);
    if (viewer !== undefined) return viewer;
    const credentials = credentialsOf(undefined, request.headers, undefined, undefined);
    if (credentials === null) throw new SmsprocError(Errors.SESSION_REQUIRED);
    return { client: await context.api.authenticator.authenticate(credentials, webClientIp(context, request)), session: undefined };
  }

  function pageContext(viewer: PageViewer, request: FastifyRequest): SessionPageContext {
    return { ...langOf(viewer.session, request), client: viewer.client, csrfToken: viewer.session.csrfToken };
  }

  app.get(`${PATH}/login`, async (request, reply) => {
    const { lang, t } = langOf(undefined, request);
    return reply.type('text/html; charset=utf-8').send(loginPage({ lang, t, failed: false, base: PATH, title: t('title') }));
  });

  app.post(`${PATH}/login`, async (request, reply) => {
    const fields = formFields(request);
    const chosen = isLang(fields['lang']) ? fields['lang'] : langOf(undefined, request).lang;
    const ip = webClientIp(context, request);
    refuseThrottled(throttle, ip, clock());
    try {
      const client = await context.api.authenticator.authenticate({ kind: 'password', login: fields['username'] ?? '', password: fields['password'] ?? '' }, ip);
      const session = sessions.create(client.id, clock());
      session.lang = chosen;
      setSessionCookie(context, request, reply, CLIENT_COOKIE, PATH, session.id);
      context.logger.info({ clientId: client.id }, 'statistics login');
      return reply.redirect(PATH, 303);
    } catch (error) {
      if (!(error instanceof SmsprocError) || error.definition.httpStatus >= 500) throw error;
      if (error.definition === Errors.AUTH_FAILED) throttle.failed(ip, clock());
      const t = translator(chosen);
      return reply.status(error.definition.httpStatus).type('text/html; charset=utf-8')
        .send(loginPage({ lang: chosen, t, failed: true, base: PATH, title: t('title') }));
    }
  });

  app.post(`${PATH}/logout`, async (request, reply) => {
    const session = sessionOf(sessions, CLIENT_COOKIE, request, clock());
    if (session === undefined) throw new SmsprocError(Errors.SESSION_REQUIRED);
    requireCsrf(session, request);
    sessions.destroy(session.id);
    setSessionCookie(context, request, reply, CLIENT_COOKIE, PATH, null);
    return reply.redirect(`${PATH}/login`, 303);
  });

  app.post(`${PATH}/lang`, async (request, reply) => {
    const viewer = sessionViewer(request);
    if (viewer === undefined) throw new SmsprocError(Errors.SESSION_REQUIRED);
    requireCsrf(viewer.session, request);
    const lang = formFields(request)['lang'];
    if (isLang(lang)) viewer.session.lang = lang;
    return reply.redirect(PATH, 303);
  });

  app.get(PATH, async (request, reply) => {
    const viewer = pageViewer(request, reply);
    if (viewer === undefined) return reply;
    const page = pageContext(viewer, request);
    const now = clock();
    const id = viewer.client.id;
    const [figures, recent, hour, day, month] = await storeCall(() => Promise.all([
      stats.figures(id, now), stats.recent(id, now),
      stats.chart(id, 'hour', page.t, now), stats.chart(id, 'day', page.t, now), stats.chart(id, 'month', page.t, now),
    ]));
    const dates = defaultDates(now);
    return reply.type('text/html; charset=utf-8').send(dashboardPage({
      ...page, figures: figureText(figures), recent, charts: { hour, day, month }, defaultSince: dates.since, defaultUntil: dates.until,
    }));
  });

  app.get(`${PATH}/messages`, async (request, reply) => {
    const viewer = pageViewer(request, reply);
    if (viewer === undefined) return reply;
    const search = searchOf(request.query as Record<string, unknown>, viewer.client.id, clock());
    const results = await storeCall(() => context.store.searchMessages(search));
    return reply.type('text/html; charset=utf-8').send(searchPage({ ...pageContext(viewer, request), results }));
  });

  app.get<{ Params: { id: string } }>(`${PATH}/messages/:id`, async (request, reply) => {
    const viewer = pageViewer(request, reply);
    if (viewer === undefined) return reply;
    const message = await storeCall(() => context.store.findMessage(viewer.client.id, { id: request.params.id as MessageId }));
    if (message === null) throw new SmsprocError(Errors.MESSAGE_NOT_FOUND, { id: request.params.id });
    return reply.type('text/html; charset=utf-8').send(messagePage({ ...pageContext(viewer, request), message }));
  });

  app.get<{ Params: { range: string } }>(`${PATH}/charts/:range`, async (request, reply) => {
    const viewer = await apiViewer(request);
    const range = request.params.range.replace(/\.svg$/, '');
    if (!isChartRange(range)) throw new SmsprocError(Errors.NOT_FOUND, { kind: 'Chart', id: request.params.range });
    const { t } = langOf(viewer.session, request);
    return reply.type('image/svg+xml').send(await storeCall(() => stats.chart(viewer.client.id, range, t, clock())));
  });

  /** A report as CSV (pages and API) or JSON (API, ?format=json). */
  async function report(request: FastifyRequest<{ Params: { kind: string } }>, reply: FastifyReply): Promise<FastifyReply> {
    const viewer = await apiViewer(request);
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

  app.get(`${PATH}/live`, async (request, reply) => {
    const viewer = await apiViewer(request);
    const ip = webClientIp(context, request);
    const sessionId = viewer.session?.id;
    // Every update re-checks the session (a stream keeps it alive), the address and the account.
    const stillAllowed = (): boolean => {
      if (sessionId !== undefined && sessions.touch(sessionId, clock()) === undefined) return false;
      try {
        context.api.authenticator.admit(viewer.client.id, ip);
        return true;
      } catch {
        return false;
      }
    };
    reply.hijack();
    feed.watch(viewer.client.id, reply.raw, stillAllowed);
  });

  app.get(`${PATH}/api/v1/summary`, async (request) => {
    const viewer = await apiViewer(request);
    const now = clock();
    return { at: new Date(now).toISOString(), clientId: viewer.client.id, period: 'last 24 hours', ...(await storeCall(() => stats.figures(viewer.client.id, now))) };
  });

  app.get(`${PATH}/api/v1/series`, async (request) => {
    const viewer = await apiViewer(request);
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
    const viewer = await apiViewer(request);
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
    const viewer = await apiViewer(request);
    const message = await storeCall(() => context.store.findMessage(viewer.client.id, { id: request.params.id as MessageId }));
    if (message === null) throw new SmsprocError(Errors.MESSAGE_NOT_FOUND, { id: request.params.id });
    return messageJson(message);
  });
}
