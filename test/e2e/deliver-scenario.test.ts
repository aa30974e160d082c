import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ClientId } from '../../daemon/domain/ids.js';
import { signatureIsValid, startReceiver, waitFor } from './callback-harness.js';
import { CALLBACK_SECRET, SHORT_CODE, TOKEN, simulator, startNode, tempDir } from './deliver-harness.js';

interface Results {
  readonly tallies: Record<string, number>;
  readonly steps: Record<string, number>;
  readonly version: number;
}

test('MO at the SMSC → a vote scenario counts it once (a repeated MO included) → its reply MT reaches the SMSC from the short code; a call step asks the client', async () => {
  const temp = tempDir();
  const smsc = await simulator();
  const receiver = await startReceiver((entry) =>
    entry.url === '/ask'
      ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reply: `You asked: ${(JSON.parse(entry.body) as { text: string }).text}` }) }
      : { status: 200 },
  );
  const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url });
  try {
    await waitFor('the bind', () => smsc.stats().binds.open === 1);
    const version = await node.store.applyProvisioning([
      {
        op: 'scenario.put',
        scenario: {
          id: 'song-vote', clientId: 'acme' as ClientId, disabled: false,
          bindings: [{ shortCode: SHORT_CODE, keyword: 'VOTE', forward: false }],
          source: { use: 'vote', params: { options: { A: ['1', 'А'], B: ['2', 'Б'] } } },
        },
      },
      {
        op: 'scenario.put',
        scenario: {
          id: 'ask', clientId: 'acme' as ClientId, disabled: false,
          bindings: [{ shortCode: SHORT_CODE, keyword: 'ASK', forward: true }],
          source: { states: [{ id: 'asking', answers: [{ match: { any: true }, counts: false, call: { url: `${receiver.url}/ask` } }] }] },
        },
      },
    ]);
    await waitFor('the scenarios in delivery', () => node.delivery.provisioningVersion >= version);
    const repliesTo = (number: string): string[] => (smsc.stats().received ?? []).filter((m) => m.destination === number).map((m) => m.text);

    smsc.injectMo({ from: '79005550001', to: SHORT_CODE, text: 'VOTE 1' });
    await waitFor('the first reply', () => repliesTo('79005550001').length === 1);
    // The same MO again (the SMSC repeating it): the MO dedup gives it the first one's id; counted once.
    smsc.injectMo({ from: '79005550001', to: SHORT_CODE, text: 'VOTE 1' });
    smsc.injectMo({ from: '79005550001', to: SHORT_CODE, text: 'vote 2' });
    smsc.injectMo({ from: '79005550002', to: SHORT_CODE, text: 'Vote б' });
    smsc.injectMo({ from: '79005550003', to: SHORT_CODE, text: 'ASK what time is it' });
    // A concatenated MO is reassembled, then answered by the scenario like any other.
    assert.equal(smsc.injectMo({ from: '79005550004', to: SHORT_CODE, text: `VOTE 2 ${'because '.repeat(30)}`, parts: 2 }).parts, 2);
    await waitFor('every MO answered', () => smsc.stats().mo.acknowledged === 7);
    await waitFor('the replies', () => [2, 1, 1, 1].every((n, i) => repliesTo(`7900555000${i + 1}`).length === n));

    assert.deepEqual(repliesTo('79005550001'), ['Thank you! Your vote for A is counted.', 'You have already voted.']);
    assert.deepEqual(repliesTo('79005550002'), ['Thank you! Your vote for B is counted.']);
    assert.deepEqual(repliesTo('79005550003'), ['You asked: what time is it']);
    assert.deepEqual(repliesTo('79005550004'), ['Thank you! Your vote for B is counted.']);
    const sources = new Set((smsc.stats().received ?? []).map((m) => m.source));
    assert.deepEqual([...sources], [SHORT_CODE]);

    const response = await fetch(`${node.baseUrl}/api/v1/scenarios/song-vote/results`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    const results = (await response.json()) as Results;
    assert.deepEqual(results.tallies, { A: 1, B: 2 });
    assert.deepEqual(results.steps, { answered: 3, limited: 1 });
    assert.equal(results.version, 1);
    const unknown = await fetch(`${node.baseUrl}/api/v1/scenarios/nope/results`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(unknown.status, 404);

    // The vote is not forwarded; the ASK scenario forwards, and its call was signed with the client's secret.
    await waitFor('the forwarded ASK MO', () => receiver.received.some((e) => e.url === '/mo'));
    const forwarded = receiver.received.filter((e) => e.url === '/mo').map((e) => (JSON.parse(e.body) as { text: string }).text);
    assert.deepEqual(forwarded, ['ASK what time is it']);
    const calls = receiver.received.filter((e) => e.url === '/ask');
    assert.equal(calls.length, 1);
    assert.equal(signatureIsValid(CALLBACK_SECRET, calls[0]!), true);
    assert.equal((JSON.parse(calls[0]!.body) as { scenarioId: string }).scenarioId, 'ask');
  } finally {
    await node.close();
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
