import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import oracledb, { type AqDeqMessage, type AqDeqOptions, type AqEnqMessage, type AqQueue, type Connection } from 'oracledb';
import type { ClientId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import { mtExceptionMessage, mtQueueMessage } from '../../daemon/storage/oracle/aq-message.js';
import { AqQueues } from '../../daemon/storage/oracle/aq-session.js';
import { OracledbSession } from '../../daemon/storage/oracle/oracledb-session.js';

/**
 * Oracle adapter only: what the node-oracledb session wrapper asks of the driver, against a fake
 * connection and fake queue objects shaped like node-oracledb's: the options Thin mode needs
 * (ON_COMMIT visibility for array operations, no wait, REMOVE, first message, the READY_AT
 * condition), the correlation per dequeue, the payload object, owner-qualified names.
 */

class FakePayload {
  constructor(readonly fields: Record<string, unknown>) {}
}

interface FakeQueue extends AqQueue {
  readonly enqueued: AqEnqMessage[][];
  readonly dequeues: { correlation: string; max: number }[];
}

function fakeQueue(name: string, waiting: AqDeqMessage[]): FakeQueue {
  const enqueued: AqEnqMessage[][] = [];
  const dequeues: { correlation: string; max: number }[] = [];
  const deqOptions = { condition: '', correlation: '', mode: 0, navigation: 0, visibility: 0, wait: -1 } satisfies AqDeqOptions;
  return {
    name,
    payloadTypeClass: FakePayload,
    deqOptions,
    enqOptions: { visibility: 0 },
    enqueued,
    dequeues,
    async enqMany(messages: AqEnqMessage[]) {
      enqueued.push(messages);
      return messages;
    },
    async deqMany(max: number) {
      dequeues.push({ correlation: deqOptions.correlation, max });
      return waiting.splice(0, max);
    },
  };
}

function fakeConnection(queues: Map<string, FakeQueue>, opened: { name: string; payloadType: string | undefined }[]): Connection {
  const refuse = (): Promise<never> => Promise.reject(new Error('not used here'));
  return {
    execute: refuse,
    executeMany: refuse,
    async getQueue(name: string, options?: { payloadType?: string }) {
      opened.push({ name, payloadType: options?.payloadType });
      const queue = queues.get(name) ?? fakeQueue(name, []);
      queues.set(name, queue);
      return queue;
    },
    commit: refuse,
    rollback: refuse,
    close: refuse,
  };
}

const fields = {
  id: 'm1' as MessageId, clientId: 'acme' as ClientId, routeId: 'mts-1' as RouteId, segments: 1, priority: 0,
  expiresAt: new Date(Date.now() + 3_600_000), acceptedAt: new Date(), attempts: 0,
};

test('Oracle driver: queues open once with the payload type, ON_COMMIT both ways, no wait, REMOVE, first message, the READY_AT condition', async () => {
  const queues = new Map<string, FakeQueue>();
  const opened: { name: string; payloadType: string | undefined }[] = [];
  const session = new OracledbSession(fakeConnection(queues, opened), null);
  await session.enqueue(AqQueues.mt, [mtQueueMessage(fields, Date.now(), Date.now())]);
  await session.dequeue(AqQueues.mt, 'mts-1', 10);
  await session.dequeue(AqQueues.mt, 'beeline', 5);
  assert.deepEqual(opened, [{ name: 'SMSPROC_MT_Q', payloadType: 'SMSPROC_MT_PAYLOAD' }]);
  const queue = queues.get('SMSPROC_MT_Q');
  assert.ok(queue);
  assert.equal(queue.enqOptions.visibility, oracledb.AQ_VISIBILITY_ON_COMMIT);
  assert.equal(queue.deqOptions.visibility, oracledb.AQ_VISIBILITY_ON_COMMIT);
  assert.equal(queue.deqOptions.wait, oracledb.AQ_DEQ_NO_WAIT);
  assert.equal(queue.deqOptions.mode, oracledb.AQ_DEQ_MODE_REMOVE);
  assert.equal(queue.deqOptions.navigation, oracledb.AQ_DEQ_NAV_FIRST_MSG);
  assert.equal(queue.deqOptions.condition, 'tab.user_data.ready_at IS NULL OR tab.user_data.ready_at <= SYSTIMESTAMP');
  assert.deepEqual(queue.dequeues, [{ correlation: 'mts-1', max: 10 }, { correlation: 'beeline', max: 5 }]);
});

test('Oracle driver: a fair claim\'s per-client dequeue adds the client to the condition, and the next dequeue drops it', async () => {
  const queues = new Map<string, FakeQueue>();
  const session = new OracledbSession(fakeConnection(queues, []), null);
  const conditions: string[] = [];
  const queue = fakeQueue('SMSPROC_MT_Q', []);
  queues.set('SMSPROC_MT_Q', { ...queue, deqMany: async (max: number) => {
    conditions.push(queue.deqOptions.condition);
    return queue.deqMany(max);
  } });
  await session.dequeue(AqQueues.mt, 'mts-1', 3, 'acme');
  await session.dequeue(AqQueues.mt, 'mts-1', 3);
  const ready = 'tab.user_data.ready_at IS NULL OR tab.user_data.ready_at <= SYSTIMESTAMP';
  assert.deepEqual(conditions, [`(${ready}) AND tab.user_data.client_id = 'acme'`, ready]);
});

test('Oracle driver: an enqueued message carries its properties and a payload object of the queue type', async () => {
  const queues = new Map<string, FakeQueue>();
  const session = new OracledbSession(fakeConnection(queues, []), null);
  const now = Date.now();
  await session.enqueue(AqQueues.mt, [mtQueueMessage(fields, now + 2500, now)]);
  await session.enqueue(AqQueues.mtException, [mtExceptionMessage(fields)]);
  const message = queues.get('SMSPROC_MT_Q')?.enqueued[0]?.[0];
  assert.ok(message);
  assert.ok(message.payload instanceof FakePayload);
  assert.equal((message.payload as FakePayload).fields.MESSAGE_ID, 'm1');
  assert.deepEqual((message.payload as FakePayload).fields.READY_AT, new Date(now + 2500));
  assert.deepEqual([message.correlation, message.priority, message.delay, message.exceptionQueue], ['mts-1', 0, 2, 'SMSPROC_MT_EQ']);
  const dead = queues.get('SMSPROC_MT_EQ')?.enqueued[0]?.[0];
  assert.ok(dead);
  assert.equal('exceptionQueue' in dead, false, 'no exception queue named for a message in the exception queue');
  assert.equal(dead.expiration, -1);
});

test('Oracle driver: with a schema owner, queue and type names are qualified', async () => {
  const opened: { name: string; payloadType: string | undefined }[] = [];
  const session = new OracledbSession(fakeConnection(new Map(), opened), 'smsproc');
  await session.dequeue(AqQueues.mt, 'mts-1', 1);
  assert.deepEqual(opened, [{ name: 'SMSPROC.SMSPROC_MT_Q', payloadType: 'SMSPROC.SMSPROC_MT_PAYLOAD' }]);
});

test('Oracle driver: empty enqueues and dequeues of nothing never reach the driver', async () => {
  const opened: { name: string; payloadType: string | undefined }[] = [];
  const session = new OracledbSession(fakeConnection(new Map(), opened), null);
  await session.enqueue(AqQueues.mt, []);
  assert.deepEqual(await session.dequeue(AqQueues.mt, 'mts-1', 0), []);
  assert.deepEqual(await session.executeMany({ name: 'x', sql: 'UPDATE t SET a = :a' }, []), []);
  assert.deepEqual(opened, []);
});

test('Oracle driver: a dequeued message is read back with its payload fields and a hex msgid', async () => {
  const queues = new Map<string, FakeQueue>();
  const acceptedAt = new Date();
  queues.set('SMSPROC_MT_Q', fakeQueue('SMSPROC_MT_Q', [{
    correlation: 'mts-1', delay: 0, exceptionQueue: 'SMSPROC_MT_EQ', expiration: 60, msgId: Buffer.from('0a0b', 'hex'), numAttempts: 0,
    payload: { MESSAGE_ID: 'm1', CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SEGMENTS: 2, ATTEMPTS: 1, ACCEPTED_AT: acceptedAt, READY_AT: null },
    priority: 1, state: 0,
  }]));
  const session = new OracledbSession(fakeConnection(queues, []), null);
  const [message] = await session.dequeue(AqQueues.mt, 'mts-1', 5);
  assert.deepEqual(message, {
    payload: { MESSAGE_ID: 'm1', CLIENT_ID: 'acme', ROUTE_ID: 'mts-1', SEGMENTS: 2, ATTEMPTS: 1, ACCEPTED_AT: acceptedAt, READY_AT: null },
    correlation: 'mts-1', priority: 1, msgId: '0a0b',
  });
});
