/**
 * The one error registry. Every error a client or operator can see is defined here once: a stable
 * number that is never reused, a symbolic name, the HTTP status, the SMPP command_status where the
 * error can reach an SMPP peer, and a message template that says what to fix. docs/errors.md lists
 * the same table; test/unit/errors.test.ts keeps the two in step.
 *
 * Ranges: 1000 authentication and access, 1100 message content, 1200 quotas and limits,
 * 1300 idempotency, 1400 lookups, 1500 server state, 1600 provisioning and configuration.
 */
export interface ErrorDefinition {
  readonly code: number;
  readonly name: string;
  readonly httpStatus: number;
  /** SMPP 3.4 command_status for the same condition (section 5.1.3), or null where none applies. */
  readonly smppStatus: number | null;
  /** `{name}` placeholders are filled from the params given when the error is raised. */
  readonly message: string;
}

function define<N extends string>(
  code: number,
  name: N,
  httpStatus: number,
  smppStatus: number | null,
  message: string,
): ErrorDefinition & { readonly name: N } {
  return { code, name, httpStatus, smppStatus, message };
}

const ESME_RINVMSGLEN = 0x01;
const ESME_RSYSERR = 0x08;
const ESME_RINVSRCADR = 0x0a;
const ESME_RINVDSTADR = 0x0b;
const ESME_RBINDFAIL = 0x0d;
const ESME_RINVPASWD = 0x0e;
const ESME_RMSGQFUL = 0x14;
const ESME_RSUBMITFAIL = 0x45;
const ESME_RTHROTTLED = 0x58;
const ESME_RINVSCHED = 0x61;
const ESME_RINVEXPIRY = 0x62;
const ESME_RINVNUMDESTS = 0x33;
const ESME_RINVESMCLASS = 0x43;

