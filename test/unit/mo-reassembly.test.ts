import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { MoReassembler, type MoPartInput } from '../../daemon/dispatch/mo-reassembly.js';

const base = { source: '79161110022', dest: '7377', reference: 60, total: 3 };
const part = (seq: number, text: string, receivedAt: number, extra: Partial<MoPartInput<string>> = {}): MoPartInput<string> => ({
  ...base,
  seq,
  text,
  receivedAt,
  tag: `p${seq}`,
  ...extra,
});
const reassembler = (maxOpenSets = 10): MoReassembler<string> => new MoReassembler<string>({ timeoutMs: 60_000, maxOpenSets });

test('a single-part message is ready at once', () => {
  const r = reassembler();
  const { ready } = r.add(part(1, 'VOTE 1', 0, { total: 1 }));
  assert.equal(ready.length, 1);
  assert.equal(ready[0]?.text, 'VOTE 1');
  assert.equal(ready[0]?.partial, false);
  assert.equal(r.openSets, 0);
});

test('parts out of order are joined in part order, tags too', () => {
  const r = reassembler();
  assert.deepEqual(r.add(part(3, 'C', 30)), { ready: [], duplicate: false });
  assert.deepEqual(r.add(part(1, 'A', 10)), { ready: [], duplicate: false });
  const { ready } = r.add(part(2, 'B', 20));
  assert.deepEqual(ready, [
    { ...base, text: 'ABC', partial: false, missing: [], tags: ['p1', 'p2', 'p3'], firstReceivedAt: 30, lastReceivedAt: 30 },
  ]);
});

test('a duplicate part is ignored and reported; the first copy is kept', () => {
  const r = reassembler();
  r.add(part(1, 'A', 0));
  assert.deepEqual(r.add(part(1, 'A', 1, { tag: 'again' })), { ready: [], duplicate: true });
  r.add(part(2, 'B', 2));
  const [mo] = r.add(part(3, 'C', 3)).ready;
  assert.equal(mo?.text, 'ABC');
  assert.deepEqual(mo?.tags, ['p1', 'p2', 'p3']);
});

test('sets are told apart by source, destination, reference and total', () => {
  const r = reassembler();
  r.add(part(1, 'A', 0));
  r.add(part(2, 'x', 0, { source: '79990000000' }));
  r.add(part(2, 'x', 0, { dest: '1900' }));
  r.add(part(2, 'x', 0, { reference: 61 }));
  r.add(part(2, 'x', 0, { total: 4 }));
  assert.equal(r.openSets, 5);
});

test('an incomplete set waits for the timeout, then comes out partial with its missing parts', () => {
  const r = reassembler();
  r.add(part(2, 'B', 1_000));
  assert.equal(r.nextDeadline(), 61_000);
  assert.deepEqual(r.tick(60_999), []);
  r.add(part(1, 'A', 50_000));
  assert.equal(r.nextDeadline(), 61_000, 'the timeout runs from the first part');
  assert.deepEqual(r.tick(61_000), [
    { ...base, text: 'AB', partial: true, missing: [3], tags: ['p1', 'p2'], firstReceivedAt: 1_000, lastReceivedAt: 50_000 },
  ]);
  assert.equal(r.openSets, 0);
  assert.equal(r.nextDeadline(), null);
});

test('a late part after the timeout opens a new set and is forwarded on its own later, never dropped', () => {
  const r = reassembler();
  r.add(part(1, 'A', 0));
  assert.equal(r.tick(60_000).length, 1);
  r.add(part(2, 'B', 70_000));
  const [late] = r.tick(130_000);
  assert.deepEqual(late?.missing, [1, 3]);
  assert.equal(late?.text, 'B');
});

test('beyond maxOpenSets the oldest set is forwarded as partial to make room', () => {
  const r = reassembler(2);
  r.add(part(1, 'A', 0, { reference: 1 }));
  r.add(part(1, 'A', 1, { reference: 2 }));
  const { ready } = r.add(part(1, 'A', 2, { reference: 3 }));
  assert.equal(ready.length, 1);
  assert.equal(ready[0]?.reference, 1);
  assert.equal(ready[0]?.partial, true);
  assert.equal(r.openSets, 2);
  assert.deepEqual(r.add(part(2, 'B', 3, { reference: 2 })).ready, [], 'a part of a held set opens nothing');
});

test('completing a new set while at the bound forwards both the evicted and the completed message', () => {
  const r = reassembler(1);
  r.add(part(1, 'A', 0, { reference: 1 }));
  const { ready } = r.add(part(1, 'solo', 1, { reference: 2, total: 1 }));
  assert.deepEqual(ready.map((mo) => [mo.reference, mo.partial]), [[1, true], [2, false]]);
});

