import type { FastifyReply } from 'fastify';
import { Errors, SmsprocError } from '../domain/errors.js';

/** The JSON error body every endpoint but Kannel's and XML's uses. */
export interface ErrorBody {
  readonly error: { readonly code: number; readonly name: string; readonly message: string };
}

interface FastifyLikeError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
}

/**
 * Any error as a registry error: ours pass through, fastify's body errors map to their codes, and
 * anything else is INTERNAL (its detail goes to the log, not to the client).
 */
export function asSmsprocError(error: unknown, context: { requestId: string; bodyLimitBytes: number; contentType?: string | undefined }): SmsprocError {
  if (error instanceof SmsprocError) return error;
  const { code, statusCode, message } = (typeof error === 'object' && error !== null ? error : {}) as FastifyLikeError;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new SmsprocError(Errors.BODY_TOO_LARGE, { maxBytes: context.bodyLimitBytes });
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new SmsprocError(Errors.CONTENT_TYPE_UNSUPPORTED, { contentType: context.contentType ?? '' });
  }
  if (typeof code === 'string' && code.startsWith('FST_ERR_CTP') && statusCode === 400) {
    return new SmsprocError(Errors.BODY_MALFORMED, { detail: typeof message === 'string' ? message : 'unreadable body' });
  }
  if (statusCode === 400 && typeof message === 'string') return new SmsprocError(Errors.BODY_MALFORMED, { detail: message });
  return new SmsprocError(Errors.INTERNAL, { requestId: context.requestId }, { cause: error });
}

export function errorBody(error: SmsprocError): ErrorBody {
  return { error: { code: error.code, name: error.definition.name, message: error.message } };
}

/** Sets the status, and Retry-After on 429/503 (one second when the error did not say). */
export function setErrorStatus(reply: FastifyReply, error: SmsprocError): void {
  reply.status(error.definition.httpStatus);
  if (error.definition.httpStatus === 429 || error.definition.httpStatus === 503) {
    reply.header('retry-after', String(error.retryAfterS ?? 1));
  }
}