export const Errors = {
  AUTH_REQUIRED: define(1001, 'AUTH_REQUIRED', 401, ESME_RBINDFAIL,
    'No credentials: send username and password, an API token (Authorization: Bearer), or use your unique URL'),
  AUTH_FAILED: define(1002, 'AUTH_FAILED', 401, ESME_RINVPASWD,
    'Login, password or API token not recognised'),
  IP_NOT_ALLOWED: define(1003, 'IP_NOT_ALLOWED', 403, ESME_RBINDFAIL,
    'Requests from {ip} are not allowed for this account; ask your account manager to add the address to its allowlist'),
  CLIENT_DISABLED: define(1004, 'CLIENT_DISABLED', 403, ESME_RBINDFAIL,
    'This account is disabled; contact your account manager'),
  UNKNOWN_URL: define(1005, 'UNKNOWN_URL', 404, null,
    'No account has this URL; check the URL you were given, or it may have been rotated'),
  SESSION_REQUIRED: define(1010, 'SESSION_REQUIRED', 401, null,
    'Not logged in, or the session ended; log in again'),
  CSRF_REJECTED: define(1011, 'CSRF_REJECTED', 403, null,
    'The form is stale or did not come from this site (CSRF token missing or wrong); reload the page and try again'),
  LOGIN_THROTTLED: define(1012, 'LOGIN_THROTTLED', 429, null,
    'Too many failed logins from {ip}; retry after {retryAfterS} s'),

  SENDER_MISSING: define(1101, 'SENDER_MISSING', 400, ESME_RINVSRCADR,
    'No sender given: set "from" to one of your registered sender names'),
  SENDER_NOT_REGISTERED: define(1102, 'SENDER_NOT_REGISTERED', 400, ESME_RINVSRCADR,
    'Sender "{sender}" is not registered for this account; use one of: {registered}'),
  SENDER_INVALID: define(1103, 'SENDER_INVALID', 400, ESME_RINVSRCADR,
    'Sender "{sender}" is not valid: use up to 11 letters, digits, spaces or .-_&, or a number of up to 15 digits'),
  DEMO_SENDER_FIXED: define(1104, 'DEMO_SENDER_FIXED', 400, ESME_RINVSRCADR,
    'Demo accounts send from "{demoSender}" only; leave "from" empty or set it to that name'),
  RECIPIENT_MISSING: define(1110, 'RECIPIENT_MISSING', 400, ESME_RINVDSTADR,
    'No recipient given: set "to" to a phone number in international format, e.g. 79161234567'),
  RECIPIENT_INVALID: define(1111, 'RECIPIENT_INVALID', 400, ESME_RINVDSTADR,
    'Recipient "{recipient}" is not a valid phone number: use international format (country code and number, 8 to 15 digits)'),
  TOO_MANY_RECIPIENTS: define(1112, 'TOO_MANY_RECIPIENTS', 400, ESME_RINVNUMDESTS,
    'A request may name at most {max} recipients; split it into several requests'),
  NO_ROUTE: define(1113, 'NO_ROUTE', 422, ESME_RINVDSTADR,
    'No operator route serves {recipient}; ask your account manager whether this destination is enabled'),
  TEXT_MISSING: define(1120, 'TEXT_MISSING', 400, ESME_RINVMSGLEN,
    'No text given: set "text" to the message body'),
  TEXT_TOO_LONG: define(1121, 'TEXT_TOO_LONG', 400, ESME_RINVMSGLEN,
    'The text needs {segments} SMS segments; at most {max} are allowed per message'),
  TEXT_NOT_ENCODABLE: define(1122, 'TEXT_NOT_ENCODABLE', 400, ESME_RINVMSGLEN,
    'The text cannot be sent in the requested coding {coding}: character "{character}" is not in its alphabet; omit the coding to choose it automatically'),
  CODING_INVALID: define(1123, 'CODING_INVALID', 400, ESME_RSUBMITFAIL,
    'Coding "{coding}" is not supported: use gsm7, ucs2 or leave it empty for automatic choice'),
  VALIDITY_INVALID: define(1130, 'VALIDITY_INVALID', 400, ESME_RINVEXPIRY,
    'Validity "{validity}" is not valid: give minutes from {min} to {max}'),
  SCHEDULE_INVALID: define(1131, 'SCHEDULE_INVALID', 400, ESME_RINVSCHED,
    'Scheduled time "{schedule}" is not valid: give an ISO 8601 time with its offset, no more than {maxDays} days ahead'),
  PRIORITY_INVALID: define(1132, 'PRIORITY_INVALID', 400, ESME_RSUBMITFAIL,
    'Priority "{priority}" is not valid: give normal, or high for urgent messages such as one-time codes'),
  DLR_URL_INVALID: define(1133, 'DLR_URL_INVALID', 400, ESME_RSUBMITFAIL,
    'Receipt URL "{url}" is not valid: give an absolute http:// or https:// URL'),
  DLR_MASK_INVALID: define(1134, 'DLR_MASK_INVALID', 400, ESME_RINVESMCLASS,
    'dlr-mask "{mask}" is not valid: give a number from 0 to 31'),
  CLIENT_REF_INVALID: define(1140, 'CLIENT_REF_INVALID', 400, ESME_RSUBMITFAIL,
    'Your message id "{ref}" is not valid: use 1 to 64 printable ASCII characters'),
  BATCH_TOO_LARGE: define(1150, 'BATCH_TOO_LARGE', 413, null,
    'A batch may hold at most {max} messages; split it into several requests'),
  BODY_MALFORMED: define(1151, 'BODY_MALFORMED', 400, null,
    'The request body could not be read: {detail}'),
  XML_MALFORMED: define(1152, 'XML_MALFORMED', 400, null,
    'The XML request is not valid against docs/api/sms.xsd: {detail}'),
  XML_DTD_FORBIDDEN: define(1153, 'XML_DTD_FORBIDDEN', 400, null,
    'XML requests must not contain a DOCTYPE or entity declarations; remove the <!DOCTYPE ...> part'),
  PARAMETER_INVALID: define(1154, 'PARAMETER_INVALID', 400, ESME_RSUBMITFAIL,
    'Parameter "{parameter}" is not valid: {detail}'),
  BATCH_EMPTY: define(1155, 'BATCH_EMPTY', 400, null,
    'The batch holds no messages; send at least one'),
  BODY_TOO_LARGE: define(1156, 'BODY_TOO_LARGE', 413, null,
    'The request body is larger than {maxBytes} bytes; split it into several requests'),
  CONTENT_TYPE_UNSUPPORTED: define(1157, 'CONTENT_TYPE_UNSUPPORTED', 415, null,
    'Content-Type "{contentType}" is not supported: use application/json, application/x-www-form-urlencoded or application/xml'),

  DEMO_QUOTA_EXHAUSTED: define(1201, 'DEMO_QUOTA_EXHAUSTED', 402, ESME_RSUBMITFAIL,
    'The demo allowance of {quota} SMS segments is used up ({remaining} left, {segments} needed); ask your account manager for a full account'),
  RATE_LIMITED: define(1202, 'RATE_LIMITED', 429, ESME_RTHROTTLED,
    'Above this account\'s maximum rate of {rate} segments per second; retry after {retryAfterS} s'),
  QUEUE_FULL: define(1203, 'QUEUE_FULL', 429, ESME_RMSGQFUL,
    'This account already has {queued} messages waiting (maximum {max}); retry after {retryAfterS} s'),

  IDEMPOTENCY_CONFLICT: define(1301, 'IDEMPOTENCY_CONFLICT', 409, ESME_RSUBMITFAIL,
    'Message id / Idempotency-Key "{key}" was already used for a different request; use a new key for a new message'),

  MESSAGE_NOT_FOUND: define(1401, 'MESSAGE_NOT_FOUND', 404, null,
    'No message with id "{id}" for this account'),

  STORE_UNAVAILABLE: define(1501, 'STORE_UNAVAILABLE', 503, ESME_RSYSERR,
    'The message store cannot commit right now; nothing was accepted, retry after {retryAfterS} s'),
  INTERNAL: define(1502, 'INTERNAL', 500, ESME_RSYSERR,
    'Internal error; nothing was accepted. Quote request id {requestId} to support'),
  SHUTTING_DOWN: define(1503, 'SHUTTING_DOWN', 503, ESME_RSYSERR,
    'This node is shutting down; nothing was accepted, retry (another node will answer)'),

  CONFIG_INVALID: define(1601, 'CONFIG_INVALID', 500, null,
    'Configuration is not valid: {detail}'),
  PROVISIONING_INVALID: define(1602, 'PROVISIONING_INVALID', 400, null,
    'Provisioning is not valid: {detail}'),
  NOT_FOUND: define(1603, 'NOT_FOUND', 404, null,
    '{kind} "{id}" does not exist'),
} as const;

export type ErrorName = keyof typeof Errors;
export type ErrorParams = Readonly<Record<string, string | number>>;

export function formatErrorMessage(definition: ErrorDefinition, params: ErrorParams): string {
  return definition.message.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = params[key];
    return value === undefined ? whole : String(value);
  });
}

/** An error with a registry entry; everything a client sees is built from it. */
export class SmsprocError extends Error {
  readonly definition: ErrorDefinition;
  readonly params: ErrorParams;
  /** Seconds a client should wait before retrying, for 429 and 503 answers. */
  readonly retryAfterS: number | undefined;

  constructor(definition: ErrorDefinition, params: ErrorParams = {}, options: { retryAfterS?: number; cause?: unknown } = {}) {
    super(formatErrorMessage(definition, params), { cause: options.cause });
    this.name = `SmsprocError(${definition.name})`;
    this.definition = definition;
    this.params = params;
    this.retryAfterS = options.retryAfterS;
  }

  get code(): number {
    return this.definition.code;
  }
}
