import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { ClientRecord } from '../domain/provisioning.js';
import { normalizeMsisdn } from '../routing/msisdn.js';
import type { SubmitParams } from './submit-params.js';

/**
 * Checks what a submit means (pure; `nowMs` is the acceptance time): sender, recipients, text,
 * coding, validity, schedule, priority and client reference. Routing and segment counting need
 * provisioning and come after, in acceptance.ts.
 */
export type RequestedCoding = 'auto' | 'gsm7' | 'ucs2';

export interface SubmissionDraft {
  readonly sender: string;
  /** E.164 digits, in the order given. */
  readonly recipients: readonly string[];
  readonly text: string;
  readonly coding: RequestedCoding;
  readonly dlrRequested: boolean;
  /** AQ priority: 0 high (one-time codes), 1 normal. */
  readonly priority: number;
  readonly notBefore: Date | null;
  readonly expiresAt: Date;
  readonly clientRef: string | null;
  /** SHA-256 of the meaningful content: a repeated key with another hash is a conflict. */
  readonly requestHash: string;
}

export interface SubmissionRules {
  readonly msisdn: Config['msisdn'];
  readonly messages: Config['messages'];
  readonly demoSender: string;
  readonly maxRecipients: number;
}

export function rulesOf(config: Config): SubmissionRules {
  return { msisdn: config.msisdn, messages: config.messages, demoSender: config.demo.senderName, maxRecipients: config.api.maxRecipients };
}

const alphanumericSender = /^(?=.*[A-Za-z])[A-Za-z0-9 .\-_&]{1,11}$/;
const numericSender = /^\+?[0-9]{1,15}$/;
const printableAscii = /^[\x20-\x7e]{1,64}$/;
/** ISO 8601 date-time with an explicit offset (or Z): a time without one is ambiguous. */
const isoWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Client references and Idempotency-Keys: 1 to 64 printable ASCII characters. */
export function checkClientRef(ref: string): string {
  if (!printableAscii.test(ref)) throw new SmsprocError(Errors.CLIENT_REF_INVALID, { ref });
  return ref;
}

function checkSender(from: string | undefined, client: ClientRecord, rules: SubmissionRules): string {
  const sender = from?.trim() ?? '';
  if (client.demo) {
    if (sender !== '' && sender !== rules.demoSender) {
      throw new SmsprocError(Errors.DEMO_SENDER_FIXED, { demoSender: rules.demoSender });
    }
    return rules.demoSender;
  }
  if (sender === '') throw new SmsprocError(Errors.SENDER_MISSING);
  if (!alphanumericSender.test(sender) && !numericSender.test(sender)) throw new SmsprocError(Errors.SENDER_INVALID, { sender });
  if (!client.senders.includes(sender)) {
    throw new SmsprocError(Errors.SENDER_NOT_REGISTERED, { sender, registered: client.senders.join(', ') || '(none yet)' });
  }
  return sender;
}

function checkRecipients(to: readonly string[], rules: SubmissionRules): string[] {
  if (to.length === 0) throw new SmsprocError(Errors.RECIPIENT_MISSING);
  if (to.length > rules.maxRecipients) throw new SmsprocError(Errors.TOO_MANY_RECIPIENTS, { max: rules.maxRecipients });
  return to.map((recipient) => {
    const msisdn = normalizeMsisdn(recipient, rules.msisdn);
    if (msisdn === null) throw new SmsprocError(Errors.RECIPIENT_INVALID, { recipient });
    return msisdn;
  });
}

function checkCoding(coding: string | undefined): RequestedCoding {
  const value = coding?.toLowerCase() ?? 'auto';
  if (value === 'auto' || value === 'gsm7' || value === 'ucs2') return value;
  throw new SmsprocError(Errors.CODING_INVALID, { coding: coding ?? '' });
}

function checkValidity(validity: string | undefined, rules: SubmissionRules): number {
  const { minValidityMinutes: min, maxValidityMinutes: max, defaultValidityMinutes } = rules.messages;
  if (validity === undefined) return defaultValidityMinutes;
  const minutes = /^[0-9]{1,9}$/.test(validity.trim()) ? Number(validity.trim()) : NaN;
  if (!(minutes >= min && minutes <= max)) throw new SmsprocError(Errors.VALIDITY_INVALID, { validity, min, max });
  return minutes;
}

/** A time in the past sends at once; more than maxScheduleDays ahead is refused. */
function checkSchedule(schedule: string | undefined, rules: SubmissionRules, nowMs: number): Date | null {
  if (schedule === undefined) return null;
  const maxDays = rules.messages.maxScheduleDays;
  const atMs = isoWithOffset.test(schedule.trim()) ? Date.parse(schedule.trim()) : NaN;
  if (Number.isNaN(atMs) || atMs > nowMs + maxDays * DAY_MS) throw new SmsprocError(Errors.SCHEDULE_INVALID, { schedule, maxDays });
  return atMs > nowMs ? new Date(atMs) : null;
}

function checkPriority(priority: string | undefined): number {
  const value = priority?.toLowerCase() ?? 'normal';
  if (value === 'normal') return 1;
  if (value === 'high') return 0;
  throw new SmsprocError(Errors.PRIORITY_INVALID, { priority: priority ?? '' });
}

export function validateSubmission(params: SubmitParams, client: ClientRecord, rules: SubmissionRules, nowMs: number): SubmissionDraft {
  const sender = checkSender(params.from, client, rules);
  const recipients = checkRecipients(params.to, rules);
  if (params.text === undefined || params.text === '') throw new SmsprocError(Errors.TEXT_MISSING);
  const text = params.text;
  const coding = checkCoding(params.coding);
  const validityMinutes = checkValidity(params.validity, rules);
  const notBefore = checkSchedule(params.schedule, rules, nowMs);
  const priority = checkPriority(params.priority);
  const clientRef = params.clientRef === undefined ? null : checkClientRef(params.clientRef);
  const expiresAt = new Date((notBefore?.getTime() ?? nowMs) + validityMinutes * MINUTE_MS);
  // The schedule enters the hash as written, so a retry of the same request hashes the same.
  const requestHash = createHash('sha256')
    .update(JSON.stringify([sender, recipients, text, coding, params.dlr, validityMinutes, params.schedule ?? null, priority]))
    .digest('hex');
  return { sender, recipients, text, coding, dlrRequested: params.dlr, priority, notBefore, expiresAt, clientRef, requestHash };
}
