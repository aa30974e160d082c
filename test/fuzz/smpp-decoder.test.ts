import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodePdu, encodePdu } from '../../daemon/smpp/codec.js';
import { commandFields, commandIds } from '../../daemon/smpp/commands.js';
import type { CommandName, FieldKind } from '../../daemon/smpp/commands.js';
import { FrameParser } from '../../daemon/smpp/frame-parser.js';
import type { Pdu } from '../../daemon/smpp/pdu.js';
import { parseReceiptText } from '../../daemon/smpp/receipt-parser.js';
import { tlvFixedLength } from '../../daemon/smpp/tlv.js';
import { pduRows } from '../unit/smpp-pdu-rows.js';

const seeds = pduRows().map((r) => r.bytes);
const commandIdList = Object.values(commandIds);

/** Decoding never throws; whatever decodes re-encodes to exactly the input (nothing is lost or invented). */
function checkDecode(bytes: Buffer): void {
  const result = decodePdu(bytes);
  if (result.ok) {
    assert.deepEqual(encodePdu(result.pdu), bytes);
  } else {
    assert.ok(result.error.commandStatusToAnswer > 0);
    assert.ok(Number.isInteger(result.error.sequenceNumber));
  }
}

const withLength = (bytes: Uint8Array, commandId: number): Buffer => {
  const out = Buffer.concat([Buffer.alloc(16), Buffer.from(bytes)]);
  out.writeUInt32BE(out.length, 0);
  out.writeUInt32BE(commandId, 4);
  out.writeUInt32BE(out.length * 7, 12);
  return out;
};

test('fuzz: random bytes into decodePdu never throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => checkDecode(Buffer.from(bytes))), { numRuns: 2000 });
});

test('fuzz: random bodies under a valid header of every command never throw, and re-encode exactly when decoded', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...commandIdList), (body, id) => checkDecode(withLength(body, id))),
    { numRuns: 3000 },
  );
});

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
);

test('fuzz: mutated valid PDUs (flipped, cut, grown; length fixed or not) never throw', () => {
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (seed, mutations, fixLength) => {
      let bytes = Buffer.from(seed);
      for (const m of mutations) {
        const at = bytes.length === 0 ? 0 : m.at % bytes.length;
        if (m.kind === 'flip' && bytes.length > 0) bytes[at] = m.value;
        else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
        else if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.value]), bytes.subarray(at)]);
      }
      if (fixLength && bytes.length >= 4) bytes.writeUInt32BE(bytes.length, 0);
      checkDecode(bytes);
      const text = parseReceiptText(bytes);
      assert.equal(typeof text.ok, 'boolean');
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: the frame parser never throws and its frames are a prefix of the stream', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...seeds), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b))), { maxLength: 6 }), fc.integer({ min: 1, max: 50 }), (parts, size) => {
      const stream = Buffer.concat(parts);
      const parser = new FrameParser({ maxCommandLength: 4096 });
      const frames: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) {
        const batch = parser.push(stream.subarray(i, i + size));
        frames.push(...batch.frames);
        if (batch.fatal !== null) break;
      }
      const joined = Buffer.concat(frames);
      assert.deepEqual(joined, stream.subarray(0, joined.length));
      for (const frame of frames) checkDecode(frame);
    }),
    { numRuns: 1000 },
  );
});

/** fast-check builds records without a prototype; the decoder builds plain objects, and deepEqual compares prototypes. */
const plain = <T extends object>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T> => arbitrary.map((value) => ({ ...value }));
const latin1 = fc.array(fc.integer({ min: 1, max: 255 }), { maxLength: 20 }).map((codes) => String.fromCharCode(...codes));
const octet = fc.integer({ min: 0, max: 255 });

function fieldArbitrary(kind: FieldKind): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'int1':
      return octet;
    case 'cstring':
      return latin1;
    case 'shortMessage':
      return fc.uint8Array({ maxLength: 254 }).map((b) => Buffer.from(b));
    case 'destAddresses':
      return fc.array(
        fc.oneof(plain(fc.record({ kind: fc.constant('sme' as const), ton: octet, npi: octet, address: latin1 })), plain(fc.record({ kind: fc.constant('distributionList' as const), name: latin1 }))),
        { maxLength: 5 },
      );
    case 'unsuccessSmes':
      return fc.array(plain(fc.record({ ton: octet, npi: octet, address: latin1, errorStatusCode: fc.nat({ max: 0xffffffff }) })), { maxLength: 5 });
  }
}

const tlvArbitrary = fc.integer({ min: 0, max: 0xffff }).chain((tag) => {
  const fixed = tlvFixedLength(tag);
  return fc.uint8Array(fixed === null ? { maxLength: 40 } : { minLength: fixed, maxLength: fixed }).map((value) => ({ tag, value: Buffer.from(value) }));
});

const pduArbitrary: fc.Arbitrary<Pdu> = fc.constantFrom(...(Object.keys(commandIds) as CommandName[])).chain((command) => {
  const shape: Record<string, fc.Arbitrary<unknown>> = {
    command: fc.constant(command),
    commandStatus: fc.nat({ max: 0xffffffff }),
    sequenceNumber: fc.nat({ max: 0xffffffff }),
    tlvs: fc.array(tlvArbitrary, { maxLength: 4 }),
  };
  for (const [name, kind] of commandFields[command]) shape[name] = fieldArbitrary(kind);
  return plain(fc.record(shape)) as unknown as fc.Arbitrary<Pdu>;
});

test('property: decode(encode(pdu)) is pdu for generated valid PDUs of every command', () => {
  fc.assert(
    fc.property(pduArbitrary, (pdu) => {
      const result = decodePdu(encodePdu(pdu));
      assert.ok(result.ok, result.ok ? '' : result.error.detail);
      assert.deepEqual(result.pdu, pdu);
    }),
    { numRuns: 3000 },
  );
});
