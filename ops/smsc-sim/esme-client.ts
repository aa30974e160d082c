import smpp, { type PDU, type Session } from 'smpp';

/**
 * A thin promise layer over the `smpp` package's client, for the simulator's tests and benchmark:
 * they talk to the simulator through an SMPP implementation other than smsproc's.
 */
export type BindMode = 'transmitter' | 'receiver' | 'transceiver';

export interface EsmeBind {
  session: Session;
  /** command_status of the bind response. */
  status: number;
}

export async function connectEsme(port: number, host = '127.0.0.1'): Promise<Session> {
  return new Promise((resolve, reject) => {
    const session = smpp.connect({ host, port }, () => {
      session.off('error', reject);
      resolve(session);
    });
    session.once('error', reject);
  });
}

/** Sends a request and resolves with its response. */
export async function request(session: Session, command: string, fields: Record<string, unknown> = {}): Promise<PDU> {
  return new Promise((resolve, reject) => {
    const pdu = new smpp.PDU(command, fields);
    if (!session.send(pdu, resolve)) reject(new Error(`${command}: session not writable`));
  });
}

/**
 * Connects and binds; the session stays open whatever the bind status, so callers can see what follows.
 * `onDeliver` answers deliver_sm from before the bind: waiting deliveries may follow the bind_resp at once.
 */
export async function bindEsme(
  port: number, systemId: string, password: string, mode: BindMode = 'transceiver', onDeliver?: (pdu: PDU) => void,
): Promise<EsmeBind> {
  const session = await connectEsme(port);
  session.on('error', () => undefined); // a refused bind ends in a reset on some platforms
  if (onDeliver) answerDeliveries(session, onDeliver);
  const response = await request(session, `bind_${mode}`, { system_id: systemId, password });
  return { session, status: response.command_status };
}

/** Answers every deliver_sm with status 0 and hands it to `onDeliver`. */
export function answerDeliveries(session: Session, onDeliver: (pdu: PDU) => void): void {
  session.on('deliver_sm', (pdu: PDU) => {
    session.send(pdu.response());
    onDeliver(pdu);
  });
}

/** Closes the socket and resolves once it is closed. */
export async function closeEsme(session: Session): Promise<void> {
  if (session.socket.destroyed) return;
  await new Promise<void>((resolve) => session.destroy(() => resolve()));
}

/** Polls `check` every 10 ms until it holds; rejects after `timeoutMs` naming `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
