import { Buffer } from 'node:buffer';
import type { DecodeResult } from '../../daemon/smpp/codec.js';
import type { Pdu, PduOf } from '../../daemon/smpp/pdu.js';
import { sessionConfig, type SessionConfigInput } from '../../daemon/smpp/session-config.js';
import { createSession, step } from '../../daemon/smpp/session-machine.js';
import type { SessionEffect, SessionEvent, SessionState, SubmitOutcome } from '../../daemon/smpp/session-types.js';

type Tag = string;
type EventWithoutTime = SessionEvent<Tag> extends infer E ? (E extends SessionEvent<Tag> ? Omit<E, 'now'> : never) : never;

/** Drives the machine with a fake clock and records what it asks for, like a driver would. */
export class SessionHarness {
  state: SessionState<Tag>;
  now = 1_000_000;
  effects: SessionEffect<Tag>[] = [];
  sent: Pdu[] = [];
  outcomes = new Map<Tag, SubmitOutcome>();
  wakeAt: number | null = null;

  constructor(overrides: Partial<SessionConfigInput> = {}) {
    this.state = createSession<Tag>(sessionConfig({ bindKind: 'transceiver', systemId: 'acme', password: 'secret', windowSize: 3, tps: 1000, ...overrides }), this.now);
  }

  step(event: EventWithoutTime): SessionEffect<Tag>[] {
    const result = step(this.state, { ...event, now: this.now } as SessionEvent<Tag>);
    this.state = result.state;
    this.effects.push(...result.effects);
    for (const effect of result.effects) {
      if (effect.type === 'send') this.sent.push(effect.pdu);
      if (effect.type === 'outcome') this.outcomes.set(effect.tag, effect.outcome);
      if (effect.type === 'wakeAt') this.wakeAt = effect.at;
    }
    return result.effects;
  }

  /** Advances the clock to `at` and ticks, as the driver's timer would. */
  tickAt(at: number): SessionEffect<Tag>[] {
    this.now = at;
    return this.step({ type: 'tick' });
  }

  advance(ms: number): SessionEffect<Tag>[] {
    return this.tickAt(this.now + ms);
  }

  receive(pdu: Pdu): SessionEffect<Tag>[] {
    return this.step({ type: 'pduReceived', result: { ok: true, pdu } });
  }

  receiveResult(result: DecodeResult): SessionEffect<Tag>[] {
    return this.step({ type: 'pduReceived', result });
  }

  lastSent(): Pdu {
    const pdu = this.sent.at(-1);
    if (pdu === undefined) throw new Error('nothing sent');
    return pdu;
  }

  sentOf(command: Pdu['command']): Pdu[] {
    return this.sent.filter((pdu) => pdu.command === command);
  }

  bind(): void {
    this.step({ type: 'connecting' });
    this.step({ type: 'connected' });
    const bind = this.lastSent();
    this.receive({ command: 'bind_transceiver_resp', commandStatus: 0, sequenceNumber: bind.sequenceNumber, tlvs: [], systemId: 'SMSC' });
  }

  submit(tag: Tag): SessionEffect<Tag>[] {
    return this.step({ type: 'submit', pdu: submitSm(tag), tag });
  }

  respond(sequenceNumber: number, commandStatus = 0, messageId = `id-${sequenceNumber}`): SessionEffect<Tag>[] {
    return this.receive({ command: 'submit_sm_resp', commandStatus, sequenceNumber, tlvs: [], messageId });
  }

  /** Sequence numbers of the submit_sm sent so far, in order. */
  submitSequences(): number[] {
    return this.sentOf('submit_sm').map((pdu) => pdu.sequenceNumber);
  }

  ofType<K extends SessionEffect<Tag>['type']>(type: K, effects = this.effects): Extract<SessionEffect<Tag>, { type: K }>[] {
    return effects.filter((effect): effect is Extract<SessionEffect<Tag>, { type: K }> => effect.type === type);
  }
}

export function submitSm(text: string): PduOf<'submit_sm'> {
  return {
    command: 'submit_sm',
    commandStatus: 0,
    sequenceNumber: 0,
    tlvs: [],
    serviceType: '',
    sourceAddrTon: 5,
    sourceAddrNpi: 0,
    sourceAddr: 'ACME',
    destAddrTon: 1,
    destAddrNpi: 1,
    destinationAddr: '37060000001',
    esmClass: 0,
    protocolId: 0,
    priorityFlag: 0,
    scheduleDeliveryTime: '',
    validityPeriod: '',
    registeredDelivery: 1,
    replaceIfPresentFlag: 0,
    dataCoding: 0,
    smDefaultMsgId: 0,
    shortMessage: Buffer.from(text, 'latin1'),
  };
}

export function deliverSm(sequenceNumber: number, text: string): Pdu {
  return { ...submitSm(text), command: 'deliver_sm', sequenceNumber, esmClass: 0x04 };
}
