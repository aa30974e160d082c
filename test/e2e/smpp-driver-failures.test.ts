import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CommandStatus } from '../../daemon/smpp/command-status.js';
import { createLogger } from '../../daemon/log.js';
import { EsmeDriver } from '../../daemon/smpp/esme-driver.js';
import { sessionConfig, type SessionConfigInput } from '../../daemon/smpp/session-config.js';
import type { SubmitOutcome } from '../../daemon/smpp/session-types.js';
import { submitSm } from '../unit/smpp-session-harness.js';
import { destination, driverFor, startTestSmsc, waitFor, type TestSmsc, type TestSmscOptions } from './smpp-driver-smsc.js';

async function withSmsc(options: TestSmscOptions, body: (smsc: TestSmsc) => Promise<void>): Promise<void> {
  const smsc = await startTestSmsc(options);
  try {
    await body(smsc);
  } finally {
    await smsc.close();
  }
}

/** The failure tests watch the peer closely: a fast enquire_link watchdog and response timeout. */
function watchfulDriver(port: number, overrides: Partial<SessionConfigInput> = {}): ReturnType<typeof driverFor> {
  return driverFor(port, { enquireLinkIntervalMs: 100, enquireLinkTimeoutMs: 150, responseTimeoutMs: 2000, ...overrides });
}

/** What dispatch does: resend on retry and notSent (after the next bind); anything else is final. */
async function submitUntilFinal(driver: EsmeDriver<number>, i: number): Promise<SubmitOutcome> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const outcome = await driver.submit({ ...submitSm(`m${i}`), destinationAddr: destination(i) }, i);
    if (outcome.kind === 'notSent') await waitFor('bound again', () => driver.state === 'bound');
    else if (outcome.kind !== 'retry') return outcome;
  }
  throw new Error(`message ${i} still not final after 100 attempts`);
}

test('a peer that goes silent is found dead by the enquire_link watchdog; the driver reconnects and binds again', async () => {
  await withSmsc({}, async (smsc) => {
    const { driver, events } = watchfulDriver(smsc.port);
    driver.start();
    await waitFor('bound', () => driver.state === 'bound');
    smsc.silenceAll();
    const silenced = Date.now();
    const outcome = await driver.submit(submitSm('into the void'), 1);
    assert.ok(outcome.kind === 'connectionLost' || outcome.kind === 'timeout', outcome.kind);
    await waitFor('bound again', () => events.filter((e) => e.type === 'bound').length === 2);
    assert.ok(Date.now() - silenced < 1500, 'found within interval + timeout + backoff');
    assert.deepEqual(events.find((e) => e.type === 'unbound'), { type: 'unbound', reason: 'deadPeer' });
    assert.equal(events.filter((e) => e.type === 'reconnecting').length, 1);
    assert.equal(smsc.counts.connections, 2);
    assert.ok(driver.counters.enquireLinksSent >= 1);
    assert.equal((await driver.submit(submitSm('after'), 2)).kind, 'accepted');
    await driver.stop();
  });
});

test('an idle bound session keeps the link alive with enquire_link and is not closed', async () => {
  await withSmsc({}, async (smsc) => {
    const { driver, events } = watchfulDriver(smsc.port);
    driver.start();
    await waitFor('bound', () => driver.state === 'bound');
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.ok(smsc.counts.enquireLinks >= 3, `${smsc.counts.enquireLinks} enquire_link in 600 ms at 100 ms idle`);
    assert.equal(events.filter((e) => e.type === 'unbound').length, 0);
    await driver.stop();
  });
});

test('the SMSC drops the connection: sent requests are in doubt, the driver reconnects with backoff and carries on', async () => {
  await withSmsc({}, async (smsc) => {
    const { driver, events } = watchfulDriver(smsc.port);
    driver.start();
    await waitFor('bound', () => driver.state === 'bound');
    smsc.silenceAll();
    const lost = driver.submit(submitSm('lost'), 1);
    smsc.destroyAll();
    assert.deepEqual(await lost, { kind: 'connectionLost' });
    await waitFor('bound again', () => events.filter((e) => e.type === 'bound').length === 2);
    assert.deepEqual(events.find((e) => e.type === 'unbound'), { type: 'unbound', reason: 'socketClosed' });
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => submitUntilFinal(driver, i)));
    assert.ok(outcomes.every((o) => o.kind === 'accepted'));
    await driver.stop();
  });
});

