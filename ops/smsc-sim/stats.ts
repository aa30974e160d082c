import type { PartInfo } from './concat.js';
import { receiptStatuses, type ReceiptStatus } from './receipt.js';

export type BindType = 'transmitter' | 'receiver' | 'transceiver';
export type DeliveryKind = 'receipt' | 'mo';

/** One bind as stats show it; the simulator updates its counters in place (no lookup per PDU). */
export interface BindEntry {
  id: number;
  systemId: string;
  type: BindType;
  remote: string;
  openedAtMs: number;
  closedAtMs: number | null;
  submits: number;
  throttled: number;
  receiptsSent: number;
  moSent: number;
  /** deliver_sm sent on this bind and not answered yet. */
  unanswered: number;
}

export interface SubmitRecord {
  messageId: string;
  systemId: string;
  bindId: number;
  source: string;
  destination: string;
  text: string;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  part: PartInfo | undefined;
}

/** A captured submit as stats show it (JSON): `part` null rather than absent, and when it came. */
export interface ReceivedMessage extends Omit<SubmitRecord, 'part'> {
  part: PartInfo | null;
  at: string;
}

export interface BindInfo {
  id: number;
  systemId: string;
  type: BindType;
  remote: string;
  openedAt: string;
  closedAt: string | null;
  submits: number;
  throttled: number;
  receiptsSent: number;
  moSent: number;
  unanswered: number;
}

export interface RefusedBind {
  systemId: string;
  reason: 'unknown system_id' | 'wrong password' | 'maxBinds reached';
  commandStatus: number;
  remote: string;
  at: string;
}

export interface DeliveryCounters {
  /** Transmissions, redeliveries included. */
  sent: number;
  acknowledged: number;
  /** Answered with a non-zero command_status (not retried). */
  rejected: number;
  /** Sent again on another bind because their bind closed before the answer. */
  redelivered: number;
  /** Sent and waiting for deliver_sm_resp now. */
  unanswered: number;
  /** Due but waiting for a receiver bind or for window room. */
  waiting: number;
}

export interface SimulatorStats {
  startedAt: string;
  at: string;
  submits: { total: number; byAccount: Record<string, number>; byBind: Record<string, number> };
  /** Reassembled messages: single-part submits plus multi-part messages whose every part arrived. */
  messages: { total: number; multipart: number; incompleteNow: number };
  throttled: number;
  /** submit_sm refused for another reason than throttling (not bound as a transmitter, no destination). */
  submitErrors: number;
  duplicates: { submits: number; messages: number };
  receipts: DeliveryCounters & { scheduled: number; byStatus: Record<ReceiptStatus, number> };
  mo: DeliveryCounters & { injected: number; parts: number };
  binds: { open: number; refused: number; list: BindInfo[]; refusedList: RefusedBind[] };
  /** Accepted submit_sm per second, oldest first, the current (partial) second last. */
  submitRate: Array<{ at: string; submits: number }>;
  /** The last captured submits, oldest first; present only when capture is on. */
  received?: ReceivedMessage[];
}

export interface StatsLimits {
  captureMessages: number;
  duplicateMemory: number;
}

const rateSeconds = 30;
const closedBindsKept = 1000;
const refusedKept = 100;
const incompleteKept = 100_000;

interface PartialMessage {
  texts: Array<string | undefined>;
  received: number;
}

function emptyDelivery(): DeliveryCounters {
  return { sent: 0, acknowledged: 0, rejected: 0, redelivered: 0, unanswered: 0, waiting: 0 };
}

/** Counters of the simulator; the caller passes the time. All structures are bounded. */
export class StatsRecorder {
  private startedAtMs: number;
  private submits = 0;
  private submitsByAccount = new Map<string, number>();
  private messages = 0;
  private multipart = 0;
  private throttled = 0;
  private submitErrors = 0;
  private duplicateSubmits = 0;
  private duplicateMessages = 0;
  private receipts = emptyDelivery();
  private receiptsScheduled = 0;
  private receiptsByStatus = Object.fromEntries(receiptStatuses.map((s) => [s, 0])) as Record<ReceiptStatus, number>;
  private mo = emptyDelivery();
  private moInjected = 0;
  private moParts = 0;
  private refused = 0;
  private refusedList: RefusedBind[] = [];
  private readonly openBinds = new Map<number, BindEntry>();
  private closedBinds: BindEntry[] = [];
  private readonly seenSubmits = new Set<string>();
  private readonly seenMessages = new Set<string>();
  private readonly incomplete = new Map<string, PartialMessage>();
  private rateSecond = new Float64Array(rateSeconds).fill(-1);
  private rateCount = new Uint32Array(rateSeconds);
  /** A ring of the last `captureMessages` submits; `capturedNext` is where the next one goes. */
  private captured: ReceivedMessage[] = [];
  private capturedNext = 0;

