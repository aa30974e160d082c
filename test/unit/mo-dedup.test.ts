import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { MoDedup, moDedupKey, type MoIdentity } from '../../daemon/dispatch/mo-dedup.js';

const mo: MoIdentity = { source: '79161110022', dest: '7377', text: 'VOTE 1' };
const dedup = (overrides: Partial<ConstructorParameters<typeof MoDedup>[0]> = {}): MoDedup =>
  new MoDedup({ windowMs: 60_000, maxEntries: 100, dedupWithoutIdentity: true, ...overrides });

test('a redelivery with the same SMSC id within the window is a duplicate', () => {
  const d = dedup();
  assert.equal(d.check({ ...mo, smscMessageId: 'a1' }, 0), 'new');
  assert.equal(d.check({ ...mo, smscMessageId: 'a1' }, 59_999), 'duplicate');
});

test('two identical texts with distinct SMSC ids stay two messages', () => {
  const d = dedup();
  assert.equal(d.check({ ...mo, smscMessageId: 'a1' }, 0), 'new');
  assert.equal(d.check({ ...mo, smscMessageId: 'a2' }, 1), 'new');
});

test('the SMSC id wins over the timestamp; the timestamp is used when there is no id', () => {
  const d = dedup();
  assert.equal(d.check({ ...mo, smscMessageId: 'a1', smTimestamp: '251126020000000+' }, 0), 'new');
  assert.equal(d.check({ ...mo, smscMessageId: 'a2', smTimestamp: '251126020000000+' }, 1), 'new', 'distinct ids, same second');
  assert.equal(d.check({ ...mo, smTimestamp: '251126020001000+' }, 2), 'new');
  assert.equal(d.check({ ...mo, smTimestamp: '251126020001000+' }, 3), 'duplicate');
  assert.equal(d.check({ ...mo, smTimestamp: '251126020002000+' }, 4), 'new');
});

test('the window runs from the first sighting; after it the same MO is new again', () => {
  const d = dedup();
  const redelivered = { ...mo, smscMessageId: 'a1' };
  assert.equal(d.check(redelivered, 0), 'new');
  assert.equal(d.check(redelivered, 30_000), 'duplicate');
  assert.equal(d.check(redelivered, 60_000), 'new');
  assert.equal(d.check(redelivered, 60_001), 'duplicate');
});

test('source, destination, text and part each keep MO apart', () => {
  const d = dedup();
  assert.equal(d.check(mo, 0), 'new');
  assert.equal(d.check({ ...mo, source: '79160000000' }, 0), 'new');
  assert.equal(d.check({ ...mo, dest: '1900' }, 0), 'new');
  assert.equal(d.check({ ...mo, text: 'VOTE 2' }, 0), 'new');
  assert.equal(d.check({ ...mo, part: { reference: 1, total: 2, seq: 1 } }, 0), 'new');
  assert.equal(d.check({ ...mo, part: { reference: 1, total: 2, seq: 2 } }, 0), 'new');
  assert.equal(d.check({ ...mo, part: { reference: 2, total: 2, seq: 1 } }, 0), 'new');
  assert.equal(d.check({ ...mo, part: { reference: 1, total: 2, seq: 1 } }, 1), 'duplicate');
  assert.equal(d.check(mo, 1), 'duplicate');
});

test('without any identity: deduplicated on content when configured, never otherwise', () => {
  const strict = dedup();
  assert.equal(strict.check(mo, 0), 'new');
  assert.equal(strict.check(mo, 1), 'duplicate');
  const lenient = dedup({ dedupWithoutIdentity: false });
  assert.equal(lenient.check(mo, 0), 'new');
  assert.equal(lenient.check(mo, 1), 'new');
  assert.equal(lenient.size, 0, 'nothing remembered');
  assert.equal(lenient.check({ ...mo, smscMessageId: 'a1' }, 2), 'new');
  assert.equal(lenient.check({ ...mo, smscMessageId: 'a1' }, 3), 'duplicate', 'an id still deduplicates');
  assert.equal(moDedupKey({ ...mo, smscMessageId: '', smTimestamp: null }, false), null, 'an empty id is no id');
});

test('memory is bounded: expired entries are forgotten, and the oldest goes first beyond maxEntries', () => {
  const d = dedup({ maxEntries: 3 });
  for (const id of ['a', 'b', 'c']) d.check({ ...mo, smscMessageId: id }, 0);
  assert.equal(d.size, 3);
  assert.equal(d.check({ ...mo, smscMessageId: 'd' }, 1), 'new');
  assert.equal(d.size, 3);
  assert.equal(d.check({ ...mo, smscMessageId: 'b' }, 2), 'duplicate', 'b is still remembered');
  assert.equal(d.check({ ...mo, smscMessageId: 'a' }, 2), 'new', 'a was the oldest and was forgotten');
  d.check({ ...mo, smscMessageId: 'e' }, 70_000);
  assert.equal(d.size, 1, 'everything older than the window is forgotten');
});

test('keys cannot be forged by separators inside fields', () => {
  assert.notEqual(moDedupKey({ source: 'a","b', dest: 'c', text: '' }, true), moDedupKey({ source: 'a', dest: 'b","c', text: '' }, true));
});

test('invalid options are programming errors', () => {
  assert.throws(() => dedup({ windowMs: 0 }), RangeError);
  assert.throws(() => dedup({ maxEntries: 0 }), RangeError);
});
