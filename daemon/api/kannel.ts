import { Errors, SmsprocError, type ErrorDefinition } from '../domain/errors.js';
import type { SubmitParams } from './submit-params.js';

/**
 * Kannel's `/cgi-bin/sendsms` for clients migrating from Kannel: its parameter names, and its reply
 * texts and statuses as gw/smsbox.c words them. Kannel's default for `text` is UTF-8, or UTF-16BE
 * when coding=2; `charset` names another.
 */
export const KannelReply = {
  accepted: '0: Accepted for delivery',
  queued: '3: Queued for later delivery',
  authFailed: 'Authorization failed for sendsms',
  missingReceiver: 'Missing receiver number, rejected',
  emptyReceiver: 'Empty receiver number not allowed, rejected',
  senderMissing: 'Sender missing and no global set, rejected',
  dlrUrl: 'DLR-URL field misformed, rejected',
  dlrMask: 'DLR-Mask field misformed, rejected',
  coding: 'Coding field misformed, rejected',
  validity: 'Validity field misformed, rejected',
  deferred: 'Deferred field misformed, rejected',
  priority: 'Priority field misformed, rejected',
  charset: 'Charset or body misformed, rejected',
  notRoutable: 'Not routable. Do not try again.',
  temporary: 'Temporal failure, try again later.',
  failed: 'Sending failed.',
} as const;

/** A refusal worded as Kannel would, with its HTTP status. */
export class KannelRefusal extends Error {
  constructor(readonly status: number, readonly body: string, readonly retryAfterS?: number) {
    super(body);
    this.name = 'KannelRefusal';
  }
}

/** Query-string or form pairs with values kept as octets, so `text` can be decoded in its charset. */
export function rawPairs(encoded: string): Map<string, Buffer> {
  const pairs = new Map<string, Buffer>();
  for (const part of encoded.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decodeOctets(equals === -1 ? part : part.slice(0, equals)).toString('utf8');
    pairs.set(name, decodeOctets(equals === -1 ? '' : part.slice(equals + 1)));
  }
  return pairs;
}

function decodeOctets(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const hex = text.slice(i + 1, i + 3);
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch === '+') {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

export interface KannelRequest {
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly submit: SubmitParams;
  readonly dlrMask: number | null;
  readonly dlrUrl: string | null;
  readonly deferred: boolean;
}

function integer(value: string | undefined, min: number, max: number, reply: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = /^-?[0-9]{1,9}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(number >= min && number <= max)) throw new KannelRefusal(400, reply);
  return number;
}

/** Reads and checks the Kannel parameters; `nowMs` turns `deferred` minutes into a schedule. */
export function parseKannelRequest(pairs: ReadonlyMap<string, Buffer>, maxDeferredMinutes: number, nowMs: number): KannelRequest {
  const get = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = pairs.get(name);
      if (value !== undefined) return value.toString('utf8');
    }
    return undefined;
  };
  const to = get('to');
  if (to === undefined) throw new KannelRefusal(400, KannelReply.missingReceiver);
  const recipients = to.split(/\s+/).filter((part) => part !== '');
  if (recipients.length === 0) throw new KannelRefusal(400, KannelReply.emptyReceiver);

  if (get('udh') !== undefined) {
    throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'udh', detail: 'smsproc sends text messages only and builds concatenation headers itself' });
  }
  const dlrUrl = get('dlr-url', 'dlrurl') ?? '';
  if (dlrUrl !== '' && !/^https?:\/\/./i.test(dlrUrl)) throw new KannelRefusal(400, KannelReply.dlrUrl);
  const dlrMask = integer(get('dlr-mask', 'dlrmask'), 0, 31, KannelReply.dlrMask) ?? null;
  const coding = integer(get('coding'), 0, 2, KannelReply.coding);
  const validity = integer(get('validity'), 0, 999_999_999, KannelReply.validity);
  const deferred = integer(get('deferred'), 0, maxDeferredMinutes, KannelReply.deferred);
  const priority = integer(get('priority'), 0, 3, KannelReply.priority);

  const charset = get('charset') ?? (coding === 2 ? 'UTF-16BE' : 'UTF-8');
  let text: string | undefined;
  const textOctets = pairs.get('text');
  if (textOctets !== undefined) {
    try {
      text = new TextDecoder(charset, { fatal: true }).decode(textOctets);
    } catch {
      throw new KannelRefusal(400, KannelReply.charset);
    }
  }

  return {
    username: get('username', 'user'),
    password: get('password', 'pass'),
    submit: {
      from: get('from'),
      to: recipients,
      text,
      dlr: dlrMask !== null && dlrMask > 0,
      validity: validity === undefined || validity === 0 ? undefined : String(validity),
      schedule: deferred === undefined || deferred === 0 ? undefined : new Date(nowMs + deferred * 60_000).toISOString(),
      priority: priority === undefined || priority === 0 ? 'normal' : 'high',
      clientRef: undefined,
      // Kannel's 1 is 8-bit binary data, which smsproc does not send.
      coding: coding === undefined ? undefined : coding === 0 ? 'gsm7' : coding === 2 ? 'ucs2' : '8bit',
    },
    dlrMask,
    dlrUrl: dlrUrl === '' ? null : dlrUrl,
    deferred: deferred !== undefined && deferred > 0,
  };
}

const kannelWords = new Map<ErrorDefinition, string>([
  [Errors.SENDER_MISSING, KannelReply.senderMissing],
  [Errors.RECIPIENT_MISSING, KannelReply.missingReceiver],
  [Errors.VALIDITY_INVALID, KannelReply.validity],
  [Errors.SCHEDULE_INVALID, KannelReply.deferred],
  [Errors.PRIORITY_INVALID, KannelReply.priority],
]);

/** A registry error as Kannel would answer it; conditions Kannel has no words for keep our message. */
export function kannelRefusalOf(error: SmsprocError): KannelRefusal {
  const { definition } = error;
  if (definition.code >= 1001 && definition.code <= 1005) return new KannelRefusal(403, KannelReply.authFailed);
  if (definition === Errors.NO_ROUTE) return new KannelRefusal(403, KannelReply.notRoutable);
  if (definition.httpStatus === 429 || definition.httpStatus === 503) return new KannelRefusal(503, KannelReply.temporary, error.retryAfterS ?? 1);
  if (definition.httpStatus >= 500) return new KannelRefusal(500, KannelReply.failed);
  return new KannelRefusal(400, kannelWords.get(definition) ?? error.message);
}
