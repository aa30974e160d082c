import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { admitUnits, commitUnits, prepareUnit } from './acceptance.js';
import type { ApiContext } from './api-context.js';
import { clientIpOf } from './api-context.js';
import { credentialsOf } from './authenticate.js';
import { FormBody } from './body-parsers.js';
import { asSmsprocError } from './error-reply.js';
import { KannelRefusal, KannelReply, kannelRefusalOf, parseKannelRequest, rawPairs } from './kannel.js';
import { validateSubmission } from './submission.js';

const DAY_MINUTES = 24 * 60;

/** `GET/POST /cgi-bin/sendsms` with Kannel's parameters and plain-text replies. */
export function registerKannelRoutes(app: FastifyInstance, context: ApiContext): void {
  async function sendsms(request: FastifyRequest, reply: FastifyReply): Promise<string> {
    reply.type('text/plain; charset=utf-8');
    const url = request.raw.url ?? '';
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const pairs = rawPairs(request.body instanceof FormBody ? `${query}&${request.body.raw}` : query);
    const username = pairs.get('username') ?? pairs.get('user');
    const password = pairs.get('password') ?? pairs.get('pass');
    const credentials = credentialsOf(undefined, {}, username?.toString('utf8'), password?.toString('utf8'));
    // Kannel checks credentials before anything else, and words every access refusal the same.
    const client = await context.authenticator.authenticate(credentials, clientIpOf(context, request));
    const now = context.clock();
    const kannel = parseKannelRequest(pairs, context.config.messages.maxScheduleDays * DAY_MINUTES, now);
    const draft = validateSubmission(kannel.submit, client, context.rules, now);
    const unit = await prepareUnit(context.acceptance, client, draft, null, 'kannel', { dlrMask: kannel.dlrMask, dlrUrl: kannel.dlrUrl });
    await admitUnits(context.acceptance, client, [unit]);
    const [outcome] = await commitUnits(context.acceptance, [unit]);
    if (outcome !== undefined && outcome.kind === 'refused') throw outcome.error;
    reply.status(202);
    return draft.notBefore === null ? KannelReply.accepted : KannelReply.queued;
  }

  function kannelErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const refusal = error instanceof KannelRefusal
      ? error
      : kannelRefusalOf(asSmsprocError(error, { requestId: request.id, bodyLimitBytes: context.config.api.bodyLimitBytes }));
    if (refusal.status >= 500) context.logger.warn({ err: error, reqId: request.id }, 'sendsms failed');
    reply.status(refusal.status).type('text/plain; charset=utf-8');
    if (refusal.retryAfterS !== undefined) reply.header('retry-after', String(refusal.retryAfterS));
    void reply.send(refusal.body);
  }

  app.route({ method: ['GET', 'POST'], url: '/cgi-bin/sendsms', errorHandler: kannelErrorHandler, handler: sendsms });
}
