/**
 * The socket side of an ESME session: it owns the TCP (or TLS) connection, the frame parser, one
 * timer re-armed at the machine's next wake-up, reconnects with backoff, and carries out the
 * machine's effects. All SMPP decisions are the machine's (session-machine.ts).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { decodePdu, encodePdu } from './codec.js';
import { CommandStatus, commandStatusName } from './command-status.js';
import { FrameParser } from './frame-parser.js';
import type { Pdu } from './pdu.js';
import { defaultReconnectPolicy, reconnectDelayMs, type ReconnectPolicy } from './esme-reconnect.js';
import { createSession, queuedCount, step } from './session-machine.js';
import type {
  CloseReason,
  DeliverablePdu,
  SessionConfig,
  SessionCounters,
  SessionEffect,
  SessionEvent,
  SessionPhase,
  SessionState,
  SubmitOutcome,
  SubmittablePdu,
} from './session-types.js';

export interface EsmeDriverOptions {
  readonly host: string;
  readonly port: number;
  /** true, or TLS options (ca, servername …), for an SMSC that speaks SMPP over TLS. */
  readonly tls?: boolean | tls.ConnectionOptions;
  readonly session: SessionConfig;
  /** A child logger with the session's route and bind bound is made from it. */
  readonly logger: Logger;
  readonly logBindings?: { readonly routeId?: string; readonly bindIndex?: number };
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** [0, 1), for the reconnect jitter. Default Math.random. */
  readonly random?: () => number;
  /** Milliseconds; default Date.now. */
  readonly clock?: () => number;
  readonly maxCommandLength?: number;
}

export type EsmeDriverEvent<T> =
  | { readonly type: 'bound'; readonly peerSystemId: string }
  | { readonly type: 'unbound'; readonly reason: CloseReason | 'socketClosed' }
  | { readonly type: 'bindFailed'; readonly commandStatus: number }
  | { readonly type: 'throttled'; readonly commandStatus: number; readonly rateTps: number; readonly pausedUntil: number }
  /** A response to a submit that had already timed out: record its SMSC message id. */
  | { readonly type: 'lateResponse'; readonly tag: T; readonly response: Pdu }
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly delayMs: number }
  | { readonly type: 'stopped' };

/** Call `answer` once the delivery is committed (default status ESME_ROK); answer with an error to make the SMSC redeliver. */
export type DeliverHandler = (pdu: DeliverablePdu, answer: (commandStatus?: number) => void) => void;

/** Nothing worth flushing, or nobody listening: drop the connection at once. */
const abruptClose: ReadonlySet<CloseReason> = new Set(['connectTimeout', 'bindTimeout', 'deadPeer', 'stopped', 'unbindTimeout']);

interface Submission<T> {
  readonly tag: T;
  readonly resolve: (outcome: SubmitOutcome) => void;
}

export class EsmeDriver<T = unknown> {
  private machine: SessionState<Submission<T>>;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly policy: ReconnectPolicy;
  private socket: net.Socket | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeTimerAt: number | null = null;
  private wakeNow: NodeJS.Immediate | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private started = false;
  private stopping = false;
  private readonly stopWaiters: (() => void)[] = [];
  private readonly inbox: SessionEvent<Submission<T>>[] = [];
  private stepping = false;
  private deliverHandler: DeliverHandler | null = null;
  private readonly listeners = new Set<(event: EsmeDriverEvent<T>) => void>();

