/** Delivery receipt content: final status choice, SMPP message_state, and the de-facto standard text. */

export const receiptStatuses = ['DELIVRD', 'UNDELIV', 'EXPIRED', 'REJECTD'] as const;
export type ReceiptStatus = (typeof receiptStatuses)[number];

/** Relative weights; a missing status weighs 0. */
export type StatusMix = Partial<Record<ReceiptStatus, number>>;

/** SMPP 3.4 message_state (5.2.28) for each final status. */
export const messageStateOf: Readonly<Record<ReceiptStatus, number>> = {
  DELIVRD: 2,
  EXPIRED: 3,
  UNDELIV: 5,
  REJECTD: 8,
};

/** The `err:` field: 000 on delivery, a fixed network error per failure kind otherwise. */
const errorCodeOf: Readonly<Record<ReceiptStatus, string>> = {
  DELIVRD: '000',
  UNDELIV: '001',
  REJECTD: '002',
  EXPIRED: '003',
};

/** A function that draws a status by weight from a uniform `random()` in [0, 1). */
export function statusPicker(mix: StatusMix, random: () => number): () => ReceiptStatus {
  const weights = receiptStatuses.map((status) => Math.max(0, mix[status] ?? 0));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) throw new Error('receipt status mix needs at least one positive weight');
  const onlyOne = weights.filter((weight) => weight > 0).length === 1;
  if (onlyOne) {
    const status = receiptStatuses[weights.findIndex((weight) => weight > 0)] ?? 'DELIVRD';
    return () => status;
  }
  return () => {
    let draw = random() * total;
    for (let i = 0; i < receiptStatuses.length; i++) {
      draw -= weights[i] ?? 0;
      if (draw < 0) return receiptStatuses[i] ?? 'DELIVRD';
    }
    return 'DELIVRD';
  };
}

/**
 * registered_delivery bits 0-1 (SMPP 3.4 5.2.17): 1 = receipt on success or failure, 2 = on failure
 * only; 3 (reserved in 3.4) is read as SMPP 5.0 does: on success only.
 */
export function wantsReceipt(registeredDelivery: number, status: ReceiptStatus): boolean {
  switch (registeredDelivery & 0x03) {
    case 1: return true;
    case 2: return status !== 'DELIVRD';
    case 3: return status === 'DELIVRD';
    default: return false;
  }
}

let cachedMinute = -1;
let cachedDate = '';

/** YYMMDDhhmm in UTC; memoised per minute since a busy run formats the same minute thousands of times. */
export function receiptDate(epochMs: number): string {
  const minute = Math.floor(epochMs / 60_000);
  if (minute !== cachedMinute) {
    const iso = new Date(minute * 60_000).toISOString(); // 2026-11-26T02:05:00.000Z
    cachedDate = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
    cachedMinute = minute;
  }
  return cachedDate;
}

export interface ReceiptFields {
  textId: string;
  status: ReceiptStatus;
  submittedAtMs: number;
  doneAtMs: number;
  /** The first characters of the original message. */
  text: string;
}

/** `id:X sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:000 text:...` */
export function receiptText(fields: ReceiptFields): string {
  const delivered = fields.status === 'DELIVRD' ? '001' : '000';
  return `id:${fields.textId} sub:001 dlvrd:${delivered} submit date:${receiptDate(fields.submittedAtMs)}`
    + ` done date:${receiptDate(fields.doneAtMs)} stat:${fields.status} err:${errorCodeOf[fields.status]}`
    + ` text:${receiptTextExcerpt(fields.text)}`;
}

/** The receipt is ASCII: the first 20 characters, with anything outside printable ASCII as `?`. */
export function receiptTextExcerpt(text: string): string {
  return text.slice(0, 20).replace(/[^\x20-\x7e]/g, '?');
}
