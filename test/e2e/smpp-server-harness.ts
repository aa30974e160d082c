import net from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';
import { hashPassword } from '../../daemon/domain/credentials.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { ClientRecord } from '../../daemon/domain/provisioning.js';
import { FrameParser } from '../../daemon/smpp/frame-parser.js';
import { connectEsme, request } from '../../ops/smsc-sim/esme-client.js';
import type { Node } from './deliver-harness.js';

/**
 * What the SMPP server tests share (not a test): clients with SMPP access added to a deliver-harness
 * node, a bound `smpp`-package session that records the raw octets it receives, and a raw socket
 * for PDUs the package cannot build.
 */
export interface SmppClientSpec {
  readonly id: string;
  readonly password: string;
  readonly maxBinds?: number;
  readonly maxTps?: number | null;
  readonly maxQueued?: number;
  readonly allowedIps?: readonly string[];
  readonly shortCodes?: readonly string[];
  readonly enabled?: boolean;
}

/** A client `id` whose SMPP system_id is its id and whose sender is its id upper-cased; MO without an MO URL goes over SMPP. */
export async function addSmppClient(node: Pick<Node, 'store' | 'provisioning'>, spec: SmppClientSpec): Promise<ClientRecord> {
  const id = spec.id as ClientId;
  await node.store.applyProvisioning([{
    op: 'client.put',
    client: {
      id, name: spec.id, login: spec.id, passwordHash: null, urlToken: `${spec.id}-url-token-0123456789`, virtualPort: null,
      disabled: false, demo: false, allowedIps: spec.allowedIps ?? ['127.0.0.1', '::1'], senders: [spec.id.toUpperCase()],
      reservedTps: 0, maxTps: spec.maxTps ?? null, maxQueued: spec.maxQueued ?? 100_000, dlrUrl: null, moUrl: null,
      callbackFormat: 'post-json', callbackSecret: 'smpp-server-test-secret', shortCodes: spec.shortCodes ?? [], keywords: [],
      moReplyAllowed: false,
      smpp: { systemId: spec.id, passwordHash: await hashPassword(spec.password), maxBinds: spec.maxBinds ?? 2, enabled: spec.enabled ?? true },
    },
  }]);
  await node.provisioning.refresh();
  const client = node.provisioning.clientById(id);
  if (client === undefined) throw new Error(`client ${spec.id} not provisioned`);
  return client;
}

export interface RecordingSession {
  readonly session: Session;
  readonly bindStatus: number;
  /** deliver_sm received (each answered ESME_ROK at once). */
  readonly delivered: PDU[];
  /** Every octet the server sent, as whole PDU frames. */
  readonly frames: Buffer[];
}

/** Connects with the `smpp` package, records what the server sends, binds. */
export async function bindRecording(port: number, systemId: string, password: string, mode: 'transmitter' | 'receiver' | 'transceiver' = 'transceiver'): Promise<RecordingSession> {
  const session = await connectEsme(port);
  session.on('error', () => undefined);
  const frames: Buffer[] = [];
  const parser = new FrameParser();
  session.socket.on('data', (chunk: Buffer) => frames.push(...parser.push(chunk).frames));
  const delivered: PDU[] = [];
  session.on('deliver_sm', (pdu: PDU) => {
    session.send(pdu.response());
    delivered.push(pdu);
  });
  const response = await request(session, `bind_${mode}`, { system_id: systemId, password });
  return { session, bindStatus: response.command_status, delivered, frames };
}

/** A submit_sm through the `smpp` package; resolves with its response. */
export function submitSm(session: Session, fields: Record<string, unknown>): Promise<PDU> {
  return request(session, 'submit_sm', { source_addr_ton: 5, source_addr: 'SMPPCO', dest_addr_ton: 1, dest_addr_npi: 1, ...fields });
}

/** The text of a deliver_sm as the `smpp` package decoded it. */
export function shortMessageText(pdu: PDU): string {
  const value = pdu.short_message as { message?: unknown } | string | Buffer | undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  return typeof value?.message === 'string' ? value.message : '';
}

/** A raw TCP connection: write octets, read PDUs decoded by the `smpp` package. */
export interface RawConnection {
  write(bytes: Buffer): void;
  next(): Promise<PDU>;
  close(): void;
}

export async function rawConnection(port: number): Promise<RawConnection> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const parser = new FrameParser();
  const received: PDU[] = [];
  const waiters: ((pdu: PDU) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const frame of parser.push(chunk).frames) {
      const pdu = smpp.PDU.fromBuffer(frame);
      if (pdu === false) continue;
      const waiter = waiters.shift();
      if (waiter === undefined) received.push(pdu);
      else waiter(pdu);
    }
  });
  return {
    write: (bytes) => socket.write(bytes),
    next: () => {
      const first = received.shift();
      if (first !== undefined) return Promise.resolve(first);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no PDU within 3 s')), 3000);
        waiters.push((pdu) => {
          clearTimeout(timer);
          resolve(pdu);
        });
      });
    },
    close: () => socket.destroy(),
  };
}
