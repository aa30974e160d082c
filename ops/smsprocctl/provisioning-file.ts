import { isScalar, parseDocument, Scalar, visit } from 'yaml';
import { z } from 'zod';
import { isSlug } from '../../daemon/domain/ids.js';
import { compileScenario } from '../../daemon/scenarios/compile.js';
import { BindMode, CallbackFormat, ConcatenationMethod, InDoubtPolicy, ReceiptIdFormat } from '../../daemon/domain/provisioning.js';
import { checkHttpUrl, checkIpOrCidr, checkKeyword, checkPrefix, checkSender, checkShortCode, type Checked } from './validate.js';

/**
 * The declarative provisioning file (docs/provisioning.md): clients, routes and prefixes keyed by
 * their ids. Unknown keys are refused and every problem is listed with its path. Values come out in
 * canonical form (upper-cased keywords, RFC 5952 IPv6) so that comparing with the store is exact.
 */

/** Written in place of a secret by `export`; in a file it means "keep the stored value". */
export const MASK = '***';

function canonical(check: (value: string) => Checked) {
  return z.string().transform((value, ctx) => {
    const result = check(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  });
}

/** A list whose items must be distinct after canonical form, e.g. senders. */
function distinctList<T extends z.ZodType<string>>(item: T, what: string) {
  return z.array(item).superRefine((values, ctx) => {
    const seen = new Set<string>();
    values.forEach((value, index) => {
      if (seen.has(value)) ctx.addIssue({ code: 'custom', message: `${what} "${value}" is listed twice`, path: [index] });
      seen.add(value);
    });
  });
}

const slug = z.string().refine(isSlug, { message: 'use a lower-case id of letters, digits and . _ - (at most 64 characters)' });
const httpUrl = canonical(checkHttpUrl);

const keywordSchema = z.strictObject({
  shortCode: canonical(checkShortCode),
  keyword: canonical(checkKeyword),
});

/** SMPP access (docs/smpp-server.md): the password is hashed on apply, as the HTTP password is. */
const smppAccessSchema = z.strictObject({
  systemId: z.string().regex(/^[\x21-\x7e]{1,15}$/, 'use 1 to 15 printable ASCII characters without spaces'),
  /** Plain SMPP password (at most 8 characters, as SMPP 3.4 allows), hashed on apply; kept when it still verifies. */
  password: z.string().min(1).max(8).optional(),
  /** A stored scrypt hash, or MASK to keep the stored one. */
  passwordHash: z.string().min(1).optional(),
  maxBinds: z.int().min(1).max(100).default(2),
  enabled: z.boolean().default(true),
}).refine((smpp) => (smpp.password === undefined) !== (smpp.passwordHash === undefined), {
  message: 'give either password or passwordHash', path: ['password'],
});

export const clientSchema = z.strictObject({
  name: z.string().min(1),
  login: z.string().min(1).max(64),
  /** Plain password, hashed on apply; kept when it still verifies against the stored hash. */
  password: z.string().min(1).optional(),
  /** A stored scrypt hash, MASK to keep the stored one, or null for no password. */
  passwordHash: z.string().min(1).nullable().optional(),
  /** The secret of the unique URL; absent or MASK keeps the stored one (a new client gets a random one). */
  urlToken: z.string().regex(/^(\*\*\*|[A-Za-z0-9_-]{16,128})$/, 'use 16 to 128 URL-safe characters').optional(),
  callbackSecret: z.string().min(16).or(z.literal(MASK)).optional(),
  /** Absent keeps the stored port; a new client gets the next free one. */
  virtualPort: z.int().min(1).max(2_147_483_647).optional(),
  disabled: z.boolean().default(false),
  demo: z.boolean().default(false),
  allowedIps: distinctList(canonical(checkIpOrCidr), 'address').default([]),
  senders: distinctList(canonical(checkSender), 'sender').default([]),
  reservedTps: z.int().min(0).max(100_000).default(0),
  maxTps: z.int().min(1).max(100_000).nullable().default(null),
  maxQueued: z.int().min(1).default(100_000),
  dlrUrl: httpUrl.nullable().default(null),
  moUrl: httpUrl.nullable().default(null),
  callbackFormat: z.enum(Object.values(CallbackFormat) as [CallbackFormat, ...CallbackFormat[]]).default('post-json'),
  moReplyAllowed: z.boolean().default(false),
  shortCodes: distinctList(canonical(checkShortCode), 'short code').default([]),
  keywords: z.array(keywordSchema).default([]),
  smpp: smppAccessSchema.nullable().default(null),
}).superRefine((client, ctx) => {
  if (client.password !== undefined && client.passwordHash !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give either password or passwordHash, not both', path: ['password'] });
  }
  if (client.maxTps !== null && client.maxTps < client.reservedTps) {
    ctx.addIssue({ code: 'custom', message: 'maxTps must not be below reservedTps', path: ['maxTps'] });
  }
  const seen = new Set<string>();
  client.keywords.forEach((entry, index) => {
    const key = `${entry.shortCode} ${entry.keyword}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `keyword ${entry.keyword} on ${entry.shortCode} is listed twice`, path: ['keywords', index] });
    seen.add(key);
  });
});

function enumOf<T extends string>(values: Record<string, T>) {
  return z.enum(Object.values(values) as [T, ...T[]]);
}

export const routeSchema = z.strictObject({
  host: z.string().min(1),
  port: z.int().min(1).max(65535),
  tls: z.boolean().default(false),
  /** SMPP 3.4 limits: system_id 15 characters, system_type 12. */
  systemId: z.string().min(1).max(15),
  /** MASK keeps the stored password. */
  password: z.string().min(1),
  systemType: z.string().max(12).default(''),
  bindMode: enumOf(BindMode).default('transceiver'),
  binds: z.int().min(1).max(64).default(1),
  windowSize: z.int().min(1).max(1000).default(10),
  tps: z.int().min(1).max(100_000).default(50),
  defaultDataCoding: z.int().min(0).max(255).default(0),
  gsmPacking: z.enum(['unpacked', 'packed']).default('unpacked'),
  concatenation: enumOf(ConcatenationMethod).default('udh8'),
  receiptIdFormat: enumOf(ReceiptIdFormat).default('auto'),
  inDoubtPolicy: enumOf(InDoubtPolicy).default('resend'),
  sourceTon: z.int().min(0).max(6).default(5),
  sourceNpi: z.int().min(0).max(18).default(0),
  destTon: z.int().min(0).max(6).default(1),
  destNpi: z.int().min(0).max(18).default(1),
  disabled: z.boolean().default(false),
});

const scenarioBindingSchema = z.strictObject({
  shortCode: canonical(checkShortCode),
  /** Absent or null binds every MO to the short code. */
  keyword: canonical(checkKeyword).nullable().default(null),
  /** Also forward each MO to the client's MO URL. */
  forward: z.boolean().default(false),
});

/** A scenario (docs/scenarios.md): its definition is compiled here so that mistakes are listed before anything is applied. */
export const scenarioSchema = z.strictObject({
  client: slug,
  disabled: z.boolean().default(false),
  bindings: z.array(scenarioBindingSchema).min(1),
  definition: z.unknown(),
}).superRefine((scenario, ctx) => {
  const compiled = compileScenario(scenario.definition);
  if (!compiled.ok) for (const problem of compiled.problems) ctx.addIssue({ code: 'custom', message: problem, path: ['definition'] });
});

export const provisioningFileSchema = z.strictObject({
  clients: z.record(slug, clientSchema).default({}),
  routes: z.record(slug, routeSchema).default({}),
  /** MSISDN prefix → route id. */
  prefixes: z.record(canonical(checkPrefix), slug).default({}),
  scenarios: z.record(slug, scenarioSchema).default({}),
});

export type FileClient = z.output<typeof clientSchema>;
export type FileRoute = z.output<typeof routeSchema>;
export type FileScenario = z.output<typeof scenarioSchema>;
export type ProvisioningFile = z.output<typeof provisioningFileSchema>;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

/** `clients.acme.senders.2: sender "…" is not valid: …` */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): string[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path].map(String).join('.');
    return `${path === '' ? '(top level)' : path}: ${issue.message}`;
  });
}

/** Parses the file's text: YAML errors and schema errors are all reported, each with its place. */
export function parseProvisioningFile(text: string): Parsed<ProvisioningFile> {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) return { ok: false, problems: document.errors.map((error) => error.message) };
  // Map keys are ids and prefixes: take them as written, so that `07:` or `7916:` stay text.
  visit(document, {
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value !== 'string' && pair.key.source !== undefined) {
        pair.key = new Scalar(pair.key.source);
      }
    },
  });
  const result = provisioningFileSchema.safeParse(document.toJS() ?? {});
  return result.success ? { ok: true, value: result.data } : { ok: false, problems: describeIssues(result.error.issues) };
}
