/**
 * SMSC message ids. `hex` ids are 10 lower-case hex digits, `decimal` ids the same numbers in base 10.
 * Real SMSCs often answer submit_sm_resp and receipted_message_id in hex but write the receipt text
 * id in decimal; `receiptTextIdFormat: 'decimal'` reproduces that, so correlation code meets it.
 */
export type MessageIdFormat = 'hex' | 'decimal';
export type ReceiptTextIdFormat = 'same' | 'decimal';

const firstId = 2 ** 36; // 0x1000000000: hex ids keep ten digits for the next 2^36 ids

export class MessageIdGenerator {
  private counter: number;

  /** `offset` (0 ≤ offset < 2^35) spreads the ids of different simulator runs apart. */
  constructor(private readonly format: MessageIdFormat, offset: number) {
    this.counter = firstId + Math.floor(offset);
  }

  next(): string {
    const value = this.counter++;
    return this.format === 'hex' ? value.toString(16) : value.toString(10);
  }
}

/** The id as the receipt text carries it. */
export function receiptTextId(id: string, idFormat: MessageIdFormat, textFormat: ReceiptTextIdFormat): string {
  if (textFormat === 'same' || idFormat === 'decimal') return id;
  return Number.parseInt(id, 16).toString(10);
}
