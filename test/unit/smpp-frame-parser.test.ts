import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { FrameParser } from '../../daemon/smpp/frame-parser.js';
import { pduRows } from './smpp-pdu-rows.js';

const wellFormed = pduRows().filter((r) => !r.malformed);
const stream = Buffer.concat(wellFormed.map((r) => r.bytes));

function collect(parser: FrameParser, chunks: Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const chunk of chunks) {
    const batch = parser.push(chunk);
    assert.equal(batch.fatal, null);
    frames.push(...batch.frames);
  }
  return frames;
}

test('every well-formed PDU split at every byte boundary yields the same frame', () => {
  for (const r of wellFormed) {
    for (let cut = 0; cut <= r.bytes.length; cut++) {
      const parser = new FrameParser();
      const frames = collect(parser, [r.bytes.subarray(0, cut), r.bytes.subarray(cut)]);
      assert.equal(frames.length, 1, `${r.name} cut at ${cut}`);
      assert.deepEqual(frames[0], r.bytes);
      assert.equal(parser.bufferedLength, 0);
    }
  }
});

test('the whole stream of PDUs split at every byte boundary yields the same frames', () => {
  const expected = wellFormed.map((r) => r.bytes);
  for (let cut = 0; cut <= stream.length; cut++) {
    const frames = collect(new FrameParser(), [stream.subarray(0, cut), stream.subarray(cut)]);
    assert.deepEqual(frames, expected, `cut at ${cut}`);
  }
});

test('the stream fed one octet at a time, and in chunks of 7, yields the same frames', () => {
  const expected = wellFormed.map((r) => r.bytes);
  const single = [...stream].map((b) => Buffer.from([b]));
  assert.deepEqual(collect(new FrameParser(), single), expected);
  const sevens: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 7) sevens.push(stream.subarray(i, i + 7));
  assert.deepEqual(collect(new FrameParser(), sevens), expected);
});

test('frames are copies: changing the chunk afterwards does not change a frame', () => {
  const chunk = Buffer.from(wellFormed[0]!.bytes);
  const [frame] = new FrameParser().push(chunk).frames;
  chunk.fill(0);
  assert.deepEqual(frame, wellFormed[0]!.bytes);
});

test('a command_length below 16 or above the maximum is fatal and stays fatal', () => {
  const tiny = new FrameParser();
  const first = tiny.push(Buffer.from('0000000f00000015000000000000000d', 'hex'));
  assert.equal(first.fatal?.commandLength, 15);
  assert.equal(first.fatal?.sequenceNumber, 13);
  const again = tiny.push(wellFormed[0]!.bytes);
  assert.deepEqual(again.frames, []);
  assert.equal(again.fatal, first.fatal);

  const huge = new FrameParser().push(Buffer.from('f000001100000110000000000a342ee7', 'hex'));
  assert.equal(huge.fatal?.commandLength, 0xf0000011);
  assert.equal(huge.fatal?.commandId, 0x110);

  const small = new FrameParser({ maxCommandLength: 100 });
  const big = wellFormed.find((r) => r.bytes.length > 100)!;
  const batch = small.push(Buffer.concat([wellFormed[0]!.bytes, big.bytes]));
  assert.deepEqual(batch.frames, [wellFormed[0]!.bytes], 'frames before the bad length are still delivered');
  assert.equal(batch.fatal?.commandLength, big.bytes.length);
});

test('the fatal length is reported as soon as its 4 octets arrive, without waiting for the header', () => {
  const parser = new FrameParser();
  assert.equal(parser.push(Buffer.from('3800', 'hex')).fatal, null);
  const batch = parser.push(Buffer.from('000f', 'hex'));
  assert.equal(batch.fatal?.commandLength, 0x3800000f);
  assert.equal(batch.fatal?.sequenceNumber, null);
});

test('a PDU with a trailing stray octet: the frame ends at command_length, the octet waits', () => {
  const parser = new FrameParser();
  const batch = parser.push(Buffer.from('000000118000000400000000000000010012', 'hex'));
  assert.deepEqual(batch.frames, [Buffer.from('0000001180000004000000000000000100', 'hex')]);
  assert.equal(parser.bufferedLength, 1);
});