  constructor(private readonly options: EsmeDriverOptions) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.policy = { ...defaultReconnectPolicy, ...options.reconnect };
    this.machine = createSession(options.session, this.clock());
    this.log = options.logger.child({
      smpp: 'esme',
      routeId: options.logBindings?.routeId,
      bind: options.logBindings?.bindIndex,
      bindKind: options.session.bindKind,
      smsc: `${options.host}:${options.port}`,
    });
  }

  get state(): SessionPhase {
    return this.machine.phase;
  }

  get counters(): Readonly<SessionCounters> {
    return this.machine.counters;
  }

  /** Submits on the wire awaiting their response, and submits waiting for room. */
  get load(): { readonly outstanding: number; readonly queued: number } {
    return { outstanding: this.machine.outstanding.size, queued: queuedCount(this.machine) };
  }

  /** Current allowed rate (lowered by throttling responses). */
  get rateTps(): number {
    return this.machine.throttle.rateTps;
  }

  /** Connects, binds, and keeps doing so after every loss until stop(). A stopped driver stays stopped. */
  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    this.connect();
  }

  /** Resolves when the SMSC answers, or the request times out, or it cannot be sent; never rejects. */
  submit(pdu: SubmittablePdu, tag: T): Promise<SubmitOutcome> {
    return new Promise((resolve) => this.feed({ type: 'submit', now: this.clock(), pdu, tag: { tag, resolve } }));
  }

  onDeliver(handler: DeliverHandler): void {
    this.deliverHandler = handler;
  }

  onEvent(listener: (event: EsmeDriverEvent<T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Graceful: no new submits, outstanding responses awaited (up to the drain timeout), unbind, close. */
  stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.socket === null) {
      this.finishStop();
      return Promise.resolve();
    }
    const stopped = new Promise<void>((resolve) => this.stopWaiters.push(resolve));
    this.feed({ type: 'unbindRequested', now: this.clock() });
    return stopped;
  }

  private connect(): void {
    this.feed({ type: 'connecting', now: this.clock() });
    const { host, port } = this.options;
    const tlsOption = this.options.tls;
    const socket = tlsOption
      ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ...(tlsOption === true ? {} : tlsOption) })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    this.socket = socket;
    const parser = new FrameParser({ maxCommandLength: this.options.maxCommandLength });
    socket.once(tlsOption ? 'secureConnect' : 'connect', () => {
      this.log.info('connected');
      this.feed({ type: 'connected', now: this.clock() });
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      const batch = parser.push(chunk);
      const now = this.clock();
      for (const frame of batch.frames) this.inbox.push({ type: 'pduReceived', now, result: decodePdu(frame) });
      if (batch.fatal !== null) this.inbox.push({ type: 'framingError', now, error: batch.fatal });
      this.run();
    });
    socket.on('drain', () => this.feed({ type: 'writeDrained', now: this.clock() }));
    socket.on('error', (error) => this.log.warn({ err: error.message }, 'socket error'));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.feed({ type: 'socketClosed', now: this.clock() });
      if (this.stopping) this.finishStop();
      else this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    const delayMs = reconnectDelayMs(this.attempt, this.policy, this.random);
    this.attempt += 1;
    this.log.info({ attempt: this.attempt, delayMs }, 'reconnecting');
    this.emit({ type: 'reconnecting', attempt: this.attempt, delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopping) this.connect();
    }, delayMs);
  }

  private finishStop(): void {
    if (this.wakeNow !== null) clearImmediate(this.wakeNow);
    this.wakeNow = null;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeTimerAt = null;
    this.emit({ type: 'stopped' });
    for (const resolve of this.stopWaiters.splice(0)) resolve();
  }

  private feed(event: SessionEvent<Submission<T>>): void {
    this.inbox.push(event);
    this.run();
  }

  /** Steps the machine through queued events; effects that raise events (backpressure, answers) queue them. */
  private run(): void {
    if (this.stepping) return;
    this.stepping = true;
    const socket = this.socket;
    socket?.cork();
    try {
      for (let event = this.inbox.shift(); event !== undefined; event = this.inbox.shift()) {
        const result = step(this.machine, event);
        this.machine = result.state;
        for (const effect of result.effects) this.apply(effect);
      }
    } finally {
      this.stepping = false;
      socket?.uncork();
    }
  }

  private apply(effect: SessionEffect<Submission<T>>): void {
    switch (effect.type) {
      case 'send': {
        const socket = this.socket;
        if (socket === null || !socket.writable) return;
        if (!socket.write(encodePdu(effect.pdu)) && !this.machine.writeBlocked) {
          this.inbox.push({ type: 'writeBlocked', now: this.clock() });
        }
        return;
      }
      case 'close': {
        this.log.info({ reason: effect.reason }, 'closing');
        const socket = this.socket;
        if (socket === null) return;
        // Flush what the machine sent last (generic_nack, unbind_resp), then go.
        if (abruptClose.has(effect.reason)) socket.destroy();
        else socket.end(() => socket.destroy());
        return;
      }
      case 'outcome':
        effect.tag.resolve(effect.outcome);
        return;
      case 'lateResponse':
        this.emit({ type: 'lateResponse', tag: effect.tag.tag, response: effect.response });
        return;
      case 'bound':
        this.attempt = 0;
        this.log.info({ peerSystemId: effect.peerSystemId }, 'bound');
        this.emit(effect);
        return;
      case 'bindFailed':
        this.log.warn({ commandStatus: commandStatusName(effect.commandStatus) }, 'bind refused');
        this.emit(effect);
        return;
      case 'unbound':
        this.log.info({ reason: effect.reason }, 'unbound');
        this.emit(effect);
        return;
      case 'throttled':
        this.log.warn({ commandStatus: commandStatusName(effect.commandStatus), rateTps: effect.rateTps }, 'throttled by the SMSC');
        this.emit(effect);
        return;
      case 'deliver':
        this.deliver(effect.connection, effect.pdu);
        return;
      case 'protocolWarning':
        this.log.warn({ detail: effect.detail }, 'SMPP protocol warning');
        return;
      case 'wakeAt':
        this.armTimer(effect.at);
        return;
    }
  }

  private deliver(connection: number, pdu: DeliverablePdu): void {
    const sequenceNumber = pdu.sequenceNumber;
    let answered = false;
    const answer = (commandStatus: number = CommandStatus.ESME_ROK): void => {
      if (answered) return;
      answered = true;
      this.feed({ type: 'answer', now: this.clock(), connection, sequenceNumber, commandStatus });
    };
    if (this.deliverHandler === null) {
      // Nobody can commit it: a temporary error makes the SMSC deliver it again later.
      this.inbox.push({ type: 'answer', now: this.clock(), connection, sequenceNumber, commandStatus: CommandStatus.ESME_RX_T_APPN });
      return;
    }
    try {
      this.deliverHandler(pdu, answer);
    } catch (error) {
      this.log.error({ err: error instanceof Error ? error.message : String(error) }, 'deliver handler threw');
      answer(CommandStatus.ESME_RX_T_APPN);
    }
  }

  /**
   * Keeps an armed timer that fires no later than needed: an early tick is harmless (the machine
   * answers it with the next wake-up), and re-arming on every PDU would churn timers at full rate.
   */
  private armTimer(at: number | null): void {
    if (at === null) return;
    if (at <= this.clock()) {
      // More to send right away: after pending I/O, so a 'drain' or a response can come first.
      this.wakeNow ??= setImmediate(() => {
        this.wakeNow = null;
        this.feed({ type: 'tick', now: this.clock() });
      });
      return;
    }
    if (this.wakeTimerAt !== null && this.wakeTimerAt <= at) return;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTimerAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.wakeTimerAt = null;
      this.feed({ type: 'tick', now: this.clock() });
    }, Math.max(0, at - this.clock()));
  }

  private emit(event: EsmeDriverEvent<T>): void {
    for (const listener of this.listeners) listener(event);
  }
}
