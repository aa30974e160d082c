import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import { AQ_NEVER_EXPIRES, claimedFromRow, mtExceptionMessage, mtQueueMessage, type MtQueueFields } from '../../daemon/storage/oracle/aq-message.js';
import { AqQueues } from '../../daemon/storage/oracle/aq-session.js';
import { queueStateOf } from '../../daemon/storage/oracle/mt-views.js';

const now = Date.parse('2026-11-26T10:00:00.000Z');

function fields(overrides: Partial<MtQueueFields> = {}): MtQueueFields {
  return {
    id: '0193a1b2-0000-7000-8000-000000000001' as MessageId,
    clientId: 'acme' as ClientId,
    routeId: 'mts-1' as RouteId,
    segments: 3,
    priority: 0,
    expiresAt: new Date(now + 60 * 60 * 1000),
    acceptedAt: new Date(now - 5000),
    attempts: 2,
    ...overrides,
  };
}

test('Oracle mapping: a message ready now has no delay, the route as correlation, our priority and the MT exception queue', () => {
  const message = mtQueueMessage(fields(), now, now);
  assert.equal(message.correlation, 'mts-1');
  assert.equal(message.priority, 0);
  assert.equal(message.delaySeconds, 0);
  assert.equal(message.expirationSeconds, 3600);
  assert.equal(message.exceptionQueue, AqQueues.mtException);
});

test('Oracle mapping: the payload carries id, client, route, segments, attempts and acceptance time', () => {
  const { payload } = mtQueueMessage(fields(), now, now);
  assert.deepEqual(payload, {
    MESSAGE_ID: '0193a1b2-0000-7000-8000-000000000001',
    CLIENT_ID: 'acme',
    ROUTE_ID: 'mts-1',
    SEGMENTS: 3,
    ATTEMPTS: 2,
    ACCEPTED_AT: new Date(now - 5000),
    READY_AT: null,
  });
});

test('Oracle mapping: a scheduled message waits whole seconds in AQ, the exact time in READY_AT, and expires counted from AQ-ready', () => {
  const readyAt = now + 90_500;
  const message = mtQueueMessage(fields({ expiresAt: new Date(now + 600_000) }), readyAt, now);
  // Rounded down: AQ must never hold it past its time; claims test READY_AT to the millisecond.
  assert.equal(message.delaySeconds, 90);
  assert.deepEqual(message.payload.READY_AT, new Date(readyAt));
  // AQ starts the expiration clock after the delay: 600 s − 90 s.
  assert.equal(message.expirationSeconds, 510);
});

test('Oracle mapping: a retry delay under a second is no AQ delay but a READY_AT in the future', () => {
  const message = mtQueueMessage(fields(), now + 60, now);
  assert.equal(message.delaySeconds, 0);
  assert.equal(message.payload.READY_AT?.getTime(), now + 60);
});

test('Oracle mapping: expiration is at least one second, since AQ reads 0 as expire at once', () => {
  assert.equal(mtQueueMessage(fields({ expiresAt: new Date(now + 200) }), now, now).expirationSeconds, 1);
  assert.equal(mtQueueMessage(fields({ expiresAt: new Date(now - 1000) }), now, now).expirationSeconds, 1);
});

test('Oracle mapping: a ready time now or in the past is no delay and no READY_AT (the node clock may run ahead of the database)', () => {
  const message = mtQueueMessage(fields(), now - 10_000, now);
  assert.equal(message.delaySeconds, 0);
  assert.equal(message.payload.READY_AT, null);
  assert.equal(mtQueueMessage(fields(), now, now).payload.READY_AT, null);
});

test('Oracle mapping: the exception queue message has no delay and never expires (AQ refuses either there)', () => {
  const message = mtExceptionMessage(fields());
  assert.equal(message.delaySeconds, 0);
  assert.equal(message.expirationSeconds, AQ_NEVER_EXPIRES);
  assert.equal(message.exceptionQueue, null);
  assert.equal(message.correlation, 'mts-1');
});

test('Oracle mapping: a claimed ledger row becomes a ClaimedMt with its attempt count', () => {
  const claimed = claimedFromRow({
    ID: 'm1', CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SENDER: 'ACME', RECIPIENT: '79161234567', TEXT: 'hi', ENCODING: 'ucs2',
    SEGMENTS: 1, PRIORITY: 1, EXPIRES_AT: new Date(now), DLR_REQUESTED: 1, ATTEMPTS: 2, ACCEPTED_AT: new Date(now - 1),
  });
  assert.equal(claimed.attempt, 2);
  assert.equal(claimed.encoding, 'ucs2');
  assert.equal(claimed.dlrRequested, true);
  assert.equal(claimed.text, 'hi');
});

test('Oracle mapping: an empty text (stored by Oracle as NULL) reads back as the empty string', () => {
  const claimed = claimedFromRow({
    ID: 'm1', CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SENDER: 'ACME', RECIPIENT: '7916', TEXT: null, ENCODING: 'gsm7',
    SEGMENTS: 1, PRIORITY: 1, EXPIRES_AT: new Date(now), DLR_REQUESTED: 0, ATTEMPTS: 1, ACCEPTED_AT: new Date(now),
  });
  assert.equal(claimed.text, '');
  assert.equal(claimed.dlrRequested, false);
});

test('Oracle mapping: the ledger state QUEUED is READY or WAITING as AQ has it; other states pass through', () => {
  assert.equal(queueStateOf('QUEUED', false), 'READY');
  assert.equal(queueStateOf('QUEUED', true), 'WAITING');
  assert.equal(queueStateOf('IN_DOUBT', false), 'IN_DOUBT');
  assert.equal(queueStateOf('EXCEPTION', false), 'EXCEPTION');
});
