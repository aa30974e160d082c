import { commandFields, commandIds, commandNameById, isResponseId, responseCommandOf } from './commands.js';
import type { CommandName, FieldKind } from './commands.js';
import { CommandStatus } from './command-status.js';
import type { DestAddress, Pdu, UnsuccessSme } from './pdu.js';
import { tlvFixedLength } from './tlv.js';
import type { Tlv } from './tlv.js';

export const HEADER_LENGTH = 16;

export type DecodeErrorKind =
  | 'truncatedHeader'
  | 'invalidCommandLength'
  | 'lengthMismatch'
  | 'unknownCommand'
  | 'truncatedBody'
  | 'unterminatedCString'
  | 'shortMessageOverrun'
  | 'invalidDestFlag'
  | 'tlvTruncated'
  | 'tlvLengthInvalid';

export interface DecodeError {
  readonly kind: DecodeErrorKind;
  readonly detail: string;
  /** The command_id as read, or null when the header is too short to hold it. */
  readonly commandId: number | null;
  readonly command: CommandName | null;
  /** Sequence number to echo in the answer (0 when the header is too short to hold it). */
  readonly sequenceNumber: number;
  /** The PDU the session answers with: generic_nack, the request's _resp, or null for a response (never answered). */
  readonly answerWith: CommandName | null;
  readonly commandStatusToAnswer: number;
}

export type DecodeResult = { readonly ok: true; readonly pdu: Pdu } | { readonly ok: false; readonly error: DecodeError };

type Fields = Record<string, number | string | Buffer | readonly DestAddress[] | readonly UnsuccessSme[]>;

class BodyError extends Error {
  constructor(
    readonly kind: DecodeErrorKind,
    readonly detail: string,
  ) {
    super(detail);
  }
}

class Reader {
  constructor(
    private readonly bytes: Buffer,
    public pos: number,
    private readonly end: number,
  ) {}

