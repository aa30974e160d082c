import type { FastifyInstance, FastifyRequest } from 'fastify';
import { storeCall } from '../api/store-call.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import { adminPage } from './admin-pages.js';
import { verifyAdmin, type AdminAccounts } from './admins.js';
import { loginPage } from './client-pages.js';
import type { Dashboard } from './dashboard.js';
import { dashboardText } from './dashboard.js';
import { isLang, translator } from './i18n.js';
import type { LiveFeed } from './live-feed.js';
import { refuseThrottled, type LoginGuard } from './login-throttle.js';
import type { Session, SessionStore } from './sessions.js';
import { formFields, langOf, requireCsrf, sessionOf, setSessionCookie, webClientIp, type WebContext } from './web-context.js';

/**
 * The operator dashboard under /admin (docs/web.md): its own login (web.admins in the node config),
 * its own session cookie, read-only pages, a JSON snapshot and a live stream. Logout is the one
 * state-changing request, and it needs the session's CSRF token.
 */
export const ADMIN_COOKIE = 'smsproc_admin';
const PATH = '/admin';
/** The one subject of the dashboard's live feed: every operator sees the same node. */
export const DASHBOARD_SUBJECT = 'admin';

export interface AdminWebDeps {
  readonly context: WebContext;
  readonly admins: AdminAccounts;
  readonly sessions: SessionStore<string>;
  readonly dashboard: Dashboard;
  readonly feed: LiveFeed;
  readonly throttle: LoginGuard;
}

export function registerAdminWeb(app: FastifyInstance, deps: AdminWebDeps): void {
  const { context, admins, sessions, dashboard, feed, throttle } = deps;
  const { clock } = context;

  /** A live session of an operator this node's config lists: sessions outlive restarts, and nodes may list different operators. */
  async function adminSession(request: FastifyRequest): Promise<Session<string> | undefined> {
    const session = await sessionOf(sessions, ADMIN_COOKIE, request, clock());
    return session !== undefined && admins.has(session.subject) ? session : undefined;
  }

  async function requireSession(request: FastifyRequest): Promise<Session<string>> {
    const session = await adminSession(request);
    if (session === undefined) throw new SmsprocError(Errors.SESSION_REQUIRED);
    return session;
  }

  app.get(`${PATH}/login`, async (request, reply) => {
    const { lang, t } = langOf(undefined, request);
    return reply.type('text/html; charset=utf-8').send(loginPage({ lang, t, failed: false, base: PATH, title: t('adminTitle') }));
  });

  app.post(`${PATH}/login`, async (request, reply) => {
    const fields = formFields(request);
    const lang = isLang(fields['lang']) ? fields['lang'] : langOf(undefined, request).lang;
    const login = fields['username'] ?? '';
    const ip = webClientIp(context, request);
    await refuseThrottled(throttle, ip);
    if (!(await verifyAdmin(admins, login, fields['password'] ?? ''))) {
      await throttle.failed(ip);
      context.logger.warn({ login, ip }, 'dashboard login refused');
      const t = translator(lang);
      return reply.status(401).type('text/html; charset=utf-8').send(loginPage({ lang, t, failed: true, base: PATH, title: t('adminTitle') }));
    }
    const session = await storeCall(() => sessions.create(login, lang, clock()));
    setSessionCookie(context, request, reply, ADMIN_COOKIE, PATH, session.id);
    context.logger.info({ login, ip }, 'dashboard login');
    return reply.redirect(PATH, 303);
  });

  app.post(`${PATH}/logout`, async (request, reply) => {
    const session = await requireSession(request);
    requireCsrf(session, request);
    await storeCall(() => sessions.destroy(session.id));
    setSessionCookie(context, request, reply, ADMIN_COOKIE, PATH, null);
    return reply.redirect(`${PATH}/login`, 303);
  });

  app.get(PATH, async (request, reply) => {
    const session = await adminSession(request);
    if (session === undefined) return reply.redirect(`${PATH}/login`, 303);
    const { lang, t } = langOf(session, request);
    const update = dashboardText(await dashboard.snapshot(), clock());
    return reply.type('text/html; charset=utf-8').send(adminPage({ lang, t, login: session.subject, csrfToken: session.csrfToken, update }));
  });

  app.get(`${PATH}/api/v1/dashboard`, async (request) => {
    await requireSession(request);
    return dashboard.snapshot();
  });

  app.get(`${PATH}/live`, async (request, reply) => {
    const session = await requireSession(request);
    reply.hijack();
    // A stream keeps its session alive (a wall display), and ends at logout.
    feed.watch(DASHBOARD_SUBJECT, reply.raw, async () => (await sessions.touch(session.id, clock())) !== undefined);
  });
}
