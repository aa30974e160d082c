import { randomUUID } from 'node:crypto';
import { newMessageId, type ClientId, type RouteId } from '../../daemon/domain/ids.js';
import type { RouteRecord } from '../../daemon/domain/provisioning.js';
import type { EnqueueRequest, MtSubmission, ProvisioningChange } from '../../daemon/storage/port.js';

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
