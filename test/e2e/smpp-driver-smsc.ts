/**
 * A small SMSC for the driver tests, built on the `smpp` package (node-smpp) so that our ESME meets
 * an SMPP implementation other than ours. It can go silent, drop connections and throttle.
 */
import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';
import { createLogger } from '../../daemon/log.js';
import { EsmeDriver, type EsmeDriverEvent } from '../../daemon/smpp/esme-driver.js';
import { sessionConfig, type SessionConfigInput } from '../../daemon/smpp/session-config.js';

export interface TestSmscOptions {
  readonly systemId?: string;
  readonly password?: string;
  /** command_status for the n-th submit_sm received (0-based, over all sessions). Default: always 0. */
  readonly submitStatus?: (index: number) => number;
  /** How long the n-th submit_sm received (0-based, over all sessions) waits for its response. Default: 0. */
  readonly submitDelayMs?: (index: number) => number;
  /** PEM key and certificate: SMPP over TLS. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface TestSmsc {
  readonly port: number;
  /** destination_addr of every submit_sm answered with status 0, in arrival order. */
  readonly accepted: string[];
  readonly counts: { submits: number; binds: number; unbinds: number; enquireLinks: number; connections: number };
  /** Sessions currently bound (listed once their bind_resp is sent), newest last. */
  readonly sessions: Session[];
  /** The peer stays connected but stops reading: no response to anything. */
  silenceAll(): void;
  destroyAll(): void;
  /** Sends a deliver_sm on the newest session; resolves with the command_status of its deliver_sm_resp. */
  deliver(text: string): Promise<number>;
  close(): Promise<void>;
}

export async function startTestSmsc(options: TestSmscOptions = {}): Promise<TestSmsc> {
  const systemId = options.systemId ?? 'acme';
  const password = options.password ?? 'secret';
  const submitStatus = options.submitStatus ?? (() => 0);
  const accepted: string[] = [];
  const counts = { submits: 0, binds: 0, unbinds: 0, enquireLinks: 0, connections: 0 };
  const connections: Session[] = [];
  const sessions: Session[] = [];
  let messageId = 0;

  const server = smpp.createServer(options.tls ? { ...options.tls } : {}, (session: Session) => {
    counts.connections += 1;
    connections.push(session);
    session.on('close', () => {
      connections.splice(connections.indexOf(session), 1);
      if (sessions.includes(session)) sessions.splice(sessions.indexOf(session), 1);
    });
    session.on('error', () => undefined);
    const onBind = (pdu: PDU): void => {
      counts.binds += 1;
      const ok = pdu.system_id === systemId && pdu.password === password;
      session.send(pdu.response({ command_status: ok ? smpp.ESME_ROK : smpp.ESME_RINVPASWD, system_id: 'TESTSMSC' }));
      // Listed once its bind_resp is on the wire, so a deliver_sm sent to it follows the bind.
      if (ok && !sessions.includes(session)) sessions.push(session);
    };
    session.on('bind_transceiver', onBind);
    session.on('bind_transmitter', onBind);
    session.on('bind_receiver', onBind);
    session.on('submit_sm', (pdu: PDU) => {
      const status = submitStatus(counts.submits);
      const delayMs = options.submitDelayMs?.(counts.submits) ?? 0;
      counts.submits += 1;
      if (status === 0) accepted.push(String(pdu.destination_addr));
      const response = status === 0 ? pdu.response({ message_id: (++messageId).toString(16) }) : pdu.response({ command_status: status });
      if (delayMs > 0) setTimeout(() => session.send(response), delayMs);
      else session.send(response);
    });
    session.on('enquire_link', (pdu: PDU) => {
      counts.enquireLinks += 1;
      session.send(pdu.response());
    });
    session.on('unbind', (pdu: PDU) => {
      counts.unbinds += 1;
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    accepted,
    counts,
    sessions,
    silenceAll: () => connections.forEach((session) => session.pause()),
    destroyAll: () => connections.forEach((session) => session.destroy()),
    deliver(text) {
      const session = sessions.at(-1);
      if (session === undefined) return Promise.reject(new Error('no session'));
      return new Promise((resolve) => {
        session.send(
          new smpp.PDU('deliver_sm', { source_addr: '37060000001', destination_addr: '1234', esm_class: 0, short_message: text }),
          (response) => resolve(response.command_status),
        );
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of [...connections]) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` every `everyMs`; fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** An ESME driver bound as `acme` to the test SMSC on `port`, recording its events; quick reconnects. */
export function driverFor(port: number, overrides: Partial<SessionConfigInput> = {}): { driver: EsmeDriver<number>; events: EsmeDriverEvent<number>[] } {
  const driver = new EsmeDriver<number>({
    host: '127.0.0.1',
    port,
    session: sessionConfig({ bindKind: 'transceiver', systemId: 'acme', password: 'secret', windowSize: 10, tps: 1e6, ...overrides }),
    logger: createLogger('silent'),
    reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
  });
  const events: EsmeDriverEvent<number>[] = [];
  driver.onEvent((event) => events.push(event));
  return { driver, events };
}

/** The i-th test destination number. */
export function destination(i: number): string {
  return `3706${String(i).padStart(7, '0')}`;
}
