import type { FastifyInstance, FastifyRequest } from 'fastify';
import { storeCall } from '../api/store-call.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { ClientId, MessageId } from '../domain/ids.js';
import { registerClientApi } from './client-api-routes.js';
import { dashboardPage, loginPage, messagePage, searchPage, type SessionPageContext } from './client-pages.js';
import type { ClientStats } from './client-stats.js';
import { CLIENT_COOKIE, ClientViewers, type PageViewer } from './client-viewer.js';
import { isChartRange } from './figures.js';
import { isLang, translator } from './i18n.js';
import type { LiveFeed } from './live-feed.js';
import { figureText } from './live-text.js';
import { refuseThrottled, type LoginGuard } from './login-throttle.js';
import { defaultDates, searchOf } from './request-params.js';
import type { SessionStore } from './sessions.js';
import { formFields, langOf, requireCsrf, sessionOf, setSessionCookie, webClientIp, type WebContext } from './web-context.js';

/**
 * The client statistics pages under /stats (docs/web.md): login and logout, the live page with its
 * stream and charts, search, message history. Pages need a session (the client's API login and
 * password); the stream and charts also take the API's credentials. The JSON API and the CSV reports
 * are in client-api-routes.ts.
 */
const PATH = '/stats';

export interface ClientWebDeps {
  readonly context: WebContext;
  readonly sessions: SessionStore<ClientId>;
  readonly stats: ClientStats;
  readonly feed: LiveFeed;
  readonly throttle: LoginGuard;
}

export function registerClientWeb(app: FastifyInstance, deps: ClientWebDeps): void {
  const { context, sessions, stats, feed, throttle } = deps;
  const { clock } = context;
  const viewers = new ClientViewers(context, sessions, `${PATH}/login`);
  registerClientApi(app, { context, viewers, stats });

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
    await refuseThrottled(throttle, ip);
    try {
      const client = await context.api.authenticator.authenticate({ kind: 'password', login: fields['username'] ?? '', password: fields['password'] ?? '' }, ip);
      const session = await storeCall(() => sessions.create(client.id, chosen, clock()));
      setSessionCookie(context, request, reply, CLIENT_COOKIE, PATH, session.id);
      context.logger.info({ clientId: client.id }, 'statistics login');
      return reply.redirect(PATH, 303);
    } catch (error) {
      if (!(error instanceof SmsprocError) || error.definition.httpStatus >= 500) throw error;
      if (error.definition === Errors.AUTH_FAILED) await throttle.failed(ip);
      const t = translator(chosen);
      return reply.status(error.definition.httpStatus).type('text/html; charset=utf-8')
        .send(loginPage({ lang: chosen, t, failed: true, base: PATH, title: t('title') }));
    }
  });

  app.post(`${PATH}/logout`, async (request, reply) => {
    const session = await sessionOf(sessions, CLIENT_COOKIE, request, clock());
    if (session === undefined) throw new SmsprocError(Errors.SESSION_REQUIRED);
    requireCsrf(session, request);
    await storeCall(() => sessions.destroy(session.id));
    setSessionCookie(context, request, reply, CLIENT_COOKIE, PATH, null);
    return reply.redirect(`${PATH}/login`, 303);
  });

  app.post(`${PATH}/lang`, async (request, reply) => {
    const viewer = await viewers.ofSession(request);
    if (viewer === undefined) throw new SmsprocError(Errors.SESSION_REQUIRED);
    requireCsrf(viewer.session, request);
    const lang = formFields(request)['lang'];
    if (isLang(lang)) await storeCall(() => sessions.setLang(viewer.session, lang));
    return reply.redirect(PATH, 303);
  });

  app.get(PATH, async (request, reply) => {
    const viewer = await viewers.ofPage(request, reply);
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
    const viewer = await viewers.ofPage(request, reply);
    if (viewer === undefined) return reply;
    const search = searchOf(request.query as Record<string, unknown>, viewer.client.id, clock());
    const results = await storeCall(() => context.store.searchMessages(search));
    return reply.type('text/html; charset=utf-8').send(searchPage({ ...pageContext(viewer, request), results }));
  });

  app.get<{ Params: { id: string } }>(`${PATH}/messages/:id`, async (request, reply) => {
    const viewer = await viewers.ofPage(request, reply);
    if (viewer === undefined) return reply;
    const message = await storeCall(() => context.store.findMessage(viewer.client.id, { id: request.params.id as MessageId }));
    if (message === null) throw new SmsprocError(Errors.MESSAGE_NOT_FOUND, { id: request.params.id });
    return reply.type('text/html; charset=utf-8').send(messagePage({ ...pageContext(viewer, request), message }));
  });

  app.get<{ Params: { range: string } }>(`${PATH}/charts/:range`, async (request, reply) => {
    const viewer = await viewers.ofApi(request);
    const range = request.params.range.replace(/\.svg$/, '');
    if (!isChartRange(range)) throw new SmsprocError(Errors.NOT_FOUND, { kind: 'Chart', id: request.params.range });
    const { t } = langOf(viewer.session, request);
    return reply.type('image/svg+xml').send(await storeCall(() => stats.chart(viewer.client.id, range, t, clock())));
  });

  app.get(`${PATH}/live`, async (request, reply) => {
    const viewer = await viewers.ofApi(request);
    const ip = webClientIp(context, request);
    const sessionId = viewer.session?.id;
    // Every update re-checks the session (a stream keeps it alive), the address and the account.
    const stillAllowed = async (): Promise<boolean> => {
      if (sessionId !== undefined && (await sessions.touch(sessionId, clock())) === undefined) return false;
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

}
