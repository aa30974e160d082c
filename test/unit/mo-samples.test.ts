import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { concatInfoOf, ESM_CLASS_UDHI } from '../../daemon/dispatch/concat-info.js';
import { moDedupKey } from '../../daemon/dispatch/mo-dedup.js';
import { MoReassembler, type ReassembledMo } from '../../daemon/dispatch/mo-reassembly.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import { parseKeyword } from '../../daemon/routing/keyword.js';
import { buildMoRouter } from '../../daemon/routing/mo-router.js';
import { readTsv, unescapeText, type TsvRow } from '../testdata.js';

const rows = readTsv('mo-samples.tsv');
const field = (row: TsvRow, name: string): string => row.fields[name] ?? '';
const textOf = (row: TsvRow): string => unescapeText(field(row, 'decoded_text'));
const isPart = (row: TsvRow): boolean => field(row, 'udh_hex') !== '';

test('mo-samples.tsv is all there', () => {
  assert.equal(rows.length, 35);
});

for (const row of rows.filter((r) => !isPart(r))) {
  test(`line ${row.line}: keyword ${JSON.stringify(field(row, 'expected_keyword'))} from ${JSON.stringify(field(row, 'decoded_text'))}`, () => {
    assert.deepEqual(parseKeyword(textOf(row)), {
      keyword: unescapeText(field(row, 'expected_keyword')),
      args: unescapeText(field(row, 'expected_args')),
    });
  });
}

for (const row of rows) {
  test(`line ${row.line}: concatenation info agrees with udh_hex ${field(row, 'udh_hex') || '(none)'}`, () => {
    const udhHex = field(row, 'udh_hex');
    const message = Buffer.from(field(row, 'short_message_hex'), 'hex');
    const result = concatInfoOf(udhHex === '' ? 0 : ESM_CLASS_UDHI, message);
    if (udhHex === '') {
      assert.equal(result.kind, 'single');
    } else {
      assert.equal(result.kind, 'part');
      const udh = Buffer.from(udhHex, 'hex');
      const sixteenBit = udh[1] === 0x08;
      const info = { reference: sixteenBit ? udh.readUInt16BE(3) : udh[3], total: udh.at(-2), seq: udh.at(-1) };
      assert.deepEqual(result.info, info);
      assert.equal(Buffer.compare(message.subarray(udh.length), result.payload), 0, 'payload is what follows the UDH');
    }
    if (field(row, 'data_coding') === '0x08') {
      assert.equal(Buffer.from(result.payload).swap16().toString('utf16le'), textOf(row), 'UCS-2 payload decodes to decoded_text');
    }
  });
}

test('the whole file through dedup, reassembly and routing: completing rows carry the expected values, incomplete sets come out partial', () => {
  const defaultClient = 'catch-all' as ClientId;
  const router = buildMoRouter([], { defaultClientId: defaultClient });
  const seenKeys = new Set<string | null>();
  const timeoutMs = 5 * 60_000;
  const reassembler = new MoReassembler<number>({ timeoutMs, maxOpenSets: 100 });
  const routedAtLine = new Map<number, ReassembledMo<number> | null>();

  rows.forEach((row, index) => {
    const now = index * 1000;
    const message = Buffer.from(field(row, 'short_message_hex'), 'hex');
    const concat = concatInfoOf(isPart(row) ? ESM_CLASS_UDHI : 0, message);
    assert.notEqual(concat.kind, 'malformed');
    const mo = { source: field(row, 'source_addr'), dest: field(row, 'dest_addr'), text: textOf(row) };
    const part = concat.kind === 'part' ? concat.info : null;
    const dedupKey = moDedupKey({ ...mo, part }, true);
    assert.ok(!seenKeys.has(dedupKey), `line ${row.line} is not a redelivery`);
    seenKeys.add(dedupKey);
    if (part === null) {
      routedAtLine.set(row.line, null);
      return;
    }
    const { ready, duplicate } = reassembler.add({ ...mo, ...part, receivedAt: now, tag: row.line });
    assert.equal(duplicate, false);
    for (const done of ready) routedAtLine.set(row.line, done);
  });

  for (const row of rows) {
    const expected = field(row, 'expected_keyword');
    if (expected === '') {
      assert.equal(routedAtLine.has(row.line), false, `line ${row.line} completes nothing`);
      continue;
    }
    const done = routedAtLine.get(row.line);
    assert.ok(done !== undefined, `line ${row.line} completes a message`);
    if (done !== null) assert.equal(done.partial, false);
    const text = done === null ? textOf(row) : done.text;
    const route = router.route(field(row, 'dest_addr'), text);
    assert.equal(route.kind, 'default');
    assert.equal(route.keyword, unescapeText(expected), `line ${row.line} keyword`);
    assert.equal(route.args, unescapeText(field(row, 'expected_args')), `line ${row.line} args`);
  }

  const outOfOrder = [...routedAtLine.values()].find((done) => done?.reference === 0x3c);
  assert.deepEqual(outOfOrder?.tags, [rows.find((r) => field(r, 'udh_hex') === '0500033C0201')?.line, rows.find((r) => field(r, 'udh_hex') === '0500033C0202')?.line]);

  assert.equal(reassembler.openSets, 2, 'the two incomplete real sets are held');
  const lastArrival = (rows.length - 1) * 1000;
  assert.deepEqual(reassembler.tick(lastArrival), [], 'not forwarded before the timeout');
  const expired = reassembler.tick(lastArrival + timeoutMs);
  assert.equal(expired.length, 2);
  const telia = expired.find((done) => done.reference === 0x2f);
  assert.ok(telia);
  assert.equal(telia.partial, true);
  assert.deepEqual(telia.missing, [3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(telia.text.startsWith('Test 4 - Telia DK') && telia.text.endsWith('are those '), 'both received parts, in order');
  assert.equal(parseKeyword(telia.text).keyword, 'TEST');
  const gosmpp = expired.find((done) => done.reference === 0xfe);
  assert.ok(gosmpp);
  assert.deepEqual(gosmpp.missing, [2]);
  assert.equal(gosmpp.text, 'nghắ nghiêng nghiễng ngả');
  assert.equal(reassembler.openSets, 0);
});
