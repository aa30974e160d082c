import { hostname } from 'node:os';
import { z } from 'zod';

/**
 * The node config: one schema, validated once at start with every error listed, then frozen.
 * Every leaf has a default (nullable settings default to null), so that an empty file is the
 * embedded default and each leaf can be overridden from the environment (docs/config.md).
 * Durations carry their unit in the name.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

export const configSchema = z.strictObject({
  node: z.strictObject({
    /** Unique per node in a cluster; used as the lease owner and in logs. */
    id: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/).default(hostname()),
    site: z.string().min(1).default('default'),
  }).prefault({}),
  store: z.strictObject({
    kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
    sqlitePath: z.string().min(1).default('./var/smsproc.db'),
    /** Most enqueue requests that share one commit. */
    groupCommitMaxBatch: z.int().min(1).max(100_000).default(2000),
    /** postgres://user:password@host:port/database; required when kind is postgres. */
    postgresUrl: z.string().min(1).nullable().default(null),
    /** Connections per process to PostgreSQL. */
    postgresPoolSize: z.int().min(1).max(1000).default(10),
    /** Schema holding smsproc's tables; null: the server's search_path (usually public). */
    postgresSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).nullable().default(null),
  }).refine((store) => store.kind !== 'postgres' || store.postgresUrl !== null, {
    message: 'store.kind postgres needs store.postgresUrl', path: ['postgresUrl'],
  }).prefault({}),
  api: z.strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.int().min(0).max(65535).default(8080),
    /** PEM files; with both set the client API serves HTTPS only. */
    tlsCertFile: z.string().min(1).nullable().default(null),
    tlsKeyFile: z.string().min(1).nullable().default(null),
    /** Peers (addresses or CIDRs) whose X-Forwarded-For or PROXY protocol header names the client. */
    trustedProxies: z.array(z.string().min(1)).default([]),
    /** Accept the PROXY protocol (v1) from trusted proxies. */
    proxyProtocol: z.boolean().default(false),
    maxBatchSize: z.int().min(1).max(100_000).default(1000),
    maxRecipients: z.int().min(1).max(100_000).default(1000),
    bodyLimitBytes: z.int().min(1024).default(10 * 1024 * 1024),
    /** How long a verified password or token is trusted from the in-memory cache. */
    credentialCacheTtlMs: z.int().min(0).default(5 * 60 * 1000),
  }).prefault({}),
  msisdn: z.strictObject({
    /** Country code added to national numbers (e.g. "7"); null accepts international numbers only. */
    defaultCountryCode: z.string().regex(/^[1-9][0-9]{0,2}$/).nullable().default(null),
    /** Trunk prefix of national numbers (e.g. "8" in Russia, "0" in most of Europe). */
    nationalPrefix: z.string().regex(/^[0-9]{1,2}$/).nullable().default(null),
    /** Digits of a national number after the trunk prefix (10 in Russia). */
    nationalNumberLength: z.int().min(4).max(14).nullable().default(null),
  }).prefault({}),
  messages: z.strictObject({
    defaultValidityMinutes: z.int().min(1).default(24 * 60),
    minValidityMinutes: z.int().min(1).default(1),
    maxValidityMinutes: z.int().min(1).default(7 * 24 * 60),
    maxScheduleDays: z.int().min(1).default(30),
    /** Most segments one message may take. */
    maxSegments: z.int().min(1).max(255).default(16),
    /** How long a client message id / Idempotency-Key is remembered. */
    idempotencyRetentionMs: z.int().min(60_000).default(7 * DAY_MS),
  }).prefault({}),
  queue: z.strictObject({
    maxRetries: z.int().min(0).default(5),
    retryDelayMs: z.int().min(0).default(30_000),
    /** How long final messages stay in the ledger and queue tables. */
    retentionMs: z.int().min(60_000).default(7 * DAY_MS),
    sweepIntervalMs: z.int().min(100).default(1000),
  }).prefault({}),
  provisioning: z.strictObject({
    /** How often the node checks the provisioning version (changes apply within this plus a reload). */
    pollIntervalMs: z.int().min(100).max(60_000).default(1000),
  }).prefault({}),
  demo: z.strictObject({
    freeSegments: z.int().min(0).default(100),
    senderName: z.string().min(1).max(11).default('smsproc'),
  }).prefault({}),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
});

export type Config = z.infer<typeof configSchema>;
