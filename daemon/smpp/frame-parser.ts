import { HEADER_LENGTH } from './codec.js';

export const DEFAULT_MAX_COMMAND_LENGTH = 64 * 1024;

/**
 * A command_length below 16 or above the maximum. SMPP has no frame delimiter, so after a bad length
 * the parser cannot find the next PDU: the session must treat this as fatal (send generic_nack
 * ESME_RINVCMDLEN with the sequence number, then close the connection).
 */
export interface FramingError {
  readonly kind: 'invalidCommandLength';
  readonly commandLength: number;
  readonly commandId: number | null;
  readonly sequenceNumber: number | null;
  readonly detail: string;
}

export interface FrameBatch {
  /** Complete PDUs (command_length octets each), in arrival order, ready for decodePdu. */
  readonly frames: Buffer[];
  /** Set once a bad command_length is seen; every later push returns no frames and the same error. */
  readonly fatal: FramingError | null;
}

/**
 * Cuts a TCP byte stream into PDU frames. Pure: feed it chunks of any size, it returns the frames
 * they complete. Frames are fresh buffers, never views of the caller's chunks.
 */
export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);
  private failed: FramingError | null = null;
  private readonly maxCommandLength: number;

  constructor(options: { maxCommandLength?: number } = {}) {
    this.maxCommandLength = options.maxCommandLength ?? DEFAULT_MAX_COMMAND_LENGTH;
  }

  /** Octets received that do not yet make a whole frame. */
  get bufferedLength(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): FrameBatch {
    if (this.failed !== null) return { frames: [], fatal: this.failed };
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    let pos = 0;
    while (data.length - pos >= 4) {
      const commandLength = data.readUInt32BE(pos);
      if (commandLength < HEADER_LENGTH || commandLength > this.maxCommandLength) {
        const headerComplete = data.length - pos >= HEADER_LENGTH;
        this.failed = {
          kind: 'invalidCommandLength',
          commandLength,
          commandId: data.length - pos >= 8 ? data.readUInt32BE(pos + 4) : null,
          sequenceNumber: headerComplete ? data.readUInt32BE(pos + 12) : null,
          detail: `command_length ${commandLength} outside 16..${this.maxCommandLength}`,
        };
        this.pending = Buffer.alloc(0);
        return { frames, fatal: this.failed };
      }
      if (data.length - pos < commandLength) break;
      frames.push(Buffer.from(data.subarray(pos, pos + commandLength)));
      pos += commandLength;
    }
    this.pending = pos === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(pos));
    return { frames, fatal: null };
  }
}
