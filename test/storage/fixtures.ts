import { randomUUID } from 'node:crypto';
import { newMessageId, type BindId, type ClientId, type RouteId } from '../../daemon/domain/ids.js';
import type { RouteRecord } from '../../daemon/domain/provisioning.js';
import type { MessageStatus } from '../../daemon/domain/status.js';
import type { CallbackClaimScope, EnqueueRequest, MoInput, MoPartInput, MtSubmission, ProvisioningChange, ReceiptInput } from '../../daemon/storage/port.js';

/** Records and requests for the storage tests: valid defaults, overridable per test. */

type ClientPut = Extract<ProvisioningChange, { op: 'client.put' }>['client'];

export function clientPut(id: string, overrides: Partial<ClientPut> = {}): ClientPut {
  return {
    id: id as ClientId,
    name: `Client ${id}`,
    login: `login-${id}`,
    passwordHash: null,
    urlToken: `url-${id}`,
    virtualPort: null,
    disabled: false,
    demo: false,
    allowedIps: ['127.0.0.1', '10.0.0.0/8'],
    senders: ['ACME', '4242'],
    reservedTps: 20,
    maxTps: null,
    maxQueued: 100_000,
    dlrUrl: 'https://example.test/dlr',
    moUrl: null,
    callbackFormat: 'post-json',
    callbackSecret: 'secret',
    shortCodes: ['4242'],
    keywords: [{ shortCode: '4242', keyword: 'VOTE' }],
    moReplyAllowed: false,
    smpp: null,
    ...overrides,
  };
}

export function route(id: string, overrides: Partial<RouteRecord> = {}): RouteRecord {
  return {
    id: id as RouteId,
    host: '127.0.0.1',
    port: 2775,
    tls: false,
    systemId: `sys-${id}`,
    password: 'pw',
    systemType: '',
    bindMode: 'transceiver',
    binds: 2,
    windowSize: 10,
    tps: 100,
    defaultDataCoding: 0,
    gsmPacking: 'unpacked',
    concatenation: 'udh8',
    receiptIdFormat: 'auto',
    inDoubtPolicy: 'resend',
    sourceTon: 5,
    sourceNpi: 0,
    destTon: 1,
    destNpi: 1,
    disabled: false,
    ...overrides,
  };
}

export const HOUR_MS = 60 * 60 * 1000;

export function submission(clientId: string, routeId: string, overrides: Partial<MtSubmission> = {}): MtSubmission {
  return {
    id: newMessageId(),
    clientId: clientId as ClientId,
    clientRef: null,
    routeId: routeId as RouteId,
    sender: 'ACME',
    recipient: '79161234567',
    text: 'Your code is 1234',
    encoding: 'gsm7',
    segments: 1,
    priority: 1,
    notBefore: null,
    expiresAt: new Date(Date.now() + HOUR_MS),
    dlrRequested: true,
    kannelDlrMask: null,
    kannelDlrUrl: null,
    source: 'http',
    ...overrides,
  };
}

export function request(clientId: string, messages: readonly MtSubmission[], overrides: Partial<EnqueueRequest> = {}): EnqueueRequest {
  return { clientId: clientId as ClientId, idempotencyKey: null, requestHash: randomUUID(), messages, ...overrides };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const statOf: Readonly<Record<string, string>> = {
  delivered: 'DELIVRD', undeliverable: 'UNDELIV', expired: 'EXPIRED', rejected: 'REJECTD', submitted: 'ENROUTE',
};

/** A receipt on route mts-1 naming the given SMSC id forms, with the stat that goes with `status`. */
export function receipt(smscIdCandidates: readonly string[], status: MessageStatus, overrides: Partial<ReceiptInput> = {}): ReceiptInput {
  const stat = statOf[status] ?? 'UNKNOWN';
  return {
    routeId: 'mts-1' as RouteId,
    bindId: 'route/mts-1/bind/1' as BindId,
    smscIdCandidates,
    status,
    stat,
    errorCode: status === 'delivered' ? '000' : '001',
    doneAt: new Date(),
    raw: `id:${smscIdCandidates[0] ?? ''} sub:001 dlvrd:001 submit date:2611260200 done date:2611260201 stat:${stat} err:000 text:`,
    receiptHoldMs: 60_000,
    ...overrides,
  };
}

/** Part `seq` of a two-part MO to 4242 (reference 7). */
export function moPart(seq: number, overrides: Partial<MoPartInput> = {}): MoPartInput {
  return {
    routeId: 'mts-1' as RouteId,
    source: '79161234567',
    shortCode: '4242',
    reference: 7,
    total: 2,
    seq,
    text: seq === 1 ? 'VOTE fo' : 'r 3',
    dedupKey: `mts-1/79161234567/7/${seq}`,
    receivedAt: new Date(),
    ...overrides,
  };
}

/** A whole MO to 4242, routed to `clientId` (null: unrouted). */
export function mo(clientId: string | null, overrides: Partial<MoInput> = {}): MoInput {
  return {
    routeId: 'mts-1' as RouteId,
    source: '79161234567',
    shortCode: '4242',
    text: 'VOTE for 3',
    clientId: clientId as ClientId | null,
    keyword: 'VOTE',
    args: 'for 3',
    partial: false,
    missingParts: [],
    dedupKey: null,
    dedupUntil: null,
    receivedAt: new Date(),
    consumedPartIds: [],
    ...overrides,
  };
}

/** A claim scope of HTTP events and the SMPP-channel events of the given clients (as if bound here). */
export function everyChannel(...smppClients: readonly string[]): CallbackClaimScope {
  return { http: true, smppClients: smppClients as readonly ClientId[] };
}
