/**
 * The socket side of one client session in the SMSC role: frame parser, codec, one timer at the
 * machine's wake-up, and the effects carried out. Binds and submits go to the handlers the server
 * gives (credentials, durable acceptance); all SMPP decisions are the machine's (smsc-session.ts).
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import { decodePdu, encodePdu } from '../smpp/codec.js';
import { CommandStatus } from '../smpp/command-status.js';
import { FrameParser } from '../smpp/frame-parser.js';
import type { Pdu, PduOf } from '../smpp/pdu.js';
import type { BindKind } from '../smpp/session-types.js';
import {
  createSmscSession,
  receives,
  stepSmsc,
  type BindRequestPdu,
  type ClientRequestPdu,
  type DeliverOutcome,
  type SmscEffect,
  type SmscEvent,
  type SmscSessionConfig,
  type SmscSessionState,
} from './smsc-session.js';

export interface SmscConnectionHandlers {
  /** Checks the bind; resolves with ESME_ROK (and the session counts as the client's) or the refusal's status. */
  bind(connection: SmscConnection, pdu: BindRequestPdu, kind: BindKind): Promise<number>;
  /** Validates and durably accepts a submit; resolves with its response (never rejects). */
  request(pdu: ClientRequestPdu): Promise<Pdu>;
  /** The session ended (bound or not). */
  closed(connection: SmscConnection): void;
}

type Delivery = (outcome: DeliverOutcome) => void;

export class SmscConnection {
  private machine: SmscSessionState<Delivery>;
  private readonly parser: FrameParser;
  private readonly inbox: SmscEvent<Delivery>[] = [];
  private stepping = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt: number | null = null;
  private readonly closedWaiters: (() => void)[] = [];
  private ended = false;
  private readonly log: Logger;

  constructor(
    private readonly socket: net.Socket,
    config: SmscSessionConfig,
    private readonly handlers: SmscConnectionHandlers,
    logger: Logger,
    private readonly ourSystemId: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.log = logger.child({ smpp: 'smsc', peer: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` });
    this.machine = createSmscSession(config, clock());
    this.parser = new FrameParser();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const batch = this.parser.push(chunk);
      const now = this.clock();
      for (const frame of batch.frames) this.inbox.push({ type: 'pduReceived', now, result: decodePdu(frame) });
      if (batch.fatal !== null) this.inbox.push({ type: 'framingError', now, error: batch.fatal });
      this.run();
    });
    socket.on('error', (error) => this.log.debug({ err: error.message }, 'socket error'));
    socket.on('close', () => {
      this.feed({ type: 'socketClosed', now: this.clock() });
      this.end();
    });
    this.feed({ type: 'connected', now: this.clock() });
  }

  /** The client's address as the socket reports it. */
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  /** The socket has closed (a bind checked meanwhile must not be counted). */
  get closed(): boolean {
    return this.ended;
  }

  get receives(): boolean {
    return receives(this.machine);
  }

  get load(): number {
    return this.machine.outstanding.size + this.machine.queue.length;
  }

  get bindKind(): BindKind | null {
    return this.machine.bindKind;
  }

  /** Sends a deliver_sm within the window; resolves with the client's answer (or why there was none). */
  deliver(pdu: PduOf<'deliver_sm'>): Promise<DeliverOutcome> {
    return new Promise((resolve) => this.feed({ type: 'deliver', now: this.clock(), pdu, tag: resolve }));
  }

  /** Unbinds (waiting for unbind_resp up to the machine's timeout) and resolves once the socket is closed. */
  stop(): Promise<void> {
    if (this.ended) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    this.feed({ type: 'unbindRequested', now: this.clock() });
    return closed;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.handlers.closed(this);
    for (const resolve of this.closedWaiters.splice(0)) resolve();
  }

  private feed(event: SmscEvent<Delivery>): void {
    this.inbox.push(event);
    this.run();
  }

  private run(): void {
    if (this.stepping) return;
    this.stepping = true;
    this.socket.cork();
    try {
      for (let event = this.inbox.shift(); event !== undefined; event = this.inbox.shift()) {
        const result = stepSmsc(this.machine, event);
        this.machine = result.state;
        for (const effect of result.effects) this.apply(effect);
      }
    } finally {
      this.stepping = false;
      this.socket.uncork();
    }
  }

  private apply(effect: SmscEffect<Delivery>): void {
    switch (effect.type) {
      case 'send':
        if (this.socket.writable) this.socket.write(encodePdu(effect.pdu));
        return;
      case 'close':
        this.log.info({ reason: effect.reason }, 'closing');
        // Flush what was sent last (a refused bind's response, unbind_resp, generic_nack), then go.
        if (effect.reason === 'deadPeer' || effect.reason === 'bindTimeout') this.socket.destroy();
        else this.socket.end(() => this.socket.destroy());
        return;
      case 'bindRequest':
        void this.handlers.bind(this, effect.pdu, effect.kind).then(
          (commandStatus) => this.feed({ type: 'bindAnswer', now: this.clock(), commandStatus, systemId: this.ourSystemId }),
          (error: unknown) => {
            this.log.error({ err: error }, 'bind check failed');
            this.feed({ type: 'bindAnswer', now: this.clock(), commandStatus: CommandStatus.ESME_RSYSERR, systemId: this.ourSystemId });
          },
        );
        return;
      case 'request':
        void this.handlers.request(effect.pdu).then((response) => this.feed({ type: 'requestAnswer', now: this.clock(), response }));
        return;
      case 'bound':
        // The server logs the bind with the client it names.
        this.log.debug({ bindKind: effect.kind }, 'session bound');
        return;
      case 'unbound':
        this.log.info({ bindKind: this.machine.bindKind }, 'client unbound');
        return;
      case 'deliverOutcome':
        effect.tag(effect.outcome);
        return;
      case 'protocolWarning':
        this.log.warn({ detail: effect.detail }, 'SMPP protocol warning');
        return;
      case 'wakeAt':
        this.arm(effect.at);
        return;
    }
  }

  private arm(at: number | null): void {
    if (at === null || (this.timerAt !== null && this.timerAt <= at)) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = null;
      this.feed({ type: 'tick', now: this.clock() });
    }, Math.max(0, at - this.clock()));
  }
}
