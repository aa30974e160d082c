import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { Logger } from '../log.js';
import { noAcceptanceEvents, type AcceptanceEvents } from '../stats/metric-events.js';
import type { Limiter } from '../limits/limiter.js';
import { createQueueGauge } from '../limits/queue-gauge.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';
import type { Store } from '../storage/port.js';
import { compileAddressList } from './address-list.js';
import type { ApiContext } from './api-context.js';
import { createAuthenticator } from './authenticate.js';
import { registerBodyParsers } from './body-parsers.js';
import { createCredentialCache } from './credential-cache.js';
import { createIntakeLimiter } from './intake-limiter.js';
import { asSmsprocError, errorBody, setErrorStatus } from './error-reply.js';
import { acceptProxyProtocol } from './proxy-protocol.js';
import { registerKannelRoutes } from './routes-kannel.js';
import { registerSmsRoutes } from './routes-sms.js';
import { registerScenarioRoutes } from './routes-scenarios.js';
import { registerStatusRoutes } from './routes-status.js';
import { registerXmlRoutes } from './routes-xml.js';
import { rulesOf } from './submission.js';

export interface ApiDeps {
  readonly config: Config;
  readonly store: Store;
  readonly provisioning: ProvisioningCache;
  readonly logger: Logger;
  /** Milliseconds since the epoch; Date.now by default. */
  readonly clock?: () => number;
  /** The per-client intake ceiling; in-process token buckets by default (a cluster passes the Redis one). */
  readonly limiter?: Limiter;
  /** Accepted messages and refused requests, for metrics. */
  readonly events?: AcceptanceEvents;
  /** More routes on the same server (the web pages: daemon/web), given the API's context. */
  readonly extensions?: readonly ApiExtension[];
}

export type ApiExtension = (app: FastifyInstance, context: ApiContext) => void;

/** The path without its query (passwords) and with the unique-URL token (a credential) masked. */
function loggablePath(url: string): string {
  return (url.split('?')[0] ?? '').replace(/^\/c\/[^/]+/, '/c/[redacted]');
}

type ServerFactory = (handler: (request: IncomingMessage, response: ServerResponse) => void) => Server;

function createApp(deps: ApiDeps, serverFactory?: ServerFactory): FastifyInstance {
  const { config, store, provisioning, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const events = deps.events ?? noAcceptanceEvents;
  const limiter = deps.limiter ?? createIntakeLimiter(provisioning, clock);
  const context: ApiContext = {
    config,
    store,
    provisioning,
    logger,
    clock,
    acceptance: { config, store, provisioning, limiter, queueGauge: createQueueGauge(store, clock), events },
    rules: rulesOf(config),
    authenticator: createAuthenticator(provisioning, createCredentialCache(config.api.credentialCacheTtlMs, clock)),
    trustedProxies: compileAddressList(config.api.trustedProxies),
  };

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Request URLs can carry passwords (Kannel, GET submit): the hook below logs paths only.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.api.bodyLimitBytes,
    // Draining answers with our SHUTTING_DOWN (hook below) rather than fastify's own 503.
    return503OnClosing: false,
    ...(serverFactory === undefined ? {} : { serverFactory }),
  });
  registerBodyParsers(app);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new SmsprocError(Errors.SHUTTING_DOWN, {}, { retryAfterS: 1 });
  });

  app.addHook('onResponse', async (request, reply) => {
    logger.debug({ reqId: request.id, method: request.method, path: loggablePath(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const failure = asSmsprocError(error, { requestId: request.id, bodyLimitBytes: config.api.bodyLimitBytes, contentType: request.headers['content-type'] });
    events.refused(failure.definition.name);
    if (failure.definition === Errors.INTERNAL) logger.error({ err: error, reqId: request.id }, 'request failed');
    else if (failure.definition.httpStatus >= 500) logger.warn({ err: error, reqId: request.id, code: failure.code }, 'request refused: server unavailable');
    setErrorStatus(reply, failure);
    void reply.send(errorBody(failure));
  });
  app.setNotFoundHandler((request, reply) => {
    const failure = new SmsprocError(Errors.NOT_FOUND, { kind: 'Path', id: `${request.method} ${request.url.split('?')[0] ?? ''}` });
    setErrorStatus(reply, failure);
    void reply.send(errorBody(failure));
  });

  registerSmsRoutes(app, context);
  registerXmlRoutes(app, context);
  registerKannelRoutes(app, context);
  registerStatusRoutes(app, context);
  registerScenarioRoutes(app, context);
  for (const extend of deps.extensions ?? []) extend(app, context);
  return app;
}

/** The client API as a fastify instance, not listening (tests use inject()). */
export function buildApi(deps: ApiDeps): FastifyInstance {
  return createApp(deps);
}

export interface ApiServer {
  readonly app: FastifyInstance;
  /** Where it listens (the real port when config.api.port is 0). */
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Stops accepting, finishes requests in progress, closes. */
  close(): Promise<void>;
}

/**
 * Listens on config.api.host:port: HTTPS when api.tlsCertFile and api.tlsKeyFile are set, HTTP
 * otherwise; with api.proxyProtocol, a PROXY v1 line from a trusted proxy names the client.
 */
export async function startApiServer(deps: ApiDeps): Promise<ApiServer> {
  const { api } = deps.config;
  const tls = api.tlsCertFile !== null && api.tlsKeyFile !== null;
  const tlsOptions = tls ? { cert: readFileSync(api.tlsCertFile!), key: readFileSync(api.tlsKeyFile!) } : null;
  const serverFactory: ServerFactory = (handler) => {
    const server: Server = tlsOptions === null ? createHttpServer(handler) : createHttpsServer(tlsOptions, handler);
    if (api.proxyProtocol) acceptProxyProtocol(server, compileAddressList(api.trustedProxies), deps.logger, { tls: tlsOptions !== null });
    return server;
  };
  const app = createApp(deps, serverFactory);
  await app.listen({ host: api.host, port: api.port });
  const address = app.server.address() as AddressInfo;
  return { app, host: address.address, port: address.port, tls, close: () => app.close() };
}
