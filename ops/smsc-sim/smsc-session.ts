import smpp, { type DecodedMessage, type PDU, type Session } from 'smpp';
import type { Logger } from 'pino';
import { concatInfo } from './concat.js';
import type { Delivery, DeliveryRouter, DeliveryTarget } from './deliveries.js';
import { Fifo } from './fifo.js';
import { SlidingWindowLimiter } from './sliding-window.js';
import type { BindEntry, BindType, RefusedBind, StatsRecorder, SubmitRecord } from './stats.js';

export interface AccountSettings {
  systemId: string;
  password: string;
  maxBinds: number;
  tps: number;
}

/** What one session needs from the simulator around it. */
export interface SessionContext {
  now(): number;
  account(systemId: string): AccountSettings | undefined;
  openBinds(systemId: string): number;
  nextBindId(): number;
  nextMessageId(): string;
  bindOpened(session: SmscSession): void;
  bindClosed(session: SmscSession): void;
  submitted(session: SmscSession, submit: SubmitRecord, nowMs: number): void;
  readonly stats: StatsRecorder;
  readonly router: DeliveryRouter;
  readonly logger: Logger | undefined;
}

const bindTypes: Readonly<Record<string, BindType>> = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};

/** The system_id the simulator answers binds with. */
export const smscSystemId = 'SMSCSIM';

/** One SMPP session in the SMSC role, on top of the `smpp` package's session (framing and codec). */
export class SmscSession implements DeliveryTarget {
  id = 0;
  systemId = '';
  type: BindType | undefined;
  entry: BindEntry | undefined;
  readonly pinned = new Fifo<Delivery>();
  private state: 'open' | 'bound' | 'closed' = 'open';
  private limiter: SlidingWindowLimiter | undefined;
  private readonly unansweredBySequence = new Map<number, Delivery>();
  private corked = false;
  private readonly remote: string;

  constructor(readonly session: Session, private readonly context: SessionContext) {
    const socket = session.socket;
    socket.setNoDelay(true);
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    session.on('pdu', (pdu: PDU) => this.onPdu(pdu));
    session.on('close', () => this.onClose());
    session.on('error', (error: Error) => {
      // The package stops reading after a malformed PDU, so the session is of no further use.
      context.logger?.warn({ remote: this.remote, bind: this.id, err: error.message }, 'session error, closing');
      session.destroy();
    });
  }

  get isOpen(): boolean {
    return this.state === 'bound' && this.session.socket.writable;
  }

  get unanswered(): number {
    return this.unansweredBySequence.size;
  }

  get receives(): boolean {
    return this.type === 'receiver' || this.type === 'transceiver';
  }

  transmit(delivery: Delivery): void {
    const pdu = new smpp.PDU('deliver_sm', {
      source_addr_ton: addressTon(delivery.source),
      source_addr_npi: 1,
      source_addr: delivery.source,
      dest_addr_ton: addressTon(delivery.destination),
      dest_addr_npi: 1,
      destination_addr: delivery.destination,
      esm_class: delivery.esmClass,
      data_coding: delivery.dataCoding,
      short_message: delivery.shortMessage,
      ...(delivery.receipt
        ? { receipted_message_id: delivery.receipt.messageId, message_state: delivery.receipt.messageState }
        : {}),
    });
    if (!this.send(pdu) || !this.entry) {
      this.context.router.deliver(this.systemId, delivery);
      return;
    }
    this.unansweredBySequence.set(pdu.sequence_number, delivery);
    this.context.stats.deliverySent(delivery.kind, this.entry);
  }

  /** Ends the connection at once (the simulator is closing). */
  destroy(): void {
    this.session.destroy();
  }

  private onPdu(pdu: PDU): void {
    switch (pdu.command) {
      case 'submit_sm': return this.onSubmit(pdu);
      case 'deliver_sm_resp': return this.onDeliverResponse(pdu);
      case 'enquire_link': this.send(pdu.response()); return;
      case 'bind_transmitter':
      case 'bind_receiver':
      case 'bind_transceiver': return this.onBind(pdu, bindTypes[pdu.command] ?? 'transceiver');
      case 'unbind': return this.onUnbind(pdu);
      case 'unknown': this.send(pdu.response()); return; // generic_nack, ESME_RINVCMDID
      default:
        if (!pdu.isResponse()) this.send(pdu.response({ command_status: smpp.ESME_RINVCMDID }));
    }
  }

  private onBind(pdu: PDU, type: BindType): void {
    if (this.state !== 'open') {
      this.send(pdu.response({ command_status: smpp.ESME_RALYBND }));
      return;
    }
    const systemId = text(pdu.system_id);
    const account = this.context.account(systemId);
    const refusal = bindRefusal(account, text(pdu.password), this.context.openBinds(systemId));
    if (refusal || !account) {
      const { reason, commandStatus } = refusal ?? unknownSystemId;
      this.context.stats.bindRefused({ systemId, remote: this.remote, reason, commandStatus }, this.context.now());
      this.context.logger?.warn({ systemId, remote: this.remote, reason }, 'bind refused');
      this.send(pdu.response({ command_status: commandStatus }));
      this.state = 'closed';
      this.session.close();
      return;
    }
    this.state = 'bound';
    this.id = this.context.nextBindId();
    this.systemId = systemId;
    this.type = type;
    this.limiter = new SlidingWindowLimiter(account.tps);
    this.entry = {
      id: this.id, systemId, type, remote: this.remote, openedAtMs: this.context.now(), closedAtMs: null,
      submits: 0, throttled: 0, receiptsSent: 0, moSent: 0, unanswered: 0,
    };
    this.context.stats.bindOpened(this.entry);
    this.context.bindOpened(this);
    this.send(pdu.response({ system_id: smscSystemId }));
    this.context.logger?.info({ bind: this.id, systemId, type, remote: this.remote }, 'bound');
    if (this.receives) this.context.router.addReceiver(this);
  }

