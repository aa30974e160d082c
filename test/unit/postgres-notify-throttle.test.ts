import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { NotifyThrottle } from '../../daemon/storage/postgres/wakeups.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('NotifyThrottle: the first transaction of a window notifies itself; the later ones get one trailing notification', async () => {
  const sent: string[] = [];
  const throttle = new NotifyThrottle((channel, payload) => {
    sent.push(`${channel}:${payload}`);
    return Promise.resolve();
  }, 200);
  try {
    assert.equal(throttle.take('mt', 'r1'), true);
    // Another route and the other channel have windows of their own.
    assert.equal(throttle.take('mt', 'r2'), true);
    assert.equal(throttle.take('callbacks', ''), true);
    assert.equal(throttle.take('mt', 'r1'), false);
    assert.equal(throttle.take('mt', 'r1'), false);
    assert.deepEqual(sent, []);
    await sleep(600);
    // One trailing notification for the two left out, on the database's channel name.
    assert.deepEqual(sent, ['smsproc_mt:r1']);
    // The trailing one opened a new window; after it, a transaction notifies itself again.
    await sleep(250);
    assert.equal(throttle.take('mt', 'r1'), true);
  } finally {
    throttle.close();
  }
});

test('NotifyThrottle: close cancels trailing notifications', async () => {
  const sent: string[] = [];
  const throttle = new NotifyThrottle((channel) => {
    sent.push(channel);
    return Promise.resolve();
  }, 100);
  assert.equal(throttle.take('callbacks', ''), true);
  assert.equal(throttle.take('callbacks', ''), false);
  throttle.close();
  await sleep(300);
  assert.deepEqual(sent, []);
});
