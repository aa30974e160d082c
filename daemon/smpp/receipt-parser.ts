import { MessageStatus } from '../domain/status.js';
import type { PduOf } from './pdu.js';
import { tlvValue } from './tlv.js';

/**
 * Delivery receipts (SMPP 3.4 Appendix B): the `id:… sub:… dlvrd:… submit date:… done date:…
 * stat:… err:… text:…` text in short_message or message_payload, and the receipted_message_id and
 * message_state TLVs. Tolerant of what real SMSCs send; never throws. docs/smpp.md lists the forms.
 */
export interface Receipt {
  /** The SMSC message id: receipted_message_id when present, else the text's `id:`. */
  readonly id: string | null;
  /** The text's `id:` as written (it may be decimal where the TLV is hex). */
  readonly textId: string | null;
  readonly stat: string | null;
  /** Our status: from message_state when present, else from `stat:`; null when neither is known. */
  readonly status: MessageStatus | null;
  readonly err: string | null;
  readonly sub: string | null;
  readonly dlvrd: string | null;
  readonly submitDateRaw: string | null;
  readonly doneDateRaw: string | null;
  /** UTC instants; null when absent, all zeros or not a valid date. */
  readonly submitDate: Date | null;
  readonly doneDate: Date | null;
  /** The octets after `text:` (often the first 20 characters of the message, in any coding). */
  readonly text: Buffer | null;
  /** Vendor fields such as `IMSI:` or `MCCMNC:`, by key as written. */
  readonly extras: Readonly<Record<string, string>>;
  /** The network_error_code TLV (section 5.3.2.31): network type (1 ANSI-136, 2 IS-95, 3 GSM, …) and its error code. */
  readonly networkError: { readonly networkType: number; readonly code: number } | null;
}

export type ReceiptError =
  | { readonly kind: 'noReceiptFields'; readonly detail: string }
  | { readonly kind: 'notAReceipt'; readonly detail: string };

export type ReceiptResult = { readonly ok: true; readonly receipt: Receipt } | { readonly ok: false; readonly error: ReceiptError };

export interface ReceiptOptions {
  /**
   * The SMSC's clock offset from UTC in minutes for dates written without a zone (the 10/12/14-digit
   * forms); 0 (UTC) unless the route says otherwise. SMPP absolute times carry their own offset.
   */
  readonly utcOffsetMinutes?: number;
}

/** `stat:` values, standard (Appendix B) and those seen in the wild, to our statuses. */
const statusByStat: Readonly<Record<string, MessageStatus>> = {
  DELIVRD: MessageStatus.delivered,
  DELIVERED: MessageStatus.delivered,
  UNDELIV: MessageStatus.undeliverable,
  UNDELIVERABLE: MessageStatus.undeliverable,
  EXPIRED: MessageStatus.expired,
  REJECTD: MessageStatus.rejected,
  REJECTED: MessageStatus.rejected,
  DELETED: MessageStatus.cancelled,
  ACCEPTD: MessageStatus.submitted,
  ACCEPTED: MessageStatus.submitted,
  ENROUTE: MessageStatus.submitted,
  BUFFRED: MessageStatus.submitted,
  BUFFERED: MessageStatus.submitted,
  UNKNOWN: MessageStatus.inDoubt,
  FAILED: MessageStatus.failed,
  FAIL: MessageStatus.failed,
  ERROR: MessageStatus.failed,
};

/** message_state (section 5.2.28) to our statuses; 0 (SCHEDULED, SMPP 5.0) and others are unknown. */
const statusByMessageState: Readonly<Record<number, MessageStatus>> = {
  1: MessageStatus.submitted,
  2: MessageStatus.delivered,
  3: MessageStatus.expired,
  4: MessageStatus.cancelled,
  5: MessageStatus.undeliverable,
  6: MessageStatus.submitted,
  7: MessageStatus.inDoubt,
  8: MessageStatus.rejected,
};

export function statusOfStat(stat: string): MessageStatus | null {
  return statusByStat[stat.toUpperCase()] ?? null;
}

export function statusOfMessageState(state: number): MessageStatus | null {
  return statusByMessageState[state] ?? null;
}

type Key = 'id' | 'sub' | 'dlvrd' | 'submitDate' | 'doneDate' | 'stat' | 'err' | 'text';
const keyPattern = /(?:^|\s)(id|sub|dlvrd|submit ?date|done ?date|stat|err|text)\s?:/gi;
const extraPattern = /^([A-Za-z][A-Za-z0-9_-]*):(\S*)$/;

