import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { MessageId } from '../domain/ids.js';
import type { ClientBalance, MessagePartView, MessageView } from '../storage/port.js';
import { authenticateRequest, paramsOf, type ApiContext } from './api-context.js';
import { errorBody, setErrorStatus } from './error-reply.js';
import { storeCall } from './store-call.js';
import { textParam, type RawParams } from './submit-params.js';
import { checkClientRef } from './submission.js';

function messageJson(view: MessageView): Record<string, unknown> {
  const iso = (date: Date | null): string | null => date?.toISOString() ?? null;
  return {
    id: view.id,
    clientRef: view.clientRef,
    from: view.sender,
    to: view.recipient,
    status: view.status,
    encoding: view.encoding,
    segments: view.segments,
    acceptedAt: iso(view.acceptedAt),
    scheduledAt: iso(view.notBefore),
    expiresAt: iso(view.expiresAt),
    submittedAt: iso(view.submittedAt),
    doneAt: iso(view.doneAt),
    errorCode: view.errorCode,
    reason: view.reason,
    history: view.history.map((event) => ({ at: event.at.toISOString(), status: event.status, detail: event.detail })),
  };
}

/**
 * One entry per segment, recorded or not: a part with no SMSC id yet (not submitted, or its
 * submit_sm_resp never came) has status null.
 */
function partsJson(view: MessageView, parts: readonly MessagePartView[]): Record<string, unknown>[] {
  const byIndex = new Map(parts.map((part) => [part.index, part]));
  // A message_payload route sends a long message as one submit_sm: the submission says how many.
  const count = parts.find((part) => part.of !== null)?.of ?? view.segments;
  return Array.from({ length: count }, (_, index) => {
    const part = byIndex.get(index);
    return {
      part: index + 1,
      smscId: part?.smscId ?? null,
      status: part?.status ?? null,
      smscStatus: part?.stat ?? null,
      errorCode: part?.errorCode ?? null,
      submittedAt: part?.submittedAt?.toISOString() ?? null,
      doneAt: part?.doneAt?.toISOString() ?? null,
    };
  });
}

function wantsParts(params: RawParams): boolean {
  const value = textParam(params, 'parts');
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'parts', detail: 'use parts=1 for per-part detail' });
}

/** Status by id or client reference, balance, and the health probe. */
export function registerStatusRoutes(app: FastifyInstance, context: ApiContext): void {
  /** The message's JSON, with `parts` when asked for (`?parts=1`). */
  async function answer(clientId: MessageView['clientId'], view: MessageView, withParts: boolean): Promise<Record<string, unknown>> {
    if (!withParts) return messageJson(view);
    const parts = await storeCall(() => context.store.findMessageParts(clientId, view.id));
    return { ...messageJson(view), parts: partsJson(view, parts) };
  }

  async function byId(request: FastifyRequest<{ Params: { id: string } }>): Promise<Record<string, unknown>> {
    const params = paramsOf(request);
    const client = await authenticateRequest(context, request, params);
    const withParts = wantsParts(params);
    const { id } = request.params;
    const view = await storeCall(() => context.store.findMessage(client.id, { id: id as MessageId }));
    if (view === null) throw new SmsprocError(Errors.MESSAGE_NOT_FOUND, { id });
    return answer(client.id, view, withParts);
  }

  async function byClientRef(request: FastifyRequest): Promise<Record<string, unknown>> {
    const params = paramsOf(request);
    const client = await authenticateRequest(context, request, params);
    const ref = textParam(params, 'clientRef');
    if (ref === undefined) throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'clientRef', detail: 'give your message id, or use /messages/<id>' });
    const withParts = wantsParts(params);
    const view = await storeCall(() => context.store.findMessage(client.id, { clientRef: checkClientRef(ref) }));
    if (view === null) throw new SmsprocError(Errors.MESSAGE_NOT_FOUND, { id: ref });
    return answer(client.id, view, withParts);
  }

  async function balance(request: FastifyRequest): Promise<ClientBalance> {
    const client = await authenticateRequest(context, request, paramsOf(request));
    return storeCall(() => context.store.clientBalance(client.id));
  }

  for (const prefix of ['/api/v1', '/c/:urlToken']) {
    app.get(`${prefix}/messages/:id`, byId);
    app.get(`${prefix}/messages`, byClientRef);
    app.get(`${prefix}/balance`, balance);
  }

  app.get('/health', async (_request, reply: FastifyReply) => {
    try {
      const version = await storeCall(() => context.store.provisioningVersion());
      return { status: 'ok', provisioningVersion: version };
    } catch (error) {
      const failure = error instanceof SmsprocError ? error : new SmsprocError(Errors.STORE_UNAVAILABLE, { retryAfterS: 1 });
      setErrorStatus(reply, failure);
      return errorBody(failure);
    }
  });
}