  constructor(private readonly limits: StatsLimits, nowMs: number) {
    this.startedAtMs = nowMs;
  }

  bindOpened(entry: BindEntry): void {
    this.openBinds.set(entry.id, entry);
  }

  bindClosed(entry: BindEntry, nowMs: number): void {
    entry.closedAtMs = nowMs;
    if (!this.openBinds.delete(entry.id)) return;
    this.closedBinds.push(entry);
    if (this.closedBinds.length > closedBindsKept) this.closedBinds.shift();
  }

  bindRefused(refusal: Omit<RefusedBind, 'at'>, nowMs: number): void {
    this.refused++;
    this.refusedList.push({ ...refusal, at: new Date(nowMs).toISOString() });
    if (this.refusedList.length > refusedKept) this.refusedList.shift();
  }

  submitThrottled(bind: BindEntry): void {
    this.throttled++;
    bind.throttled++;
  }

  submitError(): void {
    this.submitErrors++;
  }

  submitAccepted(bind: BindEntry, submit: SubmitRecord, nowMs: number): void {
    this.submits++;
    bind.submits++;
    this.submitsByAccount.set(submit.systemId, (this.submitsByAccount.get(submit.systemId) ?? 0) + 1);
    this.countRate(nowMs);
    const part = submit.part;
    const submitKey = part
      ? `${submit.destination}\u0000${part.total}/${part.sequence}\u0000${submit.text}`
      : `${submit.destination}\u0000${submit.text}`;
    if (this.remember(this.seenSubmits, submitKey)) this.duplicateSubmits++;
    if (part) this.addPart(submit, part);
    else this.messageComplete(submit.destination, submit.text, false);
    if (this.limits.captureMessages > 0) this.capture(submit, nowMs);
  }

  receiptScheduled(status: ReceiptStatus): void {
    this.receiptsScheduled++;
    this.receiptsByStatus[status]++;
  }

  moInjectedWith(parts: number): void {
    this.moInjected++;
    this.moParts += parts;
  }

  deliverySent(kind: DeliveryKind, bind: BindEntry): void {
    const counters = kind === 'receipt' ? this.receipts : this.mo;
    counters.sent++;
    counters.unanswered++;
    bind.unanswered++;
    if (kind === 'receipt') bind.receiptsSent++;
    else bind.moSent++;
  }

  deliveryAnswered(kind: DeliveryKind, bind: BindEntry, commandStatus: number): void {
    const counters = kind === 'receipt' ? this.receipts : this.mo;
    counters.unanswered--;
    bind.unanswered--;
    if (commandStatus === 0) counters.acknowledged++;
    else counters.rejected++;
  }

  /** A delivery whose bind closed unanswered goes back to waiting for another bind. */
  deliveryRequeued(kind: DeliveryKind, bind: BindEntry): void {
    const counters = kind === 'receipt' ? this.receipts : this.mo;
    counters.unanswered--;
    bind.unanswered--;
    counters.redelivered++;
  }

  snapshot(nowMs: number, waiting: Record<DeliveryKind, number>): SimulatorStats {
    const binds = [...this.closedBinds, ...this.openBinds.values()].sort((a, b) => a.id - b.id);
    const byBind: Record<string, number> = {};
    for (const bind of binds) byBind[String(bind.id)] = bind.submits;
    const stats: SimulatorStats = {
      startedAt: new Date(this.startedAtMs).toISOString(),
      at: new Date(nowMs).toISOString(),
      submits: { total: this.submits, byAccount: Object.fromEntries(this.submitsByAccount), byBind },
      messages: { total: this.messages, multipart: this.multipart, incompleteNow: this.incomplete.size },
      throttled: this.throttled,
      submitErrors: this.submitErrors,
      duplicates: { submits: this.duplicateSubmits, messages: this.duplicateMessages },
      receipts: { ...this.receipts, waiting: waiting.receipt, scheduled: this.receiptsScheduled, byStatus: { ...this.receiptsByStatus } },
      mo: { ...this.mo, waiting: waiting.mo, injected: this.moInjected, parts: this.moParts },
      binds: { open: this.openBinds.size, refused: this.refused, list: binds.map(bindInfo), refusedList: [...this.refusedList] },
      submitRate: this.rate(nowMs),
    };
    if (this.limits.captureMessages > 0) {
      stats.received = [...this.captured.slice(this.capturedNext), ...this.captured.slice(0, this.capturedNext)];
    }
    return stats;
  }