function keyOf(word: string): Key {
  const lower = word.toLowerCase().replace(' ', '');
  if (lower === 'submitdate') return 'submitDate';
  if (lower === 'donedate') return 'doneDate';
  return lower as Key;
}

interface Span {
  readonly key: Key;
  readonly start: number;
  readonly valueStart: number;
}

/** Parses the receipt text octets (latin1 keeps every octet as one character, so `text:` stays byte-exact). */
export function parseReceiptText(octets: Buffer, options: ReceiptOptions = {}): ReceiptResult {
  const text = octets.toString('latin1');
  const spans: Span[] = [];
  const seen = new Set<Key>();
  for (const match of text.matchAll(keyPattern)) {
    const key = keyOf(match[1]!);
    if (seen.has(key)) continue;
    seen.add(key);
    const start = match.index + match[0].length - match[0].trimStart().length;
    spans.push({ key, start, valueStart: match.index + match[0].length });
  }
  const values = new Map<Key, string>();
  const extras: Record<string, string> = {};
  let textValue: Buffer | null = null;
  spans.forEach((span, i) => {
    const end = spans[i + 1]?.start ?? text.length;
    const region = text.slice(span.valueStart, end);
    if (span.key === 'text') {
      // One separator space before the next key belongs to the layout, not to the text.
      const body = i + 1 < spans.length ? region.replace(/\s$/, '') : region;
      textValue = octets.subarray(span.valueStart, span.valueStart + body.length);
      return;
    }
    const tokens = region.trim().split(/\s+/).filter((t) => t !== '');
    values.set(span.key, tokens[0] ?? '');
    for (const token of tokens.slice(1)) {
      const extra = extraPattern.exec(token);
      if (extra !== null) extras[extra[1]!] = extra[2]!;
    }
  });
  const textId = values.get('id') ?? null;
  const stat = values.get('stat') ?? null;
  if (textId === null && stat === null) {
    return { ok: false, error: { kind: 'noReceiptFields', detail: 'no id: and no stat: in the receipt text' } };
  }
  const offset = options.utcOffsetMinutes ?? 0;
  const submitDateRaw = values.get('submitDate') ?? null;
  const doneDateRaw = values.get('doneDate') ?? null;
  return {
    ok: true,
    receipt: {
      id: textId,
      textId,
      stat,
      status: stat === null ? null : statusOfStat(stat),
      err: values.get('err') ?? null,
      sub: values.get('sub') ?? null,
      dlvrd: values.get('dlvrd') ?? null,
      submitDateRaw,
      doneDateRaw,
      submitDate: submitDateRaw === null ? null : parseReceiptDate(submitDateRaw, offset),
      doneDate: doneDateRaw === null ? null : parseReceiptDate(doneDateRaw, offset),
      text: textValue,
      extras,
      networkError: null,
    },
  };
}

const emptyReceipt: Receipt = {
  id: null, textId: null, stat: null, status: null, err: null, sub: null, dlvrd: null,
  submitDateRaw: null, doneDateRaw: null, submitDate: null, doneDate: null, text: null, extras: {}, networkError: null,
};

/**
 * The receipt in a deliver_sm (or data_sm): receipted_message_id and message_state win over the text,
 * whose fields fill the rest. A deliver_sm whose esm_class does not mark a receipt is `notAReceipt`.
 */
export function receiptFromPdu(pdu: PduOf<'deliver_sm'> | PduOf<'data_sm'>, options: ReceiptOptions = {}): ReceiptResult {
  const messageType = (pdu.esmClass >> 2) & 0x0f;
  // esm_class bits 5-2: 0001 SMSC delivery receipt, 0010 SME ack, 0100 SME manual ack, 1000 intermediate notification.
  if (messageType !== 1 && messageType !== 8) {
    return { ok: false, error: { kind: 'notAReceipt', detail: `esm_class 0x${pdu.esmClass.toString(16)} is not a delivery receipt` } };
  }
  const payload = tlvValue(pdu.tlvs, 'message_payload');
  const octets = payload !== undefined && payload.length > 0 ? payload : 'shortMessage' in pdu ? pdu.shortMessage : Buffer.alloc(0);
  const parsed = parseReceiptText(octets, options);
  const tlvId = tlvValue(pdu.tlvs, 'receipted_message_id');
  const state = tlvValue(pdu.tlvs, 'message_state');
  const tlvStatus = state === undefined ? null : statusOfMessageState(state);
  const networkErrorCode = tlvValue(pdu.tlvs, 'network_error_code');
  if (!parsed.ok && (tlvId === undefined || tlvId === '')) return parsed;
  const base = parsed.ok ? parsed.receipt : emptyReceipt;
  return {
    ok: true,
    receipt: {
      ...base,
      id: tlvId !== undefined && tlvId !== '' ? tlvId : base.id,
      status: tlvStatus ?? base.status,
      networkError: networkErrorCode?.length === 3 ? { networkType: networkErrorCode[0]!, code: networkErrorCode.readUInt16BE(1) } : null,
    },
  };
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

function utcDate(parts: readonly number[], offsetMinutes: number, tenths = 0): Date | null {
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, tenths * 100) - offsetMinutes * 60_000);
}

