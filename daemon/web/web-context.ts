import { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../api/api-context.js';
import { storeCall } from '../api/store-call.js';
import { clientIpOf } from '../api/api-context.js';
import { FormBody } from '../api/body-parsers.js';
import type { Config } from '../config/schema.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { Logger } from '../log.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';
import type { Store } from '../storage/port.js';
import { parseCookies, serializeCookie } from './cookies.js';
import { chooseLang, translator, type Lang, type Translate } from './i18n.js';
import { csrfTokenMatches, type Session, type SessionStore } from './sessions.js';

/** What the web routes share; built once in web.ts. */
export interface WebContext {
  readonly config: Config;
  readonly store: Store;
  readonly provisioning: ProvisioningCache;
  readonly logger: Logger;
  readonly clock: () => number;
  /** The client API's context: its authenticator (passwords, tokens, allowlists) and trusted proxies. */
  readonly api: ApiContext;
}

/** The client's address, as the API sees it (trusted proxies, PROXY protocol). */
export function webClientIp(context: WebContext, request: FastifyRequest): string {
  return clientIpOf(context.api, request);
}

/** Served over TLS, here or (per a trusted proxy's X-Forwarded-Proto) in front of us: cookies get Secure. */
export function isSecure(context: WebContext, request: FastifyRequest): boolean {
  if (request.raw.socket instanceof TLSSocket) return true;
  const peer = request.raw.socket.remoteAddress ?? '';
  return context.api.trustedProxies(peer) && String(request.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
}

export function sessionOf<S extends string>(sessions: SessionStore<S>, cookieName: string, request: FastifyRequest, now: number): Promise<Session<S> | undefined> {
  return storeCall(() => sessions.touch(parseCookies(request.headers.cookie).get(cookieName), now));
}

export function setSessionCookie(context: WebContext, request: FastifyRequest, reply: FastifyReply, name: string, path: string, value: string | null): void {
  void reply.header('set-cookie', serializeCookie(name, value ?? '', {
    path,
    // No Max-Age on a live session: one set at login would end an active session a TTL after login;
    // the store's idle expiry is what ends it.
    maxAgeS: value === null ? 0 : null,
    secure: isSecure(context, request),
    // Strict: a link from another site never carries the session, so no cross-site request acts as the user.
    sameSite: 'Strict',
  }));
}

/** Fields of a form POST (application/x-www-form-urlencoded); empty for other bodies. */
export function formFields(request: FastifyRequest): Readonly<Record<string, string>> {
  const body: unknown = request.body;
  if (!(body instanceof FormBody)) return {};
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body.fields)) fields[name] = Array.isArray(value) ? (value[0] ?? '') : value;
  return fields;
}

/** Refuses a state-changing request whose CSRF token (form field `_csrf` or header X-CSRF-Token) is not its session's. */
export function requireCsrf(session: { readonly csrfToken: string }, request: FastifyRequest): void {
  const header = request.headers['x-csrf-token'];
  const given = formFields(request)['_csrf'] ?? (typeof header === 'string' ? header : undefined);
  if (!csrfTokenMatches(session, given)) throw new SmsprocError(Errors.CSRF_REJECTED);
}

export function langOf(session: { readonly lang: string | null } | undefined, request: FastifyRequest): { lang: Lang; t: Translate } {
  const lang = chooseLang(session?.lang, (request.query as Record<string, unknown> | undefined)?.['lang'], request.headers['accept-language']);
  return { lang, t: translator(lang) };
}

/** Headers of every web answer: no framing, no sniffing, no caching of figures, scripts only from us. */
export function setSecurityHeaders(reply: FastifyReply): void {
  void reply.headers({
    'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
}
