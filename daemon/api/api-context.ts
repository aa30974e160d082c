import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { ClientRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';
import type { Store } from '../storage/port.js';
import type { AcceptanceDeps } from './acceptance.js';
import { clientAddress, type AddressMatcher } from './address-list.js';
import { credentialsOf, type Authenticator } from './authenticate.js';
import { FormBody, XmlBody } from './body-parsers.js';
import { peerAddressOf } from './proxy-protocol.js';
import { textParam, type RawParams } from './submit-params.js';
import type { SubmissionRules } from './submission.js';

/** What every route handler needs; built once per app in server.ts. */
export interface ApiContext {
  readonly config: Config;
  readonly store: Store;
  readonly provisioning: ProvisioningCache;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly acceptance: AcceptanceDeps;
  readonly rules: SubmissionRules;
  readonly authenticator: Authenticator;
  readonly trustedProxies: AddressMatcher;
}

/** The client's address: the TCP (or PROXY protocol) peer, or X-Forwarded-For behind a trusted proxy. */
export function clientIpOf(context: ApiContext, request: FastifyRequest): string {
  const peer = peerAddressOf(request.raw.socket) ?? '';
  const forwarded = request.headers['x-forwarded-for'];
  return clientAddress(peer, Array.isArray(forwarded) ? forwarded.join(',') : forwarded, context.trustedProxies);
}

/** Query and body parameters together (the body wins); a JSON body must be an object. */
export function paramsOf(request: FastifyRequest): RawParams {
  const query = (request.query ?? {}) as RawParams;
  const body: unknown = request.body;
  if (body === undefined || body === null) return query;
  if (body instanceof FormBody) return { ...query, ...body.fields };
  if (body instanceof XmlBody) throw new SmsprocError(Errors.CONTENT_TYPE_UNSUPPORTED, { contentType: String(request.headers['content-type']) });
  if (typeof body === 'string') {
    if (body === '') return query;
    throw new SmsprocError(Errors.CONTENT_TYPE_UNSUPPORTED, { contentType: String(request.headers['content-type']) });
  }
  if (typeof body !== 'object' || Array.isArray(body)) throw new SmsprocError(Errors.BODY_MALFORMED, { detail: 'the JSON body must be an object' });
  return { ...query, ...(body as RawParams) };
}

/** Authenticates by URL token (route parameter), Authorization header, or login/password parameters. */
export function authenticateRequest(context: ApiContext, request: FastifyRequest, params: RawParams): Promise<ClientRecord> {
  const urlToken = (request.params as { urlToken?: string } | undefined)?.urlToken;
  const login = textParam(params, 'username') ?? textParam(params, 'login');
  const credentials = credentialsOf(urlToken, request.headers, login, textParam(params, 'password'));
  return context.authenticator.authenticate(credentials, clientIpOf(context, request));
}