function numbers(digits: string, widths: readonly number[]): number[] {
  let pos = 0;
  return widths.map((w) => {
    const n = Number(digits.slice(pos, pos + w));
    pos += w;
    return n;
  });
}

/**
 * A receipt date. Forms: YYMMDDhhmm (Appendix B), YYMMDDhhmmss, YYYYMMDDhhmm (a 12-digit value that is
 * no valid YYMMDDhhmmss), YYYYMMDDhhmmss, and SMPP absolute time YYMMDDhhmmsstnn± (section 7.1.1).
 * Two-digit years are 2000–2099. All zeros or an invalid date give null.
 */
export function parseReceiptDate(raw: string, utcOffsetMinutes = 0): Date | null {
  if (/^0+$/.test(raw)) return null;
  const absolute = /^(\d{12})(\d)(\d{2})([+-])$/.exec(raw);
  if (absolute !== null) {
    const [yy, mo, dd, hh, mi, ss] = numbers(absolute[1]!, [2, 2, 2, 2, 2, 2]) as [number, number, number, number, number, number];
    const quarters = Number(absolute[3]) * (absolute[4] === '-' ? -1 : 1);
    return utcDate([2000 + yy, mo, dd, hh, mi, ss], quarters * 15, Number(absolute[2]));
  }
  if (!/^\d+$/.test(raw)) return null;
  switch (raw.length) {
    case 10: {
      const [yy, ...rest] = numbers(raw, [2, 2, 2, 2, 2]) as [number, number, number, number, number];
      return utcDate([2000 + yy, ...rest, 0], utcOffsetMinutes);
    }
    case 12: {
      const [yy, ...rest] = numbers(raw, [2, 2, 2, 2, 2, 2]) as [number, number, number, number, number, number];
      const short = utcDate([2000 + yy, ...rest], utcOffsetMinutes);
      return short ?? utcDate([...numbers(raw, [4, 2, 2, 2, 2]), 0], utcOffsetMinutes);
    }
    case 14:
      return utcDate(numbers(raw, [4, 2, 2, 2, 2, 2]), utcOffsetMinutes);
    default:
      return null;
  }
}

export type SmscIdFormat = 'hex' | 'decimal' | 'auto';

/**
 * The forms under which an SMSC message id may have been recorded or reported: as written, lower and
 * upper case, and, when it is a number, its decimal (no leading zeros) and hex (lower and upper case)
 * spellings. BigInt keeps 20-digit decimals exact. `auto` reads an all-digit id as decimal and any
 * other hex-digit id as hex. Matching a receipt to a submit: the two candidate sets intersect when
 * both ids denote the same number (text 0059113978 and TLV 38601fa share 59113978 and 38601fa).
 */
export function receiptIdCandidates(id: string, format: SmscIdFormat): string[] {
  const out = new Set<string>([id, id.toLowerCase(), id.toUpperCase()]);
  const kind = format !== 'auto' ? format : /^\d+$/.test(id) ? 'decimal' : /^[0-9a-f]+$/i.test(id) ? 'hex' : null;
  const valid = kind === 'decimal' ? /^\d{1,40}$/.test(id) : kind === 'hex' ? /^[0-9a-f]{1,40}$/i.test(id) : false;
  if (valid) {
    const value = BigInt(kind === 'hex' ? `0x${id}` : id);
    const hex = value.toString(16);
    out.add(value.toString(10));
    out.add(hex);
    out.add(hex.toUpperCase());
  }
  return [...out];
}
