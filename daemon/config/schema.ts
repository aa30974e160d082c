import { hostname } from 'node:os';
import { z } from 'zod';
import { MIN_PROCESS_CONNECTIONS, minimumNodeConnections } from '../cluster/connection-shares.js';

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
    kind: z.enum(['sqlite', 'postgres', 'oracle']).default('sqlite'),
    sqlitePath: z.string().min(1).default('./var/smsproc.db'),
    /** Most enqueue requests that share one commit. */
    groupCommitMaxBatch: z.int().min(1).max(100_000).default(2000),
    /** postgres://user:password@host:port/database; required when kind is postgres. */
    postgresUrl: z.string().min(1).nullable().default(null),
    /** Connections of the node to PostgreSQL: with cluster.workers > 1 split between its processes. */
    postgresPoolSize: z.int().min(1).max(1000).default(10),
    /** Schema holding smsproc's tables; null: the server's search_path (usually public). */
    postgresSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).nullable().default(null),
    /** Oracle (kind 'oracle', Thin mode): Easy Connect string or TNS alias, the user, its password (from the environment). */
    oracleConnectString: z.string().min(1).nullable().default(null),
    oracleUser: z.string().min(1).nullable().default(null),
    oraclePassword: z.string().min(1).nullable().default(null),
    /** The schema owner when the daemon connects as another user (docs/oracle.md); null: the user's own schema. */
    oracleSchema: z.string().regex(/^[A-Za-z][A-Za-z0-9_$#]{0,127}$/).nullable().default(null),
    /** Connections of the node to Oracle: with cluster.workers > 1 split between its processes. */
    oraclePoolMax: z.int().min(1).max(1000).default(8),
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
  smppServer: z.strictObject({
    /** SMPP access for clients (docs/smpp-server.md); off by default. */
    enabled: z.boolean().default(false),
    host: z.string().min(1).default('127.0.0.1'),
    /** 2776: next to SMPP's usual 2775, which the built-in SMSC simulator uses. */
    port: z.int().min(0).max(65535).default(2776),
    /** PEM files; with both set the listener speaks SMPP over TLS only. */
    tlsCertFile: z.string().min(1).nullable().default(null),
    tlsKeyFile: z.string().min(1).nullable().default(null),
    /** The system_id we answer binds with. */
    systemId: z.string().min(1).max(15).default('smsproc'),
    /** deliver_sm (receipts, MO) outstanding per client bind. */
    windowSize: z.int().min(1).max(1000).default(10),
    /** submit_sm a bind may have awaiting their commit; more are answered ESME_RTHROTTLED. */
    maxPendingRequests: z.int().min(1).max(10_000).default(1000),
    /** The parts of a long message must all arrive within this long. */
    partTimeoutMs: z.int().min(1000).default(60_000),
    enquireLinkIntervalMs: z.int().min(1000).default(30_000),
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
  /** Delivery to the SMSCs (docs/dispatch.md); the SMPP binds themselves are per route, in provisioning. */
  dispatch: z.strictObject({
    /** Lease of claimed messages, renewed every third; after a crash its messages are in doubt this long after the last renewal. */
    leaseMs: z.int().min(1_000).default(30_000),
    /** Poll interval of an empty route, and how often a busy bind claims to find clients whose traffic is new. */
    claimIdleMs: z.int().min(10).max(10_000).default(200),
    /** How long submit results wait to share one store call. */
    ackBatchMs: z.int().min(0).max(1_000).default(2),
    /** How often each route's IN_DOUBT messages go through its in-doubt policy. */
    inDoubtIntervalMs: z.int().min(100).default(5_000),
    /** How often delivery looks for route and client changes. */
    provisioningCheckMs: z.int().min(100).max(60_000).default(1_000),
  }).prefault({}),
  /** Receipts and MO from the SMSCs (docs/dispatch.md, docs/mo.md). */
  inbound: z.strictObject({
    /** How long a receipt that matches no submit yet waits for its submit_sm_resp. */
    receiptHoldMs: z.int().min(1_000).default(600_000),
    /** How long a concatenated MO waits for its parts before it is forwarded partial. */
    reassemblyTimeoutMs: z.int().min(1_000).default(600_000),
    reassemblyMaxOpenSets: z.int().min(1).default(10_000),
    reassemblyTickMs: z.int().min(10).default(1_000),
    /** Redelivery of the same MO by the SMSC within this window is recognised and not forwarded twice. */
    dedupWindowMs: z.int().min(0).default(120_000),
    /** Deduplicate MO that carry no SMSC identity on their content (docs/mo.md). */
    dedupWithoutIdentity: z.boolean().default(true),
    /** The client that gets MO no short code or keyword routes; null records them unrouted. */
    defaultMoClientId: z.string().min(1).nullable().default(null),
  }).prefault({}),
  /** Client callbacks (docs/callbacks.md). */
  callbacks: z.strictObject({
    perClientConcurrency: z.int().min(1).default(32),
    globalConcurrency: z.int().min(1).default(256),
    requestTimeoutMs: z.int().min(100).default(10_000),
    /** Lease of a claimed event; must exceed requestTimeoutMs. */
    leaseMs: z.int().min(1_000).default(60_000),
    pollIntervalMs: z.int().min(10).default(500),
    /** How long a stop waits for callbacks in flight. */
    stopTimeoutMs: z.int().min(0).default(11_000),
  })
    .refine((c) => c.globalConcurrency >= c.perClientConcurrency, { message: 'callbacks.globalConcurrency must be at least callbacks.perClientConcurrency' })
    .refine((c) => c.leaseMs > c.requestTimeoutMs, { message: 'callbacks.leaseMs must exceed callbacks.requestTimeoutMs' })
    .prefault({}),
  demo: z.strictObject({
    freeSegments: z.int().min(0).default(100),
    senderName: z.string().min(1).max(11).default('smsproc'),
  }).prefault({}),
  ops: z.strictObject({
    /** The ops HTTP server: /metrics for Prometheus, /health/live and /health/ready. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.int().min(0).max(65535).default(9464),
  }).prefault({}),
  metrics: z.strictObject({
    /** Per-client series (accepted, queued, callback backlog); off by default: clients are many. */
    perClientSeries: z.boolean().default(false),
    /** With per-client series on, at most this many clients get their own series; the rest share "_other". */
    maxClientSeries: z.int().min(1).max(10_000).default(50),
  }).prefault({}),
  web: z.strictObject({
    /** Client statistics (/stats) and the operator dashboard (/admin), served by the client API server on its port. */
    enabled: z.boolean().default(true),
    /** Operator logins for /admin: `login:scrypt$…` entries (docs/web.md says how to make a hash). */
    admins: z.array(z.string().regex(/^[A-Za-z0-9._-]+:scrypt\$/, 'give login:scrypt$… (docs/web.md)')).default([]),
    /** A web session ends this long after its last request. */
    sessionTtlMs: z.int().min(60_000).default(30 * 60 * 1000),
    /** How often live pages (Server-Sent Events) get new figures. */
    liveIntervalMs: z.int().min(200).max(60_000).default(2000),
  }).prefault({}),
  payouts: z.strictObject({
    /** The payout provider's base URL (docs/payouts.md); null: payouts are recorded but not sent. */
    providerUrl: z.url({ protocol: /^https?$/ }).nullable().default(null),
    pollIntervalMs: z.int().min(100).max(60_000).default(1000),
    requestTimeoutMs: z.int().min(100).max(60_000).default(10_000),
    /** Sends without a settling answer before the payout is left to reconciliation. */
    maxSendAttempts: z.int().min(1).max(100).default(5),
    retryBaseMs: z.int().min(10).default(1000),
    retryMaxMs: z.int().min(100).default(300_000),
    /** How long after a pending answer the provider is asked for the payout's status. */
    recheckAfterMs: z.int().min(100).default(30_000),
  }).prefault({}),
  cluster: z.strictObject({
    /** Who owns which bind (docs/cluster.md): 'local' owns every bind (one node); 'etcd' shares them among nodes. */
    coordinator: z.enum(['local', 'etcd']).default('local'),
    /** Every etcd member (`http://host:2379`), with coordinator 'etcd'. */
    etcdEndpoints: z.array(z.url({ protocol: /^https?$/ })).default([]),
    /** Prefix of the cluster's keys in etcd; nodes that share binds share it. */
    etcdKeyPrefix: z.string().min(1).default('smsproc/'),
    /** The node's etcd lease, whole seconds: a killed node's binds move after about this long. */
    leaseTtlMs: z.int().min(1000).multipleOf(1000).default(5000),
    /** How long before its lease could expire a node stops submitting; null: min(1 s, TTL/4). */
    fenceMarginMs: z.int().min(1).nullable().default(null),
    /** Deadline of each etcd call: without quorum a call fails after this long. */
    callTimeoutMs: z.int().min(100).default(2000),
    /** Relative capacity: a node of weight 2 owns about twice the binds; 0 drains the node. */
    weight: z.number().min(0).max(1000).default(1),
    /** How often the node re-plans (also at every membership or ownership change). */
    planIntervalMs: z.int().min(50).max(60_000).default(1000),
    /** Most binds taken from a live owner per planning round (a returning node takes binds back slowly). */
    maxMovesPerRound: z.int().min(1).max(1000).default(2),
    /** A bind without a live owner this long is taken by any node, not only the planned one. */
    orphanGraceMs: z.int().min(0).default(2000),
    /** Dedicated-server pools `name:activeNode/standbyNode`: the active role is owned through the coordinator. */
    pools: z.array(z.string().regex(/^[a-z0-9_-]+:[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/, 'give name:nodeA/nodeB')).default([]),
    /** Dedicated routes `pool:routeId`: the route's binds run only on the pool's active node. */
    poolRoutes: z.array(z.string().regex(/^[a-z0-9_-]+:[A-Za-z0-9._-]+$/, 'give pool:routeId')).default([]),
    /** Processes serving the client API (node:cluster workers) beside the primary; more than 1 needs a shared store. */
    workers: z.int().min(1).max(64).default(1),
  }).refine(
    (cluster) => cluster.poolRoutes.every((entry) => cluster.pools.some((pool) => pool.split(':')[0] === entry.split(':')[0])),
    { message: 'cluster.poolRoutes names a pool that cluster.pools does not define', path: ['poolRoutes'] },
  ).prefault({}),
  limits: z.strictObject({
    /** Redis (`redis://host:6379`) for client rates that hold across the cluster; null: each node limits alone. */
    redisUrl: z.string().regex(/^rediss?:\/\//).nullable().default(null),
  }).prefault({}),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
}).superRefine((config, context) => {
  // The node's connections are split between its processes, each with a floor (daemon/cluster/connection-shares.ts).
  const needed = minimumNodeConnections(config.cluster.workers);
  const pool = config.store.kind === 'postgres' ? ['postgresPoolSize', config.store.postgresPoolSize] as const
    : config.store.kind === 'oracle' ? ['oraclePoolMax', config.store.oraclePoolMax] as const : null;
  if (pool !== null && pool[1] < needed) {
    context.addIssue({
      code: 'custom',
      path: ['store', pool[0]],
      message: `is the node's total, split between the primary and ${config.cluster.workers} workers with ${MIN_PROCESS_CONNECTIONS} each at least: give at least ${needed}`,
    });
  }
});

export type Config = z.infer<typeof configSchema>;
