import type { ClientId, RouteId } from './ids.js';

/** How a client wants its DLR and MO callbacks delivered. */
export const CallbackFormat = {
  get: 'get',
  postForm: 'post-form',
  postJson: 'post-json',
  postXml: 'post-xml',
} as const;
export type CallbackFormat = (typeof CallbackFormat)[keyof typeof CallbackFormat];

/** A keyword a client registered on a shared short code: MO whose first word is `keyword` goes to it. */
export interface KeywordRegistration {
  readonly shortCode: string;
  /** Stored upper-cased (Unicode rules), matched against the MO's first word upper-cased. */
  readonly keyword: string;
}

/** An API token as stored: only its SHA-256 hash is kept, the token itself is shown once at creation. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly sha256: string;
  readonly createdAt: Date;
  readonly label: string;
}

/**
 * A client's SMPP access (docs/smpp-server.md): it binds to smsproc with this system_id and password,
 * from its allowlisted addresses, with at most maxBinds sessions at once (across the cluster with the
 * etcd coordinator).
 */
export interface SmppAccess {
  /** The bind's system_id: 1 to 15 printable ASCII characters, unique among clients. */
  readonly systemId: string;
  /** The SMPP password as a `scrypt$…` hash (daemon/domain/credentials.ts). */
  readonly passwordHash: string;
  readonly maxBinds: number;
  /** False keeps the settings but refuses binds. */
  readonly enabled: boolean;
}

export interface ClientRecord {
  readonly id: ClientId;
  readonly name: string;
  readonly login: string;
  /** `scrypt$N$r$p$<salt b64>$<hash b64>`, or null when the client authenticates only by token or URL. */
  readonly passwordHash: string | null;
  /** The secret part of the client's unique URL `/c/<urlToken>/…`; rotatable. */
  readonly urlToken: string;
  /** The client's numbered channel: unique, allocated by the store at creation, never reused. */
  readonly virtualPort: number;
  readonly disabled: boolean;
  /** A demo client sends only from the demo sender, within the demo allowance of segments. */
  readonly demo: boolean;
  /** IPv4/IPv6 addresses and CIDRs; an empty list allows no address. */
  readonly allowedIps: readonly string[];
  readonly senders: readonly string[];
  /** Guaranteed throughput in SMPP segments per second (a floor that dispatch keeps). */
  readonly reservedTps: number;
  /** Optional intake ceiling in segments per second; null for none. */
  readonly maxTps: number | null;
  /** Bound on messages waiting in the queue for this client. */
  readonly maxQueued: number;
  readonly dlrUrl: string | null;
  readonly moUrl: string | null;
  readonly callbackFormat: CallbackFormat;
  /** Key of the HMAC-SHA256 signature on callbacks. */
  readonly callbackSecret: string;
  readonly shortCodes: readonly string[];
  readonly keywords: readonly KeywordRegistration[];
  /** Whether a text/plain body in the MO callback's response is sent back to the subscriber. */
  readonly moReplyAllowed: boolean;
  readonly apiTokens: readonly ApiTokenRecord[];
  /** SMPP access; null when the client connects over HTTP only. */
  readonly smpp: SmppAccess | null;
}

export const BindMode = {
  transceiver: 'transceiver',
  transmitterReceiver: 'transmitter+receiver',
} as const;
export type BindMode = (typeof BindMode)[keyof typeof BindMode];

/** How a long message is split for a route; it also fixes how many units fit in a part. */
export const ConcatenationMethod = {
  udh8: 'udh8',
  udh16: 'udh16',
  sar: 'sar',
  payload: 'payload',
} as const;
export type ConcatenationMethod = (typeof ConcatenationMethod)[keyof typeof ConcatenationMethod];

export const ReceiptIdFormat = { hex: 'hex', decimal: 'decimal', auto: 'auto' } as const;
export type ReceiptIdFormat = (typeof ReceiptIdFormat)[keyof typeof ReceiptIdFormat];

/** What happens to a message whose lease expired while its submit may or may not have reached the SMSC. */
export const InDoubtPolicy = { resend: 'resend', hold: 'hold' } as const;
export type InDoubtPolicy = (typeof InDoubtPolicy)[keyof typeof InDoubtPolicy];

export interface RouteRecord {
  readonly id: RouteId;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  readonly bindMode: BindMode;
  readonly binds: number;
  /** Outstanding PDUs per bind. */
  readonly windowSize: number;
  /** Segments per second per bind. */
  readonly tps: number;
  /** data_coding used for the GSM default alphabet (0 = SMSC default, 1 = IA5, 3 = Latin-1 is not GSM). */
  readonly defaultDataCoding: number;
  readonly gsmPacking: 'unpacked' | 'packed';
  readonly concatenation: ConcatenationMethod;
  readonly receiptIdFormat: ReceiptIdFormat;
  readonly inDoubtPolicy: InDoubtPolicy;
  readonly sourceTon: number;
  readonly sourceNpi: number;
  readonly destTon: number;
  readonly destNpi: number;
  readonly disabled: boolean;
}

/** MSISDN prefix → route; the longest matching prefix wins. */
export interface PrefixRecord {
  readonly prefix: string;
  readonly routeId: RouteId;
}

/** An exact number that was ported to another operator: it beats every prefix. */
export interface NumberOverrideRecord {
  readonly msisdn: string;
  readonly routeId: RouteId;
}

/** Everything a node needs to serve traffic, read in one consistent snapshot. */
export interface ProvisioningSnapshot {
  /** Raised by every provisioning change; nodes reload when it moves. */
  readonly version: number;
  readonly clients: readonly ClientRecord[];
  readonly routes: readonly RouteRecord[];
  readonly prefixes: readonly PrefixRecord[];
  /** Number-portability overrides are not in the snapshot: there can be millions; see Store.findNumberOverrides. */
}
