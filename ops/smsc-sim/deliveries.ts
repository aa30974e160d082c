import { Fifo } from './fifo.js';
import type { DeliveryKind } from './stats.js';

/** One deliver_sm to send (a receipt or an MO part); built into a PDU only when a bind takes it. */
export interface Delivery {
  kind: DeliveryKind;
  source: string;
  destination: string;
  esmClass: number;
  dataCoding: number;
  shortMessage: Buffer;
  /** Receipts only: the receipted_message_id and message_state TLVs. */
  receipt?: { messageId: string; messageState: number };
}

/** A receiver or transceiver bind as the router sees it. */
export interface DeliveryTarget {
  readonly id: number;
  readonly systemId: string;
  readonly isOpen: boolean;
  /** deliver_sm sent and not answered yet. */
  readonly unanswered: number;
  /** Deliveries meant for this bind only (a receipt for its own submit, the parts of one MO). */
  readonly pinned: Fifo<Delivery>;
  transmit(delivery: Delivery): void;
}

/**
 * Sends deliveries on an account's receiver binds within a window of unanswered deliver_sm per bind.
 * Deliveries that no bind can take now wait: pinned ones on their bind, the others per account, and
 * a bind that closes hands both its pinned and its unanswered deliveries back to its account.
 */
export class DeliveryRouter {
  private readonly receivers = new Map<string, DeliveryTarget[]>();
  private readonly shared = new Map<string, Fifo<Delivery>>();
  private readonly waitingByKind: Record<DeliveryKind, number> = { receipt: 0, mo: 0 };
  private roundRobin = 0;

  constructor(private readonly window: number) {}

  get waiting(): Readonly<Record<DeliveryKind, number>> {
    return this.waitingByKind;
  }

  receiversOf(systemId: string): readonly DeliveryTarget[] {
    return this.receivers.get(systemId) ?? [];
  }

  /** Another receiver of the account than `except`, in turn; undefined when there is none. */
  otherReceiver(systemId: string, except: number): DeliveryTarget | undefined {
    const others = this.receiversOf(systemId).filter((target) => target.id !== except);
    return others.length === 0 ? undefined : others[this.roundRobin++ % others.length];
  }

  anyReceiver(systemId: string): DeliveryTarget | undefined {
    const all = this.receiversOf(systemId);
    return all.length === 0 ? undefined : all[this.roundRobin++ % all.length];
  }

  addReceiver(target: DeliveryTarget): void {
    const list = this.receivers.get(target.systemId) ?? [];
    list.push(target);
    this.receivers.set(target.systemId, list);
    this.pumpAccount(target.systemId);
  }

  /** `unanswered` are the bind's deliveries sent without an answer; they are sent again elsewhere. */
  removeReceiver(target: DeliveryTarget, unanswered: readonly Delivery[]): void {
    const list = (this.receivers.get(target.systemId) ?? []).filter((other) => other !== target);
    this.receivers.set(target.systemId, list);
    const queue = this.sharedOf(target.systemId);
    for (const delivery of unanswered) {
      queue.push(delivery);
      this.waitingByKind[delivery.kind]++;
    }
    for (const delivery of target.pinned.drain()) queue.push(delivery);
    this.pumpAccount(target.systemId);
  }

  /** Queues a delivery for `pinTo` when given and open, for any receiver of the account otherwise. */
  deliver(systemId: string, delivery: Delivery, pinTo?: DeliveryTarget): void {
    this.waitingByKind[delivery.kind]++;
    if (pinTo?.isOpen) {
      pinTo.pinned.push(delivery);
      this.pump(pinTo);
      return;
    }
    this.sharedOf(systemId).push(delivery);
    this.pumpAccount(systemId);
  }

  /** Sends what `target` can take now: its pinned deliveries first, then its account's. */
  pump(target: DeliveryTarget): void {
    const queue = this.shared.get(target.systemId);
    while (target.isOpen && target.unanswered < this.window) {
      const delivery = target.pinned.shift() ?? queue?.shift();
      if (!delivery) return;
      this.waitingByKind[delivery.kind]--;
      target.transmit(delivery);
    }
  }

  /** Spreads an account's waiting deliveries over its receivers one at a time, so no bind takes them all. */
  private pumpAccount(systemId: string): void {
    const list = this.receiversOf(systemId);
    const queue = this.shared.get(systemId);
    let sent = true;
    while (sent) {
      sent = false;
      for (const target of list) {
        if (!target.isOpen || target.unanswered >= this.window) continue;
        const delivery = target.pinned.shift() ?? queue?.shift();
        if (!delivery) continue;
        this.waitingByKind[delivery.kind]--;
        target.transmit(delivery);
        sent = true;
      }
    }
  }

  private sharedOf(systemId: string): Fifo<Delivery> {
    let queue = this.shared.get(systemId);
    if (!queue) {
      queue = new Fifo<Delivery>();
      this.shared.set(systemId, queue);
    }
    return queue;
  }
}
