/**
 * The payout provider interface (docs/payouts.md, "Provider protocol") and its HTTP client. A payout
 * is sent with its ledger id as the Idempotency-Key, so sending it again (after a timeout, a crash,
 * a lost answer) never pays twice; its status can be asked by the same id (reconciliation).
 */

export type ProviderAnswer =
  | { readonly kind: 'pending'; readonly providerRef: string | null }
  | { readonly kind: 'confirmed'; readonly providerRef: string | null }
  | { readonly kind: 'rejected'; readonly error: string }
  /** Status only: the provider has no payout with this id. */
  | { readonly kind: 'unknown' }
  /** No answer that settles anything: network error, timeout, 5xx, 408, 429. */
  | { readonly kind: 'unavailable'; readonly error: string };

export interface ProviderPayout {
  readonly id: string;
  readonly subscriber: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reason: string;
}

export interface PayoutProvider {
  send(payout: ProviderPayout): Promise<ProviderAnswer>;
  status(id: string): Promise<ProviderAnswer>;
}

function answerOf(body: unknown): ProviderAnswer {
  const parsed = (body ?? {}) as { status?: unknown; providerRef?: unknown; error?: unknown };
  const providerRef = typeof parsed.providerRef === 'string' ? parsed.providerRef : null;
  if (parsed.status === 'pending') return { kind: 'pending', providerRef };
  if (parsed.status === 'confirmed') return { kind: 'confirmed', providerRef };
  if (parsed.status === 'rejected') return { kind: 'rejected', error: typeof parsed.error === 'string' ? parsed.error : 'rejected by the provider' };
  return { kind: 'unavailable', error: `unexpected answer ${JSON.stringify(body)}` };
}

function transient(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export function createHttpPayoutProvider(baseUrl: string, timeoutMs: number, fetcher: typeof fetch = globalThis.fetch): PayoutProvider {
  const base = baseUrl.replace(/\/+$/, '');
  async function call(url: string, init: RequestInit, notFound: ProviderAnswer | null): Promise<ProviderAnswer> {
    try {
      const response = await fetcher(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      const text = await response.text();
      if (response.status === 404 && notFound !== null) return notFound;
      if (transient(response.status)) return { kind: 'unavailable', error: `HTTP ${response.status}` };
      if (response.status === 409) return { kind: 'rejected', error: 'the provider holds another payout under this id' };
      if (!response.ok) return { kind: 'rejected', error: `HTTP ${response.status}: ${text.slice(0, 200)}` };
      return answerOf(JSON.parse(text) as unknown);
    } catch (error) {
      return { kind: 'unavailable', error: (error as Error).message };
    }
  }
  return {
    send: (payout) =>
      call(`${base}/payouts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': payout.id },
        body: JSON.stringify({ msisdn: payout.subscriber, amountMinor: payout.amountMinor, currency: payout.currency, reason: payout.reason }),
      }, null),
    status: (id) => call(`${base}/payouts/${encodeURIComponent(id)}`, { method: 'GET' }, { kind: 'unknown' }),
  };
}
