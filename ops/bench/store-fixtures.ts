/**
 * What the store benchmarks (postgres.ts, ack-round-trips.ts) provision and enqueue: a route to no
 * SMSC (nothing binds; the benchmark claims and acks itself), clients with room for any backlog, and
 * one-segment messages asking for receipts.
 */
import { newMessageId, type ClientId, type RouteId } from '../../daemon/domain/ids.js';
import type { RouteRecord } from '../../daemon/domain/provisioning.js';
import type { MtSubmission, ProvisioningChange } from '../../daemon/storage/port.js';

export function benchRoute(id: RouteId, binds: number): RouteRecord {
  return {
    id, host: '127.0.0.1', port: 2775, tls: false, systemId: 'b', password: 'b', systemType: '', bindMode: 'transceiver',
    binds, windowSize: 100, tps: 100_000, defaultDataCoding: 0, gsmPacking: 'unpacked', concatenation: 'udh8',
    receiptIdFormat: 'auto', inDoubtPolicy: 'hold', sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1, disabled: false,
  };
}

type ClientPut = Extract<ProvisioningChange, { op: 'client.put' }>['client'];

/** A client named `id` (login and URL token too); `fields` set its senders, queue, callback URLs, short codes. */
export function benchClient(id: ClientId, fields: Partial<ClientPut> = {}): ClientPut {
  return {
    id, name: id, login: id, passwordHash: null, urlToken: id, virtualPort: null, disabled: false, demo: false,
    allowedIps: [], senders: [], reservedTps: 0, maxTps: null, maxQueued: 10_000_000, dlrUrl: null, moUrl: null,
    callbackFormat: 'post-json', callbackSecret: 'x', shortCodes: [], keywords: [], moReplyAllowed: false, smpp: null,
    ...fields,
  };
}

export function benchMessage(clientId: ClientId, routeId: RouteId, sender: string): MtSubmission {
  return {
    id: newMessageId(), clientId, clientRef: null, routeId, sender, recipient: '79160000000', text: 'Your code is 1234',
    encoding: 'gsm7', segments: 1, priority: 1, notBefore: null, expiresAt: new Date(Date.now() + 3_600_000), dlrRequested: true,
    kannelDlrMask: null, kannelDlrUrl: null, source: 'http',
  };
}
