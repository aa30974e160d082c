import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * The benchmark client's receipt-callback endpoint (post-json callbacks): records when each message's
 * final state arrived, its latencies from acceptance, its status, and any second callback of a message.
 */
export interface CallbackTally {
  readonly receivedAt: Map<string, number>;
  readonly submitToAccept: number[];
  readonly callbackAfterAccept: number[];
  duplicates: number;
  readonly statuses: Map<string, number>;
}

export function newCallbackTally(): CallbackTally {
  return { receivedAt: new Map(), submitToAccept: [], callbackAfterAccept: [], duplicates: 0, statuses: new Map() };
}

/** Milliseconds since the epoch from a UUIDv7 message id: its acceptance time. */
function acceptedAtOf(messageId: string): number {
  return parseInt(messageId.replace(/-/g, '').slice(0, 12), 16);
}

/** An HTTP server on 127.0.0.1:0 that answers 200 to every callback and counts it into `tally`. */
export function startCallbackReceiver(tally: CallbackTally): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const now = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messageId?: string; status?: string; submittedAt?: string | null };
      res.writeHead(200).end();
      const id = event.messageId;
      if (id === undefined) return;
      if (tally.receivedAt.has(id)) {
        tally.duplicates += 1;
        return;
      }
      tally.receivedAt.set(id, now);
      const accepted = acceptedAtOf(id);
      tally.callbackAfterAccept.push(now - accepted);
      if (event.submittedAt) tally.submitToAccept.push(Date.parse(event.submittedAt) - accepted);
      tally.statuses.set(event.status ?? '?', (tally.statuses.get(event.status ?? '?') ?? 0) + 1);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : 0,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
