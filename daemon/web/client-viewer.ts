import type { FastifyReply, FastifyRequest } from 'fastify';
import { credentialsOf } from '../api/authenticate.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { ClientId } from '../domain/ids.js';
import type { ClientRecord } from '../domain/provisioning.js';
import type { Session, SessionStore } from './sessions.js';
import { sessionOf, webClientIp, type WebContext } from './web-context.js';

/**
 * Who is asking, on the client statistics routes: the client of a live session (the pages), or of the
 * API's credentials in the Authorization header (the JSON API and the live stream). Every request
 * admits the client again (allowlist, account state), so a change applies at once to open sessions.
 */
export const CLIENT_COOKIE = 'smsproc_stats';

export interface Viewer {
  readonly client: ClientRecord;
  /** Absent when the request came with API credentials instead. */
  readonly session: Session<ClientId> | undefined;
}

export interface PageViewer extends Viewer {
  readonly session: Session<ClientId>;
}

export class ClientViewers {
  constructor(private readonly context: WebContext, private readonly sessions: SessionStore<ClientId>, private readonly loginPath: string) {}

  /** The session's client, admitted again; undefined without a live session. */
  async ofSession(request: FastifyRequest): Promise<PageViewer | undefined> {
    const session = await sessionOf(this.sessions, CLIENT_COOKIE, request, this.context.clock());
    if (session === undefined) return undefined;
    return { client: this.context.api.authenticator.admit(session.subject, webClientIp(this.context, request)), session };
  }

  /** Pages: a session, or a redirect to the login page (then undefined). */
  async ofPage(request: FastifyRequest, reply: FastifyReply): Promise<PageViewer | undefined> {
    const viewer = await this.ofSession(request);
    if (viewer === undefined) void reply.redirect(this.loginPath, 303);
    return viewer;
  }

  /** The JSON API and the live stream: a session, or the API's credentials (Bearer token, Basic). */
  async ofApi(request: FastifyRequest): Promise<Viewer> {
    const viewer = await this.ofSession(request);
    if (viewer !== undefined) return viewer;
    const credentials = credentialsOf(undefined, request.headers, undefined, undefined);
    if (credentials === null) throw new SmsprocError(Errors.SESSION_REQUIRED);
    return { client: await this.context.api.authenticator.authenticate(credentials, webClientIp(this.context, request)), session: undefined };
  }
}
