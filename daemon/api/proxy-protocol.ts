import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { parseAddress, type AddressMatcher } from './address-list.js';

/**
 * PROXY protocol v1 (HAProxy): a load balancer that keeps TCP intact sends one line
 * `PROXY TCP4|TCP6 <src> <dst> <srcport> <dstport>\r\n` before the client's bytes. The line is read
 * and stripped before the HTTP (or TLS) parser sees the connection, and only from trusted peers: from
 * anyone else the bytes go to the HTTP parser untouched, which refuses them.
 */
const MAX_LINE_BYTES = 107;
/** A trusted peer that connects and says nothing is dropped after this (the HTTP timeouts start only after the line). */
const LINE_TIMEOUT_MS = 10_000;
const SIGNATURE = Buffer.from('PROXY ');

export type ProxyLine = { readonly kind: 'proxied'; readonly source: string } | { readonly kind: 'unknown' };

/** Parses the line without its CRLF; null when it is not a valid v1 header. */
export function parseProxyLine(line: string): ProxyLine | null {
  const parts = line.split(' ');
  if (parts[0] !== 'PROXY') return null;
  if (parts[1] === 'UNKNOWN') return { kind: 'unknown' };
  if (parts.length !== 6 || (parts[1] !== 'TCP4' && parts[1] !== 'TCP6')) return null;
  const source = parseAddress(parts[2]!);
  const destination = parseAddress(parts[3]!);
  const ports = [parts[4]!, parts[5]!].map(Number);
  if (source === null || destination === null || ports.some((port) => !Number.isInteger(port) || port < 0 || port > 65535)) return null;
  if ((parts[1] === 'TCP4') !== (source.kind() === 'ipv4')) return null;
  return { kind: 'proxied', source: source.toString() };
}

/** Client addresses learnt from PROXY lines, by the raw socket they came on. */
const proxiedAddresses = new WeakMap<object, string>();

/** The peer that talks to us: from the PROXY line when there was one, else the TCP peer (TLS sockets: their raw socket's). */
export function peerAddressOf(socket: Socket): string | undefined {
  const parent = (socket as Socket & { _parent?: object | null })._parent ?? undefined;
  return proxiedAddresses.get(socket) ?? (parent === undefined ? undefined : proxiedAddresses.get(parent)) ?? socket.remoteAddress;
}

/**
 * Puts PROXY-line handling in front of the server's own connection handling (HTTP or TLS): the
 * server's 'connection' listeners receive the socket only after the line was stripped.
 */
export function acceptProxyProtocol(server: Server, trusted: AddressMatcher, logger: Logger, options: { tls: boolean }): void {
  const original = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const handOver = (socket: Socket): void => {
    for (const listener of original) listener.call(server, socket);
  };

  server.on('connection', (socket: Socket) => {
    if (!trusted(socket.remoteAddress ?? '')) {
      handOver(socket);
      return;
    }
    let pending = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      pending = Buffer.concat([pending, chunk]);
      const prefix = pending.subarray(0, SIGNATURE.length);
      if (!prefix.equals(SIGNATURE.subarray(0, prefix.length))) {
        // A trusted proxy that did not send the header (a health check, say): plain HTTP.
        finish(pending);
        return;
      }
      const end = pending.indexOf('\r\n');
      if (end === -1) {
        if (pending.length > MAX_LINE_BYTES) refuse('PROXY line too long');
        return;
      }
      const header = parseProxyLine(pending.subarray(0, end).toString('latin1'));
      if (header === null) {
        refuse('PROXY line not valid');
        return;
      }
      if (header.kind === 'proxied') proxiedAddresses.set(socket, header.source);
      finish(pending.subarray(end + 2));
    };
    // Until the HTTP server owns the socket, its errors (a reset) are ours to swallow.
    const onError = (): void => {
      socket.destroy();
    };
    const timer = setTimeout(() => refuse('no PROXY line in time'), LINE_TIMEOUT_MS);
    timer.unref();
    const detach = (): void => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', detach);
    };
    const refuse = (reason: string): void => {
      logger.warn({ peer: socket.remoteAddress, reason }, 'PROXY protocol header refused');
      detach();
      socket.destroy();
    };
    const finish = (rest: Buffer): void => {
      detach();
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      handOver(socket);
      // The HTTP parser reads the socket's handle directly from now on; resuming the stream delivers
      // the bytes put back above through its 'data' listener first. A TLS server reads the bytes
      // buffered in the socket itself when it wraps it, and must not lose later ones to a flowing stream.
      if (!options.tls) socket.resume();
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', detach);
  });
}
