/**
 * A mobile-account top-up provider for tests and demos (docs/payouts.md, "Provider protocol"): keeps
 * payouts by Idempotency-Key in memory, answers a repeat with the stored payout, and can misbehave on
 * purpose: answer 503 to the first N requests, lose the answer to the first M accepted payouts (the
 * payout is kept, the client sees a 500), reject some numbers, confirm only after a delay.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PayoutSimulatorOptions {
  readonly host: string;
  readonly port: number;
  /** The first this many requests (any kind) answer 503 and change nothing. */
  readonly unavailableFirst: number;
  /** The first this many new payouts are kept but answered 500, as if the answer were lost. */
  readonly loseAnswerFirst: number;
  /** Payouts to numbers starting with one of these are rejected. */
  readonly rejectPrefixes: readonly string[];
  /** A payout is `pending` until this long after it was accepted, then `confirmed`. */
  readonly confirmAfterMs: number;
}

export interface SimulatedPayout {
  readonly key: string;
  readonly msisdn: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly providerRef: string;
  readonly acceptedAt: number;
  readonly rejected: boolean;
}

export interface PayoutSimulator {
  readonly url: string;
  readonly payouts: ReadonlyMap<string, SimulatedPayout>;
  /** Requests by kind: POSTs (sends) and GETs (status checks). */
  readonly requests: { sends: number; statuses: number };
  close(): Promise<void>;
}

const defaults: PayoutSimulatorOptions = { host: '127.0.0.1', port: 0, unavailableFirst: 0, loseAnswerFirst: 0, rejectPrefixes: [], confirmAfterMs: 0 };

export async function startPayoutSimulator(options: Partial<PayoutSimulatorOptions> = {}): Promise<PayoutSimulator> {
  const settings = { ...defaults, ...options };
  const payouts = new Map<string, SimulatedPayout>();
  const requests = { sends: 0, statuses: 0 };
  let unavailableLeft = settings.unavailableFirst;
  let loseLeft = settings.loseAnswerFirst;

  const view = (payout: SimulatedPayout): Record<string, unknown> => {
    if (payout.rejected) return { status: 'rejected', providerRef: payout.providerRef, error: 'number not served' };
    const confirmed = Date.now() - payout.acceptedAt >= settings.confirmAfterMs;
    return { status: confirmed ? 'confirmed' : 'pending', providerRef: payout.providerRef };
  };
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = req.url ?? '/';
    if (req.method === 'POST' && url === '/payouts') requests.sends += 1;
    else if (req.method === 'GET' && url.startsWith('/payouts/')) requests.statuses += 1;
    else return send(res, 404, { error: 'no such endpoint' });
    if (unavailableLeft > 0) {
      unavailableLeft -= 1;
      return send(res, 503, { error: 'try later' });
    }
    if (req.method === 'GET') {
      const payout = payouts.get(decodeURIComponent(url.slice('/payouts/'.length)));
      return payout === undefined ? send(res, 404, { error: 'unknown payout' }) : send(res, 200, view(payout));
    }
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return send(res, 400, { error: 'Idempotency-Key is required' });
    let parsed: { msisdn?: unknown; amountMinor?: unknown; currency?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return send(res, 400, { error: 'the body is not JSON' });
    }
    const { msisdn, amountMinor, currency } = parsed;
    if (typeof msisdn !== 'string' || typeof amountMinor !== 'number' || !Number.isInteger(amountMinor) || amountMinor <= 0 || typeof currency !== 'string') {
      return send(res, 400, { error: 'msisdn, amountMinor (positive integer) and currency are required' });
    }
    const existing = payouts.get(key);
    if (existing !== undefined) {
      if (existing.msisdn !== msisdn || existing.amountMinor !== amountMinor || existing.currency !== currency) return send(res, 409, { error: 'another payout has this key' });
      return send(res, 200, view(existing));
    }
    const payout: SimulatedPayout = {
      key, msisdn, amountMinor, currency, providerRef: `sim-${payouts.size + 1}`, acceptedAt: Date.now(),
      rejected: settings.rejectPrefixes.some((prefix) => msisdn.startsWith(prefix)),
    };
    payouts.set(key, payout);
    if (loseLeft > 0) {
      loseLeft -= 1;
      return send(res, 500, { error: 'the answer was lost' });
    }
    return send(res, 201, view(payout));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(settings.port, settings.host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${settings.host}:${address.port}`,
    payouts,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