test('a closed port: connection attempts back off exponentially (with jitter) up to the maximum', async () => {
  await withSmsc({}, async (smsc) => {
    const port = smsc.port;
    await smsc.close();
    const { driver, events } = watchfulDriver(port);
    const fixedRandom = new EsmeDriver<number>({
      host: '127.0.0.1',
      port,
      session: sessionConfig({ bindKind: 'transceiver', systemId: 'a', password: 'b', windowSize: 1, tps: 1 }),
      logger: createLogger('silent'),
      reconnect: { initialDelayMs: 10, maxDelayMs: 80, jitter: 0.5 },
      random: () => 0,
    });
    const fixedDelays: number[] = [];
    fixedRandom.onEvent((e) => {
      if (e.type === 'reconnecting') fixedDelays.push(e.delayMs);
    });
    driver.start();
    fixedRandom.start();
    await waitFor('five attempts', () => fixedDelays.length >= 5 && events.filter((e) => e.type === 'reconnecting').length >= 3);
    await Promise.all([driver.stop(), fixedRandom.stop()]);
    assert.deepEqual(fixedDelays.slice(0, 5), [10, 20, 40, 80, 80]);
    assert.equal(driver.state, 'closed');
  });
});

test('throttling responses slow the bind and nothing is lost: every message accepted exactly once', async () => {
  // Every 50th of the first 300 submits is answered ESME_RTHROTTLED, two others ESME_RMSGQFUL.
  const submitStatus = (i: number): number =>
    i < 300 && i % 50 === 49 ? CommandStatus.ESME_RTHROTTLED : i === 120 || i === 220 ? CommandStatus.ESME_RMSGQFUL : 0;
  await withSmsc({ submitStatus }, async (smsc) => {
    const { driver, events } = watchfulDriver(smsc.port, { tps: 1000, throttle: { pauseMs: 100, recoveryTpsPerSecond: 2000 }, enquireLinkIntervalMs: 30_000 });
    driver.start();
    await waitFor('bound', () => driver.state === 'bound');
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 500 }, (_, i) => submitUntilFinal(driver, i)));
    const elapsedMs = Date.now() - started;
    assert.ok(outcomes.every((o) => o.kind === 'accepted'));
    assert.equal(smsc.accepted.length, 500);
    assert.equal(new Set(smsc.accepted).size, 500, 'no duplicates');
    assert.ok(smsc.counts.submits > 500, 'throttled submits were sent again');
    const throttled = events.filter((e) => e.type === 'throttled');
    assert.ok(throttled.length >= 1);
    assert.equal(throttled[0]?.type === 'throttled' ? throttled[0].rateTps : 0, 500, 'halved');
    assert.ok(driver.counters.throttledResponses >= throttled.length);
    // Each rate cut pauses sending for 100 ms, and cuts never overlap a pause.
    assert.ok(elapsedMs >= throttled.length * 100, `${throttled.length} cuts in ${elapsedMs} ms`);
    await driver.stop();
  });
});

test('socket backpressure: when the peer stops reading, queued submits wait instead of piling into the socket', async () => {
  await withSmsc({}, async (smsc) => {
    const { driver } = watchfulDriver(smsc.port, { windowSize: 1000, enquireLinkIntervalMs: 30_000, responseTimeoutMs: 30_000 });
    driver.start();
    await waitFor('bound', () => driver.state === 'bound');
    smsc.silenceAll();
    const payload = Buffer.alloc(60_000, 0x41);
    const big = { ...submitSm(''), tlvs: [{ tag: 0x0424, value: payload }] };
    const outcomes = Array.from({ length: 1000 }, (_, i) => driver.submit(big, i));
    // The kernel's buffers take a few megabytes; then writes stop and the rest stays queued.
    let previous = -1;
    await waitFor('writes to stop', () => {
      const settled = driver.load.outstanding === previous;
      previous = driver.load.outstanding;
      return settled;
    }, 10_000, 100);
    const { outstanding, queued } = driver.load;
    assert.ok(queued > 0 && outstanding + queued === 1000, `outstanding ${outstanding}, queued ${queued}`);
    smsc.destroyAll();
    const kinds = new Set((await Promise.all(outcomes)).map((o) => o.kind));
    assert.deepEqual(kinds, new Set(['connectionLost', 'notSent']));
    await driver.stop();
  });
});