  private onSubmit(pdu: PDU): void {
    const entry = this.entry;
    if (this.state !== 'bound' || this.type === 'receiver' || !entry || !this.limiter) {
      this.context.stats.submitError();
      this.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
      return;
    }
    const nowMs = this.context.now();
    if (!this.limiter.tryAcquire(nowMs)) {
      this.context.stats.submitThrottled(entry);
      this.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
      return;
    }
    const destination = text(pdu.destination_addr);
    if (destination === '') {
      this.context.stats.submitError();
      this.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
      return;
    }
    const messageId = this.context.nextMessageId();
    this.send(pdu.response({ message_id: messageId }));
    const shortMessage = decoded(pdu.short_message);
    const body = shortMessage.text === '' && pdu.message_payload !== undefined ? decoded(pdu.message_payload) : shortMessage;
    this.context.submitted(this, {
      messageId,
      systemId: this.systemId,
      bindId: this.id,
      source: text(pdu.source_addr),
      destination,
      text: body.text,
      dataCoding: number(pdu.data_coding),
      esmClass: number(pdu.esm_class),
      registeredDelivery: number(pdu.registered_delivery),
      part: concatInfo(shortMessage.udh ?? body.udh, {
        sar_msg_ref_num: pdu.sar_msg_ref_num,
        sar_total_segments: pdu.sar_total_segments,
        sar_segment_seqnum: pdu.sar_segment_seqnum,
      }),
    }, nowMs);
  }

  private onDeliverResponse(pdu: PDU): void {
    const delivery = this.unansweredBySequence.get(pdu.sequence_number);
    if (!delivery || !this.entry) return;
    this.unansweredBySequence.delete(pdu.sequence_number);
    this.context.stats.deliveryAnswered(delivery.kind, this.entry, pdu.command_status);
    this.context.router.pump(this);
  }

  /**
   * The bind ends with its unbind_resp: its maxBinds slot is free at once (an ESME may bind again
   * before this connection has finished closing); the rest waits for the close.
   */
  private onUnbind(pdu: PDU): void {
    this.send(pdu.response());
    if (this.state === 'bound') this.context.bindClosed(this);
    this.session.close();
  }

  private onClose(): void {
    const wasBound = this.state === 'bound';
    this.state = 'closed';
    if (!wasBound || !this.entry) return;
    this.context.stats.bindClosed(this.entry, this.context.now());
    this.context.bindClosed(this);
    this.context.logger?.info({ bind: this.id, systemId: this.systemId, unanswered: this.unanswered }, 'bind closed');
    if (!this.receives) return;
    const unanswered = [...this.unansweredBySequence.values()];
    for (const delivery of unanswered) this.context.stats.deliveryRequeued(delivery.kind, this.entry);
    this.unansweredBySequence.clear();
    this.context.router.removeReceiver(this, unanswered);
  }

  /** Writes are corked until the end of the tick, so a burst of responses leaves in one segment. */
  private send(pdu: PDU): boolean {
    const socket = this.session.socket;
    if (!this.corked && socket.writable) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    return this.session.send(pdu);
  }
}

const unknownSystemId = { reason: 'unknown system_id', commandStatus: smpp.ESME_RINVSYSID } as const;

/** Why a bind is refused, or undefined when it may proceed. */
function bindRefusal(account: AccountSettings | undefined, password: string, openBinds: number):
  { reason: RefusedBind['reason']; commandStatus: number } | undefined {
  if (!account) return unknownSystemId;
  if (account.password !== password) return { reason: 'wrong password', commandStatus: smpp.ESME_RINVPASWD };
  if (openBinds >= account.maxBinds) return { reason: 'maxBinds reached', commandStatus: smpp.ESME_RBINDFAIL };
  return undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function number(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** The package's decoded message as text: binary data (an encoding it does not know) as hex. */
function decoded(value: unknown): { text: string; udh: Buffer[] | undefined } {
  if (Buffer.isBuffer(value)) return { text: value.toString('hex'), udh: undefined };
  if (typeof value !== 'object' || value === null || !('message' in value)) return { text: '', udh: undefined };
  const message = value as DecodedMessage;
  const body = typeof message.message === 'string' ? message.message : message.message.toString('hex');
  return { text: body, udh: message.udh };
}

/** International (TON 1) for digits-only numbers longer than a short code, unknown (0) otherwise. */
function addressTon(address: string): number {
  return /^\+?\d{8,}$/.test(address) ? 1 : 0;
}
