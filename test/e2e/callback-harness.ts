import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallbackSender, type CallbackSenderDeps, type CallbackSenderOptions } from '../../daemon/dispatch/callback-sender.js';
import { bindIdOf, type ClientId, type RouteId } from '../../daemon/domain/ids.js';
import type { ClientRecord } from '../../daemon/domain/provisioning.js';
import { createLogger } from '../../daemon/log.js';
import type { MtSubmission, ProvisioningChange, Store } from '../../daemon/storage/port.js';
import { clientPut, request, route, submission } from '../storage/fixtures.js';

/** Shared parts of the callback end-to-end tests: a real HTTP receiver, event sources, a sender. */

export type ClientPut = Extract<ProvisioningChange, { op: 'client.put' }>['client'];
export { clientPut };

export const routeId = 'r1' as RouteId;

export interface Received {
  readonly eventId: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Answer only after this long (a stalled endpoint); the answer is dropped if the receiver closes first. */
  readonly delayMs?: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1:0 that records every request and answers as `respond` says. */
export async function startReceiver(respond: (request: Received) => Reply): Promise<Receiver> {
  const received: Received[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Received = {
        eventId: String(req.headers['x-smsproc-event-id'] ?? ''),
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      received.push(entry);
      const reply = respond(entry);
      const answer = (): void => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      if (reply.delayMs === undefined) {
        answer();
      } else {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer();
        }, reply.delayMs);
        timers.add(timer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a client does to check a callback (docs/callbacks.md). */
export function signatureIsValid(secret: string, entry: Received): boolean {
  const signedPart = entry.method === 'GET' ? entry.url.slice(entry.url.indexOf('?') + 1) : entry.body;
  const timestamp = String(entry.headers['x-smsproc-timestamp'] ?? '');
  const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${signedPart}`).digest('hex');
  return entry.headers['x-smsproc-signature'] === expected;
}

export async function provision(store: Store, clients: readonly ClientPut[]): Promise<void> {
  await store.applyProvisioning([{ op: 'route.put', route: route(routeId) }, ...clients.map((client) => ({ op: 'client.put' as const, client }))]);
}

/** The client lookup the daemon gives the sender, from a provisioning snapshot. */
export async function clientLookup(store: Store): Promise<(id: ClientId) => ClientRecord | undefined> {
  const snapshot = await store.loadProvisioning();
  const clients = new Map(snapshot.clients.map((client) => [client.id, client]));
  return (id) => clients.get(id);
}

/** Records an MO for the client; returns the callback event id (the client must have an MO URL). */
export async function raiseMo(store: Store, clientId: string, text: string): Promise<string> {
  const outcome = await store.recordMo({
    routeId,
    source: '46701234567',
    shortCode: '4242',
    text,
    clientId: clientId as ClientId,
    keyword: text.split(' ')[0] ?? '',
    args: text.split(' ').slice(1).join(' '),
    partial: false,
    missingParts: [],
    dedupKey: null,
    dedupUntil: null,
    receivedAt: new Date(),
    consumedPartIds: [],
  });
  if (outcome.kind !== 'new' || outcome.eventId === null) throw new Error(`no MO event raised: ${JSON.stringify(outcome)}`);
  return outcome.eventId;
}

let smscSeq = 0;

/** Sends one MT through the queue (claim, submit_sm_resp, delivered receipt); returns the events it raised. */
export async function raiseDlr(store: Store, clientId: string, overrides: Partial<MtSubmission> = {}): Promise<string> {
  const message = submission(clientId, routeId, overrides);
  await store.enqueueMt([request(clientId, [message])]);
  const bindId = bindIdOf(routeId, 0);
  const epoch = await store.acquireBindEpoch(bindId);
  await store.claimMt({ routeId, bindId, epoch, owner: 'test', limit: 10, leaseMs: 60_000 });
  smscSeq += 1;
  const smscId = `S${process.pid}x${smscSeq}`;
  await store.ackMt(bindId, epoch, [{ id: message.id, smscIds: [smscId] }]);
  const outcome = await store.applyReceipt({
    routeId,
    bindId,
    smscIdCandidates: [smscId],
    status: 'delivered',
    stat: 'DELIVRD',
    errorCode: '000',
    doneAt: new Date(),
    raw: `id:${smscId} sub:001 dlvrd:001 stat:DELIVRD err:000 text:`,
    receiptHoldMs: 60_000,
  });
  if (outcome.kind !== 'matched' || outcome.eventId === null) throw new Error(`no DLR event raised: ${JSON.stringify(outcome)}`);
  return outcome.eventId;
}

export function newSender(
  store: CallbackSenderDeps['store'],
  clientOf: CallbackSenderDeps['clientOf'],
  options: Partial<CallbackSenderOptions>,
  extra: Partial<Pick<CallbackSenderDeps, 'onMoReply' | 'owner'>> = {},
): CallbackSender {
  return new CallbackSender({
    store,
    clientOf,
    logger: createLogger(process.env['SMSPROC_TEST_LOG'] ?? 'silent'),
    owner: extra.owner ?? `test-${process.pid}`,
    options: { pollIntervalMs: 50, ...options },
    ...(extra.onMoReply === undefined ? {} : { onMoReply: extra.onMoReply }),
  });
}

/** Polls until `done()` holds, at most `timeoutMs`. */
export async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
