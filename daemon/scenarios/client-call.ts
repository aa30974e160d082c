/**
 * The `call` step's I/O (docs/scenarios.md, "Calling the client"): a signed JSON POST to the client's
 * endpoint, with the MO id as the event id so the client can deduplicate a repeated call. A JSON
 * answer may give `reply`, `next` and `vars`; a text/plain answer is the reply. Anything else, a
 * non-2xx status or the timeout is a failed call.
 */
import { callbackHeaders } from '../dispatch/callback-signature.js';
import type { CallAnswer, CallRequest } from './engine.js';

export type ClientCall = (request: CallRequest, signing: { readonly eventId: string; readonly secret: string }) => Promise<CallAnswer>;

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string | number | boolean] => ['string', 'number', 'boolean'].includes(typeof entry[1])).map(([k, v]) => [k, String(v)]));
}

export function createClientCall(fetcher: typeof fetch = globalThis.fetch): ClientCall {
  return async (request, signing) => {
    const body = JSON.stringify(request.body);
    try {
      const response = await fetcher(request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...callbackHeaders(signing.eventId, signing.secret, Math.floor(Date.now() / 1000), body) },
        body,
        signal: AbortSignal.timeout(request.timeoutMs),
        redirect: 'manual',
      });
      const text = await response.text();
      if (!response.ok) return { ok: false, error: `HTTP ${response.status}` };
      if (!(response.headers.get('content-type') ?? '').includes('json')) return { ok: true, reply: text.trim() === '' ? null : text.trim(), next: null, vars: {} };
      const parsed: unknown = text === '' ? {} : JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, error: 'the answer is not a JSON object' };
      const answer = parsed as { reply?: unknown; next?: unknown; vars?: unknown };
      return {
        ok: true,
        reply: typeof answer.reply === 'string' ? answer.reply : null,
        next: typeof answer.next === 'string' ? answer.next : null,
        vars: stringRecord(answer.vars),
      };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  };
}
