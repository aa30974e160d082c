import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { moDedupKey, type MoIdentity } from '../../daemon/dispatch/mo-dedup.js';

const mo: MoIdentity = { source: '79161110022', dest: '7377', text: 'VOTE 1' };
const key = (overrides: Partial<MoIdentity> = {}, dedupWithoutIdentity = true): string | null => moDedupKey({ ...mo, ...overrides }, dedupWithoutIdentity);

test('a redelivery with the same SMSC id has the same key; distinct SMSC ids keep identical texts apart', () => {
  assert.equal(key({ smscMessageId: 'a1' }), key({ smscMessageId: 'a1' }));
  assert.notEqual(key({ smscMessageId: 'a1' }), key({ smscMessageId: 'a2' }));
});

test('the SMSC id wins over the timestamp; the timestamp is used when there is no id', () => {
  assert.notEqual(key({ smscMessageId: 'a1', smTimestamp: '251126020000000+' }), key({ smscMessageId: 'a2', smTimestamp: '251126020000000+' }), 'distinct ids, same second');
  assert.equal(key({ smscMessageId: 'a1', smTimestamp: '251126020000000+' }), key({ smscMessageId: 'a1', smTimestamp: '251126020009000+' }));
  assert.equal(key({ smTimestamp: '251126020001000+' }), key({ smTimestamp: '251126020001000+' }));
  assert.notEqual(key({ smTimestamp: '251126020001000+' }), key({ smTimestamp: '251126020002000+' }));
});

test('source, destination, text and part each keep MO apart', () => {
  const keys = [
    key(), key({ source: '79160000000' }), key({ dest: '1900' }), key({ text: 'VOTE 2' }),
    key({ part: { reference: 1, total: 2, seq: 1 } }), key({ part: { reference: 1, total: 2, seq: 2 } }), key({ part: { reference: 2, total: 2, seq: 1 } }),
  ];
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(key({ part: { reference: 1, total: 2, seq: 1 } }), key({ part: { reference: 1, total: 2, seq: 1 } }));
});

test('without any identity: keyed on content when configured, no key (never deduplicated) otherwise', () => {
  assert.equal(key(), key());
  assert.equal(key({}, false), null);
  assert.equal(key({ smscMessageId: '', smTimestamp: null }, false), null, 'an empty id is no id');
  assert.equal(key({ smscMessageId: 'a1' }, false), key({ smscMessageId: 'a1' }, true), 'an id still deduplicates');
});

test('keys cannot be forged by separators inside fields', () => {
  assert.notEqual(moDedupKey({ source: 'a","b', dest: 'c', text: '' }, true), moDedupKey({ source: 'a', dest: 'b","c', text: '' }, true));
});
