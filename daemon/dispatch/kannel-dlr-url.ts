/**
 * Fills the % escapes of a Kannel dlr-url the way Kannel's urltrans_fill_escape_codes does, for
 * clients that migrated from Kannel's /cgi-bin/sendsms (docs/callbacks.md, "Kannel dlr-url").
 * Substituted values are URL-encoded (space as `+`, like Kannel). Pure.
 */
import type { CallbackEvent } from '../storage/port.js';

type Payload = CallbackEvent['payload'];

/** Escapes Kannel knows but for which a receipt carries nothing here: replaced by nothing, as Kannel does for absent fields. */
const emptyEscapes = new Set(['B', 'c', 'C', 'D', 'f', 'i', 'm', 'M', 'n', 'o', 'O', 'R', 'u', 'v', 'V']);

/**
 * `template` is the dlr-url as the client gave it; `payload` the DLR event's fields, of which the
 * Kannel ones are `dlrType` (the dlr-mask bit), `receiptText` and `time` (Unix seconds), besides
 * `recipient`, `sender`, `messageId` and `smscId`. `fallbackTime` stands in when `time` is absent.
 * An unknown escape stays as written, like Kannel.
 */
export function fillKannelDlrUrl(template: string, payload: Payload, fallbackTime: Date): string {
  const receiptText = text(payload, 'receiptText');
  const words = receiptText.split(/\s+/).filter((word) => word !== '');
  const time = eventTime(payload, fallbackTime);
  let nextWord = 1;
  let out = '';
  let pos = 0;
  while (pos < template.length) {
    const char = template[pos] ?? '';
    const escape = template[pos + 1];
    if (char !== '%' || escape === undefined) {
      out += char;
      pos += 1;
      continue;
    }
    pos += 2;
    switch (escape) {
      case '%':
        out += '%';
        break;
      case 'd':
        out += kannelEncode(text(payload, 'dlrType'));
        break;
      case 'A':
      case 'b':
        out += kannelEncode(receiptText);
        break;
      case 'a':
        out += words.map(kannelEncode).join('+');
        break;
      case 'k':
        out += kannelEncode(words[0] ?? '');
        break;
      case 's':
        out += kannelEncode(words[nextWord] ?? '');
        nextWord += 1;
        break;
      case 'S':
        out += (words[nextWord] ?? '').replace(/\*/g, '~');
        nextWord += 1;
        break;
      case 'r':
        out += words.slice(nextWord).map(kannelEncode).join('+');
        break;
      // A receipt travels from the phone back to us: Kannel's %p is the phone (the MT's recipient), %P our sender.
      case 'p':
        out += kannelEncode(text(payload, 'recipient'));
        break;
      case 'P':
        out += kannelEncode(text(payload, 'sender'));
        break;
      case 'q':
        out += internationalPlus(text(payload, 'recipient'));
        break;
      case 'Q':
        out += internationalPlus(text(payload, 'sender'));
        break;
      case 'I':
        out += kannelEncode(text(payload, 'messageId'));
        break;
      case 'F':
        out += kannelEncode(text(payload, 'smscId'));
        break;
      case 'T':
        out += String(Math.floor(time.getTime() / 1000));
        break;
      case 't':
        out += kannelTime(time);
        break;
      default:
        if (!emptyEscapes.has(escape)) out += `%${escape}`;
    }
  }
  return out;
}

/** Kannel's octstr_url_encode: percent-encoding, with a space as `+`. */
export function kannelEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/** `YYYY-MM-DD+HH:MM:SS` in UTC, the space already encoded as Kannel writes it. */
export function kannelTime(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, 10)}+${iso.slice(11, 19)}`;
}

function internationalPlus(number: string): string {
  return number.startsWith('00') ? `%2B${kannelEncode(number.slice(2))}` : kannelEncode(number);
}

function text(payload: Payload, key: string): string {
  const value = payload[key];
  return value === null || value === undefined ? '' : String(value);
}

function eventTime(payload: Payload, fallback: Date): Date {
  const seconds = payload['time'];
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : fallback;
}
