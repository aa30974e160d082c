import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Errors, SmsprocError } from '../domain/errors.js';
import { acceptDraft } from './acceptance.js';
import { authenticateRequest, paramsOf, type ApiContext } from './api-context.js';
import { acceptItems } from './batch.js';
import { parseSubmitParams, type RawParams } from './submit-params.js';
import { checkClientRef, validateSubmission } from './submission.js';
import { batchItemJson, unitJson, type BatchItemJson, type UnitJson } from './unit-reply.js';

/** `GET/POST /api/v1/sms` and `POST /api/v1/sms/batch`, and the same under the client's unique URL. */
export function registerSmsRoutes(app: FastifyInstance, context: ApiContext): void {
  async function submit(request: FastifyRequest, reply: FastifyReply): Promise<UnitJson> {
    const params = paramsOf(request);
    const client = await authenticateRequest(context, request, params);
    const submitParams = parseSubmitParams(params);
    const header = request.headers['idempotency-key'];
    const headerKey = typeof header === 'string' && header !== '' ? checkClientRef(header) : null;
    const draft = validateSubmission(submitParams, client, context.rules, context.clock());
    const outcome = await acceptDraft(context.acceptance, client, draft, draft.clientRef ?? headerKey, 'http');
    reply.status(outcome.kind === 'replayed' ? 200 : 202);
    if (outcome.kind === 'replayed') reply.header('idempotent-replayed', 'true');
    return unitJson(outcome, draft.clientRef ?? headerKey);
  }

  async function batch(request: FastifyRequest): Promise<{ accepted: number; rejected: number; results: BatchItemJson[] }> {
    const params = paramsOf(request);
    const client = await authenticateRequest(context, request, params);
    const messages = params.messages;
    if (!Array.isArray(messages)) throw new SmsprocError(Errors.BODY_MALFORMED, { detail: 'give a JSON object {"messages": [...]}' });
    const items = messages.map((item: unknown) => () => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'messages[]', detail: 'each message is a JSON object' });
      }
      return parseSubmitParams(item as RawParams);
    });
    const { outcomes, clientRefs } = await acceptItems(context, client, items, 'http');
    const results = outcomes.map((outcome, index) => batchItemJson(index, outcome, clientRefs[index] ?? null));
    const rejected = results.filter((result) => result.status === 'rejected').length;
    return { accepted: results.length - rejected, rejected, results };
  }

  for (const prefix of ['/api/v1', '/c/:urlToken']) {
    app.route({ method: ['GET', 'POST'], url: `${prefix}/sms`, handler: submit });
    app.post(`${prefix}/sms/batch`, batch);
  }
}