  int1(field: string): number {
    if (this.pos + 1 > this.end) throw new BodyError('truncatedBody', `${field}: no octet left at ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  int4(field: string): number {
    if (this.pos + 4 > this.end) throw new BodyError('truncatedBody', `${field}: needs 4 octets at ${this.pos}`);
    const value = this.bytes.readUInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  cstring(field: string): string {
    const nul = this.bytes.indexOf(0, this.pos);
    if (nul === -1 || nul >= this.end) throw new BodyError('unterminatedCString', `${field}: no NUL terminator`);
    const value = this.bytes.toString('latin1', this.pos, nul);
    this.pos = nul + 1;
    return value;
  }

  octets(field: string, length: number): Buffer {
    if (this.pos + length > this.end) {
      throw new BodyError('shortMessageOverrun', `${field}: needs ${length} octets at ${this.pos}, ${this.end - this.pos} left`);
    }
    // A copy, so a decoded PDU does not pin the socket chunk it came from.
    const value = Buffer.from(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return value;
  }
}

function readField(reader: Reader, name: string, kind: FieldKind): Fields[string] {
  switch (kind) {
    case 'int1':
      return reader.int1(name);
    case 'cstring':
      return reader.cstring(name);
    case 'shortMessage':
      return reader.octets(name, reader.int1('sm_length'));
    case 'destAddresses': {
      const count = reader.int1('number_of_dests');
      const list: DestAddress[] = [];
      for (let i = 0; i < count; i++) {
        const flag = reader.int1('dest_flag');
        if (flag === 1) {
          list.push({ kind: 'sme', ton: reader.int1('dest_addr_ton'), npi: reader.int1('dest_addr_npi'), address: reader.cstring('destination_addr') });
        } else if (flag === 2) {
          list.push({ kind: 'distributionList', name: reader.cstring('dl_name') });
        } else {
          throw new BodyError('invalidDestFlag', `dest_flag ${flag} is neither 1 (SME) nor 2 (distribution list)`);
        }
      }
      return list;
    }
    case 'unsuccessSmes': {
      const count = reader.int1('no_unsuccess');
      const list: UnsuccessSme[] = [];
      for (let i = 0; i < count; i++) {
        list.push({ ton: reader.int1('dest_addr_ton'), npi: reader.int1('dest_addr_npi'), address: reader.cstring('destination_addr'), errorStatusCode: reader.int4('error_status_code') });
      }
      return list;
    }
  }
}

function readTlvs(bytes: Buffer, start: number, end: number): Tlv[] {
  const tlvs: Tlv[] = [];
  let pos = start;
  while (pos < end) {
    if (pos + 4 > end) throw new BodyError('tlvTruncated', `TLV header needs 4 octets at ${pos}, ${end - pos} left`);
    const tag = bytes.readUInt16BE(pos);
    const length = bytes.readUInt16BE(pos + 2);
    pos += 4;
    if (pos + length > end) throw new BodyError('tlvTruncated', `TLV 0x${tag.toString(16).padStart(4, '0')} length ${length} overruns the PDU`);
    const fixed = tlvFixedLength(tag);
    if (fixed !== null && fixed !== length) {
      throw new BodyError('tlvLengthInvalid', `TLV 0x${tag.toString(16).padStart(4, '0')} must be ${fixed} octets, is ${length}`);
    }
    tlvs.push({ tag, value: Buffer.from(bytes.subarray(pos, pos + length)) });
    pos += length;
  }
  return tlvs;
}

const bodyStatus: Readonly<Record<DecodeErrorKind, number>> = {
  truncatedHeader: CommandStatus.ESME_RINVCMDLEN,
  invalidCommandLength: CommandStatus.ESME_RINVCMDLEN,
  lengthMismatch: CommandStatus.ESME_RINVCMDLEN,
  unknownCommand: CommandStatus.ESME_RINVCMDID,
  truncatedBody: CommandStatus.ESME_RINVCMDLEN,
  unterminatedCString: CommandStatus.ESME_RINVCMDLEN,
  shortMessageOverrun: CommandStatus.ESME_RINVMSGLEN,
  invalidDestFlag: CommandStatus.ESME_RINVDESTFLAG,
  tlvTruncated: CommandStatus.ESME_RINVOPTPARSTREAM,
  tlvLengthInvalid: CommandStatus.ESME_RINVPARLEN,
};

const headerKinds: ReadonlySet<DecodeErrorKind> = new Set(['truncatedHeader', 'invalidCommandLength', 'lengthMismatch', 'unknownCommand']);

/** Header errors and unknown commands: generic_nack (section 4.3); body errors: the request's _resp. */
function failure(kind: DecodeErrorKind, detail: string, commandId: number | null, sequenceNumber: number): DecodeResult {
  const command = commandId === null ? null : (commandNameById.get(commandId) ?? null);
  let answerWith: CommandName | null = 'generic_nack';
  if (command !== null && !headerKinds.has(kind)) {
    answerWith = isResponseId(commandIds[command]) ? null : (responseCommandOf(command) ?? 'generic_nack');
  }
  return { ok: false, error: { kind, detail, commandId, command, sequenceNumber, answerWith, commandStatusToAnswer: bodyStatus[kind] } };
}

/** Decodes one complete PDU (a frame from FrameParser). Never throws: a malformed PDU is a DecodeError. */
export function decodePdu(bytes: Buffer): DecodeResult {
  if (bytes.length < HEADER_LENGTH) {
    const commandId = bytes.length >= 8 ? bytes.readUInt32BE(4) : null;
    return failure('truncatedHeader', `${bytes.length} octets, a header needs 16`, commandId, 0);
  }
  const commandLength = bytes.readUInt32BE(0);
  const commandId = bytes.readUInt32BE(4);
  const commandStatus = bytes.readUInt32BE(8);
  const sequenceNumber = bytes.readUInt32BE(12);
  if (commandLength < HEADER_LENGTH) {
    return failure('invalidCommandLength', `command_length ${commandLength} is below 16`, commandId, sequenceNumber);
  }
  if (commandLength !== bytes.length) {
    return failure('lengthMismatch', `command_length ${commandLength} but ${bytes.length} octets`, commandId, sequenceNumber);
  }
  const command = commandNameById.get(commandId);
  if (command === undefined) {
    return failure('unknownCommand', `command_id 0x${commandId.toString(16).padStart(8, '0')} is not SMPP 3.4`, commandId, sequenceNumber);
  }
  const layout = commandFields[command];
  const fields: Fields = {};
  if (bytes.length === HEADER_LENGTH && layout.length > 0 && isResponseId(commandId)) {
    for (const [name, kind] of layout) fields[name] = emptyValue(kind);
    return { ok: true, pdu: { command, commandStatus, sequenceNumber, tlvs: [], bodyOmitted: true, ...fields } as Pdu };
  }
  try {
    const reader = new Reader(bytes, HEADER_LENGTH, bytes.length);
    for (const [name, kind] of layout) fields[name] = readField(reader, name, kind);
    const tlvs = readTlvs(bytes, reader.pos, bytes.length);
    return { ok: true, pdu: { command, commandStatus, sequenceNumber, tlvs, ...fields } as Pdu };
  } catch (error) {
    if (error instanceof BodyError) return failure(error.kind, `${command}: ${error.detail}`, commandId, sequenceNumber);
    throw error;
  }
}

function emptyValue(kind: FieldKind): Fields[string] {
  switch (kind) {
    case 'int1':
      return 0;
    case 'cstring':
      return '';
    case 'shortMessage':
      return Buffer.alloc(0);
    case 'destAddresses':
    case 'unsuccessSmes':
      return [];
  }
}

function fieldLength(kind: FieldKind, value: Fields[string]): number {
  switch (kind) {
    case 'int1':
      return 1;
    case 'cstring':
      return Buffer.byteLength(value as string, 'latin1') + 1;
    case 'shortMessage':
      return 1 + (value as Buffer).length;
    case 'destAddresses':
      return (value as readonly DestAddress[]).reduce(
        (sum, d) => sum + 1 + (d.kind === 'sme' ? 3 + Buffer.byteLength(d.address, 'latin1') : 1 + Buffer.byteLength(d.name, 'latin1')),
        1,
      );
    case 'unsuccessSmes':
      return (value as readonly UnsuccessSme[]).reduce((sum, s) => sum + 7 + Buffer.byteLength(s.address, 'latin1'), 1);
  }
}

function writeCString(out: Buffer, pos: number, value: string): number {
  const end = pos + out.write(value, pos, 'latin1');
  out[end] = 0;
  return end + 1;
}

function writeField(out: Buffer, pos: number, kind: FieldKind, value: Fields[string]): number {
  switch (kind) {
    case 'int1':
      return out.writeUInt8(value as number, pos);
    case 'cstring':
      return writeCString(out, pos, value as string);
    case 'shortMessage': {
      const sm = value as Buffer;
      pos = out.writeUInt8(sm.length, pos);
      return pos + sm.copy(out, pos);
    }
    case 'destAddresses': {
      const list = value as readonly DestAddress[];
      pos = out.writeUInt8(list.length, pos);
      for (const d of list) {
        if (d.kind === 'sme') {
          pos = out.writeUInt8(1, pos);
          pos = out.writeUInt8(d.ton, pos);
          pos = out.writeUInt8(d.npi, pos);
          pos = writeCString(out, pos, d.address);
        } else {
          pos = out.writeUInt8(2, pos);
          pos = writeCString(out, pos, d.name);
        }
      }
      return pos;
    }
    case 'unsuccessSmes': {
      const list = value as readonly UnsuccessSme[];
      pos = out.writeUInt8(list.length, pos);
      for (const s of list) {
        pos = out.writeUInt8(s.ton, pos);
        pos = out.writeUInt8(s.npi, pos);
        pos = writeCString(out, pos, s.address);
        pos = out.writeUInt32BE(s.errorStatusCode, pos);
      }
      return pos;
    }
  }
}

/**
 * Encodes a PDU. It is given our own PDUs, so a value the wire cannot carry (short_message over 255
 * octets, an integer out of range, more than 255 destinations) is a bug and throws a RangeError.
 */
export function encodePdu(pdu: Pdu): Buffer {
  const layout = commandFields[pdu.command];
  const fields = pdu as unknown as Fields;
  const withBody = pdu.bodyOmitted !== true;
  let length = HEADER_LENGTH;
  if (withBody) {
    for (const [name, kind] of layout) {
      const value = fields[name];
      if (value === undefined) throw new RangeError(`${pdu.command}: field ${name} is missing`);
      if (kind === 'shortMessage' && (value as Buffer).length > 255) {
        throw new RangeError(`${pdu.command}: short_message is ${(value as Buffer).length} octets, at most 255 (use message_payload)`);
      }
      if ((kind === 'destAddresses' || kind === 'unsuccessSmes') && (value as readonly unknown[]).length > 255) {
        throw new RangeError(`${pdu.command}: ${name} holds more than 255 entries`);
      }
      length += fieldLength(kind, value);
    }
    for (const t of pdu.tlvs) length += 4 + t.value.length;
  }
  const out = Buffer.allocUnsafe(length);
  let pos = out.writeUInt32BE(length, 0);
  pos = out.writeUInt32BE(commandIds[pdu.command], pos);
  pos = out.writeUInt32BE(pdu.commandStatus, pos);
  pos = out.writeUInt32BE(pdu.sequenceNumber, pos);
  if (!withBody) return out;
  for (const [name, kind] of layout) pos = writeField(out, pos, kind, fields[name]!);
  for (const t of pdu.tlvs) {
    if (t.value.length > 0xffff) throw new RangeError(`TLV 0x${t.tag.toString(16)}: value over 65535 octets`);
    pos = out.writeUInt16BE(t.tag, pos);
    pos = out.writeUInt16BE(t.value.length, pos);
    pos += t.value.copy(out, pos);
  }
  return out;
}