test('invalid parts and options are programming errors', () => {
  const r = reassembler();
  assert.throws(() => r.add(part(4, 'x', 0)), RangeError);
  assert.throws(() => r.add(part(0, 'x', 0)), RangeError);
  assert.throws(() => new MoReassembler({ timeoutMs: 0, maxOpenSets: 1 }), RangeError);
  assert.throws(() => new MoReassembler({ timeoutMs: 1, maxOpenSets: 0 }), RangeError);
});

interface Message {
  reference: number;
  parts: string[];
}

/** Several messages with distinct references, each split into 1..8 parts. */
const messagesArbitrary = fc.uniqueArray(
  fc.record({ reference: fc.integer({ min: 0, max: 0xffff }), parts: fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { minLength: 1, maxLength: 8 }) }),
  { minLength: 1, maxLength: 4, selector: (message) => message.reference },
);

/** Every part of every message once, plus some parts again, in a random order. */
function arrivals(messages: Message[]): fc.Arbitrary<MoPartInput<string>[]> {
  const all = messages.flatMap((message) =>
    message.parts.map((text, index) => ({ ...base, reference: message.reference, total: message.parts.length, seq: index + 1, text, tag: `${message.reference}/${index + 1}` })),
  );
  return fc
    .tuple(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), fc.array(fc.constantFrom(...all), { maxLength: 5 }))
    .chain(([once, again]) => fc.shuffledSubarray([...once, ...again], { minLength: once.length + again.length, maxLength: once.length + again.length }))
    .map((order) => order.map((p, index) => ({ ...p, receivedAt: index })));
}

test('property: any arrival order with duplicates gives each message once, complete, with its text', () => {
  fc.assert(
    fc.property(
      messagesArbitrary.chain((messages) => fc.tuple(fc.constant(messages), arrivals(messages))),
      ([messages, order]) => {
        const r = reassembler();
        const done = order.flatMap((p) => r.add(p).ready);
        assert.equal(done.length, messages.length);
        for (const message of messages) {
          const mo = done.find((candidate) => candidate.reference === message.reference);
          assert.ok(mo);
          assert.equal(mo.text, message.parts.join(''));
          assert.equal(mo.partial, false);
        }
        assert.equal(r.openSets, 0);
      },
    ),
  );
});

test('property: missing parts come out after the timeout as partial, the received ones in order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 10 }), { minLength: 2, maxLength: 10 }).chain((parts) =>
        fc.tuple(fc.constant(parts), fc.uniqueArray(fc.integer({ min: 1, max: parts.length }), { minLength: 1, maxLength: parts.length - 1 })),
      ),
      ([parts, received]) => {
        const r = reassembler();
        for (const seq of received) assert.deepEqual(r.add(part(seq, parts[seq - 1] ?? '', 0, { total: parts.length })).ready, []);
        const [mo] = r.tick(60_000);
        const sorted = [...received].sort((a, b) => a - b);
        assert.ok(mo);
        assert.equal(mo.text, sorted.map((seq) => parts[seq - 1]).join(''));
        assert.deepEqual(mo.missing, parts.map((_p, index) => index + 1).filter((seq) => !received.includes(seq)));
      },
    ),
  );
});

test('a part redelivered after its set was forwarded is a duplicate, not a new partial set', () => {
  const r = reassembler();
  r.add(part(1, 'A', 0));
  r.add(part(2, 'B', 1));
  assert.equal(r.add(part(3, 'C', 2)).ready.length, 1);
  assert.deepEqual(r.add(part(2, 'B', 10_000)), { ready: [], duplicate: true });
  assert.equal(r.openSets, 0);
  assert.equal(r.add(part(2, 'B', 62_000)).duplicate, false, 'forgotten timeoutMs after forwarding');
});

test('a redelivered part is recognised while a late part of the same forwarded set is held', () => {
  const r = reassembler();
  r.add(part(1, 'A', 0));
  r.tick(60_000);
  r.add(part(3, 'C', 61_000));
  assert.equal(r.add(part(1, 'A', 62_000)).duplicate, true);
});

test('a reused reference (same part number, other text) forwards what is held and starts a new set', () => {
  const r = reassembler();
  r.add(part(1, 'old 1', 0));
  const { ready, duplicate } = r.add(part(1, 'new 1', 5));
  assert.equal(duplicate, false);
  assert.deepEqual(ready.map((mo) => [mo.text, mo.missing]), [['old 1', [2, 3]]]);
  r.add(part(2, 'new 2', 6));
  assert.equal(r.add(part(3, 'new 3', 7)).ready[0]?.text, 'new 1new 2new 3');
});

test('a new message reusing the reference of a completed one is not mistaken for a redelivery', () => {
  const r = reassembler();
  for (const seq of [1, 2, 3]) r.add(part(seq, `old ${seq}`, seq));
  assert.equal(r.add(part(1, 'new 1', 10)).duplicate, false);
  r.add(part(2, 'old 2', 11));
  assert.equal(r.add(part(3, 'new 3', 12)).ready[0]?.text, 'new 1old 2new 3', 'an equal part text is indistinguishable and taken as is');
});