  /** Zeroes every counter and forgets closed binds; open binds stay, with zeroed counters. */
  reset(nowMs: number): void {
    this.startedAtMs = nowMs;
    this.submits = 0;
    this.submitsByAccount.clear();
    this.messages = 0;
    this.multipart = 0;
    this.throttled = 0;
    this.submitErrors = 0;
    this.duplicateSubmits = 0;
    this.duplicateMessages = 0;
    const receiptsUnanswered = this.receipts.unanswered;
    const moUnanswered = this.mo.unanswered;
    this.receipts = { ...emptyDelivery(), unanswered: receiptsUnanswered };
    this.mo = { ...emptyDelivery(), unanswered: moUnanswered };
    this.receiptsScheduled = 0;
    for (const status of receiptStatuses) this.receiptsByStatus[status] = 0;
    this.moInjected = 0;
    this.moParts = 0;
    this.refused = 0;
    this.refusedList = [];
    this.closedBinds = [];
    for (const bind of this.openBinds.values()) {
      bind.submits = 0;
      bind.throttled = 0;
      bind.receiptsSent = 0;
      bind.moSent = 0;
    }
    this.seenSubmits.clear();
    this.seenMessages.clear();
    this.incomplete.clear();
    this.rateSecond.fill(-1);
    this.rateCount.fill(0);
    this.captured = [];
    this.capturedNext = 0;
  }

  private addPart(submit: SubmitRecord, part: PartInfo): void {
    const key = `${submit.systemId}\u0000${submit.source}\u0000${submit.destination}\u0000${part.kind}:${part.reference}:${part.total}`;
    let partial = this.incomplete.get(key);
    if (!partial) {
      partial = { texts: new Array<string | undefined>(part.total).fill(undefined), received: 0 };
      this.incomplete.set(key, partial);
      if (this.incomplete.size > incompleteKept) {
        const oldest = this.incomplete.keys().next();
        if (!oldest.done) this.incomplete.delete(oldest.value);
      }
    }
    if (partial.texts[part.sequence - 1] !== undefined) return; // a part sent again: counted as a duplicate submit
    partial.texts[part.sequence - 1] = submit.text;
    partial.received++;
    if (partial.received < part.total) return;
    this.incomplete.delete(key);
    this.messageComplete(submit.destination, partial.texts.join(''), true);
  }

  private messageComplete(destination: string, text: string, multipart: boolean): void {
    this.messages++;
    if (multipart) this.multipart++;
    if (this.remember(this.seenMessages, `${destination}\u0000${text}`)) this.duplicateMessages++;
  }

  /** True when `key` was already seen; remembers at most `duplicateMemory` keys, forgetting the oldest. */
  private remember(seen: Set<string>, key: string): boolean {
    if (this.limits.duplicateMemory <= 0) return false;
    if (seen.has(key)) return true;
    seen.add(key);
    if (seen.size > this.limits.duplicateMemory) {
      const oldest = seen.values().next();
      if (!oldest.done) seen.delete(oldest.value);
    }
    return false;
  }

  private countRate(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % rateSeconds;
    if (this.rateSecond[slot] !== second) {
      this.rateSecond[slot] = second;
      this.rateCount[slot] = 0;
    }
    this.rateCount[slot] = (this.rateCount[slot] ?? 0) + 1;
  }

  private rate(nowMs: number): Array<{ at: string; submits: number }> {
    const current = Math.floor(nowMs / 1000);
    const rate: Array<{ at: string; submits: number }> = [];
    for (let second = current - rateSeconds + 1; second <= current; second++) {
      const slot = second % rateSeconds;
      const submits = this.rateSecond[slot] === second ? (this.rateCount[slot] ?? 0) : 0;
      rate.push({ at: new Date(second * 1000).toISOString(), submits });
    }
    return rate;
  }

  private capture(submit: SubmitRecord, nowMs: number): void {
    const message = { ...submit, part: submit.part ?? null, at: new Date(nowMs).toISOString() };
    if (this.captured.length < this.limits.captureMessages) {
      this.captured.push(message);
      return;
    }
    this.captured[this.capturedNext] = message;
    this.capturedNext = (this.capturedNext + 1) % this.limits.captureMessages;
  }
}

function bindInfo(bind: BindEntry): BindInfo {
  return {
    id: bind.id,
    systemId: bind.systemId,
    type: bind.type,
    remote: bind.remote,
    openedAt: new Date(bind.openedAtMs).toISOString(),
    closedAt: bind.closedAtMs === null ? null : new Date(bind.closedAtMs).toISOString(),
    submits: bind.submits,
    throttled: bind.throttled,
    receiptsSent: bind.receiptsSent,
    moSent: bind.moSent,
    unanswered: bind.unanswered,
  };
}
