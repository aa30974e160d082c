import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { CommandStatus } from '../../daemon/smpp/command-status.js';
import { deliverSm, SessionHarness } from './smpp-session-harness.js';

type Action =
  | { kind: 'submit' }
  | { kind: 'respond'; pick: number; status: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'deliver'; seq: number }
  | { kind: 'answerAll' }
  | { kind: 'unknownResponse'; seq: number }
  | { kind: 'peerEnquireLink' }
  | { kind: 'unbindRequested' }
  | { kind: 'socketClosed' }
  | { kind: 'rebind' }
  | { kind: 'writeBlocked' }
  | { kind: 'writeDrained' };

const statuses = [0, 0, 0, CommandStatus.ESME_RTHROTTLED, CommandStatus.ESME_RMSGQFUL, CommandStatus.ESME_RSYSERR, CommandStatus.ESME_RINVDSTADR];

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'submit' as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('respond' as const), pick: fc.nat(), status: fc.constantFrom(...statuses) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deliver' as const), seq: fc.integer({ min: 1, max: 50 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'answerAll' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unknownResponse' as const), seq: fc.integer({ min: 1, max: 0x7fffffff }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'peerEnquireLink' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unbindRequested' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'socketClosed' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'rebind' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'writeBlocked' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'writeDrained' as const }) },
);

test('any sequence of events: every submit ends exactly once, the window holds, nothing is sent while closed', () => {
  fc.assert(
    fc.property(fc.array(action, { maxLength: 200 }), fc.integer({ min: 1, max: 8 }), (actions, windowSize) => {
      const h = new SessionHarness({ windowSize, tps: 50, responseTimeoutMs: 10_000, enquireLinkIntervalMs: 15_000 });
      const counts = new Map<string, number>();
      let submitted = 0;
      const deliveries: { connection: number; seq: number }[] = [];
      h.bind();
      for (const a of actions) {
        const closedBefore = h.state.phase === 'closed';
        let effects;
        switch (a.kind) {
          case 'submit':
            effects = h.submit(`t${submitted++}`);
            break;
          case 'respond': {
            const seqs = [...h.state.outstanding.keys()];
            effects = seqs.length === 0 ? [] : h.respond(seqs[a.pick % seqs.length]!, a.status);
            break;
          }
          case 'advance':
            effects = h.advance(a.ms);
            break;
          case 'deliver':
            effects = h.receive(deliverSm(a.seq, 'mo'));
            for (const e of effects) if (e.type === 'deliver') deliveries.push({ connection: e.connection, seq: e.pdu.sequenceNumber });
            break;
          case 'answerAll':
            effects = deliveries.splice(0).flatMap((d) => h.step({ type: 'answer', connection: d.connection, sequenceNumber: d.seq, commandStatus: 0 }));
            break;
          case 'unknownResponse':
            effects = h.state.outstanding.has(a.seq) ? [] : h.respond(a.seq);
            break;
          case 'peerEnquireLink':
            effects = h.receive({ command: 'enquire_link', commandStatus: 0, sequenceNumber: 9, tlvs: [] });
            break;
          case 'unbindRequested':
            effects = h.step({ type: 'unbindRequested' });
            break;
          case 'socketClosed':
            effects = h.step({ type: 'socketClosed' });
            break;
          case 'rebind':
            if (h.state.phase !== 'closed') continue;
            h.bind();
            continue;
          case 'writeBlocked':
          case 'writeDrained':
            effects = h.step({ type: a.kind });
            break;
        }
        if (closedBefore) assert.equal(effects.filter((e) => e.type === 'send').length, 0, `sent while closed on ${a.kind}`);
        assert.ok(h.state.outstanding.size <= windowSize);
        for (const e of effects) if (e.type === 'outcome') counts.set(e.tag, (counts.get(e.tag) ?? 0) + 1);
      }
      for (const e of h.step({ type: 'socketClosed' })) if (e.type === 'outcome') counts.set(e.tag, (counts.get(e.tag) ?? 0) + 1);
      assert.equal(counts.size, submitted, 'every submit has an outcome');
      for (const [tag, n] of counts) assert.equal(n, 1, `${tag} ended ${n} times`);
    }),
    { numRuns: 300 },
  );
});
