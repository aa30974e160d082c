import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { submitSm } from '../unit/smpp-session-harness.js';
import { destination, driverFor, startTestSmsc, waitFor, type TestSmsc } from './smpp-driver-smsc.js';

let smsc: TestSmsc;

before(async () => {
  smsc = await startTestSmsc();
});

after(async () => {
  await smsc.close();
});

for (const windowSize of [10, 100]) {
  test(`1,000 submit_sm at window ${windowSize}: every response received, in-window at all times`, async () => {
    const { driver } = driverFor(smsc.port, { windowSize });
    driver.start();
    await waitFor('bound', () => driver.state === 'bound');
    const before = smsc.accepted.length;
    let maxOutstanding = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        const promise = driver.submit({ ...submitSm(`message ${i}`), destinationAddr: destination(i) }, i);
        maxOutstanding = Math.max(maxOutstanding, driver.load.outstanding);
        return promise;
      }),
    );
    assert.equal(outcomes.filter((o) => o.kind === 'accepted').length, 1000);
    const ids = new Set(outcomes.map((o) => (o.kind === 'accepted' && o.response.command === 'submit_sm_resp' ? o.response.messageId : '')));
    assert.equal(ids.size, 1000, 'a distinct SMSC message id for each');
    assert.deepEqual(smsc.accepted.slice(before), Array.from({ length: 1000 }, (_, i) => destination(i)), 'sent in order');
    assert.ok(maxOutstanding <= windowSize);
    assert.equal(driver.counters.unknownResponses, 0);
    await driver.stop();
  });
}

test('graceful stop: unbind after the outstanding responses, then closed; later submits are not sent', async () => {
  const { driver, events } = driverFor(smsc.port);
  driver.start();
  await waitFor('bound', () => driver.state === 'bound');
  const unbindsBefore = smsc.counts.unbinds;
  const inFlight = Array.from({ length: 20 }, (_, i) => driver.submit({ ...submitSm('x'), destinationAddr: destination(i) }, i));
  const stopped = driver.stop();
  const late = await driver.submit(submitSm('late'), 99);
  await stopped;
  const outcomes = await Promise.all(inFlight);
  assert.equal(outcomes.filter((o) => o.kind === 'accepted').length, 10, 'the window was answered');
  assert.equal(outcomes.filter((o) => o.kind === 'notSent').length, 10, 'the queued rest was never sent');
  assert.deepEqual(late, { kind: 'notSent', reason: 'stopping' });
  assert.equal(smsc.counts.unbinds, unbindsBefore + 1);
  assert.equal(driver.state, 'closed');
  assert.deepEqual(events.filter((e) => e.type === 'unbound'), [{ type: 'unbound', reason: 'unbound' }]);
  assert.equal(events.at(-1)?.type, 'stopped');
});

test('deliver_sm is answered only when the application answers', async () => {
  const { driver } = driverFor(smsc.port);
  const answers: ((status?: number) => void)[] = [];
  driver.onDeliver((pdu, answer) => {
    assert.equal(pdu.command, 'deliver_sm');
    answers.push(answer);
  });
  driver.start();
  await waitFor('bound', () => driver.state === 'bound');
  let status: number | null = null;
  const delivered = smsc.deliver('hello').then((s) => (status = s));
  await waitFor('delivery', () => answers.length === 1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(status, null, 'no deliver_sm_resp before the answer');
  answers[0]!();
  await delivered;
  assert.equal(status, 0);
  await driver.stop();
});

test('a wrong password: bindFailed, then reconnect attempts with growing delays until stopped', async () => {
  const { driver, events } = driverFor(smsc.port, { password: 'wrong' });
  driver.start();
  await waitFor('three attempts', () => events.filter((e) => e.type === 'reconnecting').length >= 3);
  await driver.stop();
  const failures = events.filter((e) => e.type === 'bindFailed');
  assert.ok(failures.length >= 3);
  assert.ok(failures.every((e) => e.type === 'bindFailed' && e.commandStatus === 0x0e));
  const delays = events.flatMap((e) => (e.type === 'reconnecting' ? [e.delayMs] : []));
  assert.ok(delays[0]! <= 50 && delays[2]! > 50, `delays ${delays.join(', ')}`);
});

test('a stopped driver does not start again', async () => {
  const { driver } = driverFor(smsc.port);
  const connectionsBefore = smsc.counts.connections;
  await driver.stop();
  driver.start();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(smsc.counts.connections, connectionsBefore);
  assert.equal(driver.state, 'closed');
  assert.deepEqual(await driver.submit(submitSm('x'), 1), { kind: 'notSent', reason: 'notBound' });
});
