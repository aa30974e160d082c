// Types for the `smpp` package (farhadi/node-smpp 0.5), which ships none. Only the parts smsproc
// uses: the simulator's server and the independent decoder in tests. PDU fields are dynamic.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export class PDU {
    constructor(command: string, options?: Record<string, unknown>);
    command: string;
    command_length: number;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    static fromBuffer(buffer: Buffer): PDU | false;
    static commandLength(stream: unknown): number | false;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
    toBuffer(): Buffer;
  }

  export type ResponseCallback = (pdu: PDU) => void;

  export class Session extends EventEmitter {
    socket: Socket;
    server?: Server;
    send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: (pdu: PDU) => void): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    [command: string]: unknown;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  export interface ServerOptions {
    key?: string | Buffer;
    cert?: string | Buffer;
    [option: string]: unknown;
  }

  export function createServer(options: ServerOptions, listener?: (session: Session) => void): Server;
  export function createServer(listener?: (session: Session) => void): Server;
  export function connect(options: { host?: string; port?: number; url?: string; tls?: boolean; auto_enquire_link_period?: number; [option: string]: unknown }, listener?: () => void): Session;
  export function connect(url: string, listener?: () => void): Session;

  export const commands: Record<string, { id: number; command: string; [key: string]: unknown }>;
  export const commandsById: Record<number, { id: number; command: string; [key: string]: unknown }>;
  export const tlvs: Record<string, { id: number; [key: string]: unknown }>;
  export const tlvsById: Record<number, { id: number; tag: string; [key: string]: unknown }>;
  export const errors: Record<string, number>;
  export const consts: Record<string, unknown>;
  export const encodings: Record<string, unknown>;

  /** GSM 03.38 default alphabet as unpacked septets (one byte per septet, 0x1B escapes); `encoding` 0 is the default table. */
  export const gsmCoder: {
    encode(text: string, encoding?: number): Buffer;
    decode(septets: Buffer | Uint8Array, encoding?: number): string;
  };

  /** A short_message or message_payload after the package's decode filter: UDH split into information elements. */
  export interface DecodedMessage {
    message: string | Buffer;
    udh?: Buffer[];
  }

  export const ESME_ROK: number;
  export const ESME_RINVPASWD: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RMSGQFUL: number;
  export const ESME_RSYSERR: number;
  export const ESME_RINVSYSID: number;
  export const ESME_RALYBND: number;
  export const ESME_RINVBNDSTS: number;
  export const ESME_RINVCMDID: number;
  export const ESME_RINVDSTADR: number;
}
