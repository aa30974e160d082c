import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { EventChannel } from '../../daemon/dispatch/callback-channel.js';
import { CallbackSender, type CallbackSenderDeps } from '../../daemon/dispatch/callback-sender.js';
import { createLogger } from '../../daemon/log.js';
import type { CallbackClaimScope } from '../../daemon/storage/port.js';

/** What the callback sender asks of the store about scopes, with a channel whose binds the test sets. */
function harness(extra: Partial<CallbackSenderDeps> = {}) {
  const scopes: CallbackClaimScope[] = [];
  const deadLetterCalls: number[] = [];
  let bound: ClientId[] = [];
  let announce: ((clientId: ClientId) => void) | null = null;
  const channel: EventChannel = {
    deliver: async () => ({ kind: 'delivered' }),
    receivingClients: () => bound,
    onReceivingBind(listener) {
      announce = listener;
      return () => (announce = null);
    },
  };
  const sender = new CallbackSender({
    store: {
      async claimCallbacks(request) {
        scopes.push(request.scope);
        return [];
      },
      async completeCallback() {},
      async deadLetterUnclaimedSmppCallbacks(waitedMs) {
        deadLetterCalls.push(waitedMs);
        return 0;
      },
    },
    clientOf: () => undefined,
    logger: createLogger('silent'),
    owner: 'node-a',
    smppChannel: channel,
    // Polls far apart: a claim within the test comes from a start or a wake-up.
    options: { pollIntervalMs: 60_000 },
    ...extra,
  });
  return {
    sender, scopes, deadLetterCalls,
    bind(clientId: ClientId) {
      bound = [...bound, clientId];
      announce?.(clientId);
    },
    watching: () => announce !== null,
  };
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('callback sender: claims HTTP events and the SMPP events of clients bound here; a receiving bind wakes it at once', async () => {
  const h = harness();
  h.sender.start();
  try {
    await until('the first claim', () => h.scopes.length === 1);
    assert.deepEqual(h.scopes[0], { http: true, smppClients: [] });
    assert.deepEqual(h.deadLetterCalls, [24 * 3_600_000], 'unclaimed SMPP events are dead after the backoff\'s max age');
    h.bind('acme' as ClientId);
    await until('a claim after the bind (the next poll is a minute away)', () => h.scopes.length === 2);
    assert.deepEqual(h.scopes[1], { http: true, smppClients: ['acme'] });
    assert.deepEqual(h.deadLetterCalls.length, 1, 'the dead-letter check runs once a minute, not at every claim');
  } finally {
    await h.sender.stop();
  }
  assert.equal(h.watching(), false, 'stop() unsubscribes from the SMPP server');
});

test('callback sender: a given claim scope replaces the default; an empty one makes no claim', async () => {
  const h = harness({ claimScope: () => ({ http: false, smppClients: [] }) });
  h.sender.start();
  try {
    await until('the dead-letter check of the start', () => h.deadLetterCalls.length === 1);
    h.bind('acme' as ClientId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(h.scopes, [], 'nothing to claim: the store is not asked');
  } finally {
    await h.sender.stop();
  }
});
