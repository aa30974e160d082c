import { strict as assert } from 'node:assert';
import { after, test } from 'node:test';
import { pgUnreachable, withAdmin } from '../support/postgres.js';
import { startReceiver, waitFor, type Receiver } from './callback-harness.js';
import { simulator, startNode, submit, tempDir } from './deliver-harness.js';
import { dropPgRun, startPgRun } from './deliver-store.js';
import type { SmscSimulator } from '../../ops/smsc-sim/simulator.js';

/**
 * LISTEN/NOTIFY wake-ups on PostgreSQL (docs/storage.md, "Wake-ups"): with dispatch and callback
 * polls of 5 s, a message reaches the SMSC and its receipt the client well within 2 s; after the
 * listening session is killed it comes back, a message committed while it was down is delivered
 * (once), and wake-ups work again.
 */
const unreachable = await pgUnreachable();
if (unreachable === null) {
  const run = startPgRun();
  after(() => dropPgRun(run));

  interface Session { readonly pid: number; readonly backendStart: Date }
  const sessionsOf = (name: string): Promise<Session[]> => withAdmin(async (client) => {
    // Idle after its LISTEN: the session listens.
    const { rows } = await client.query<{ pid: number; backend_start: Date }>(
      `SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle' AND query LIKE 'LISTEN%'`, [name],
    );
    return rows.map((row) => ({ pid: row.pid, backendStart: row.backend_start }));
  });
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  const pollMs = 5_000;
  /** Far below the 5 s polls, generous for a loaded machine. */
  const wokenWithinMs = 2_000;

  test('PostgreSQL wake-ups: submit and receipt callback well before the polls; the listener killed, reconnected, nothing lost or doubled', async () => {
    const temp = tempDir();
    const smsc: SmscSimulator = await simulator();
    const receiver: Receiver = await startReceiver(() => ({ status: 200 }));
    const nodeId = `wake-${run}`;
    const listenerName = `smsproc/${nodeId}/listen`;
    const node = await startNode({
      dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url, node: { id: nodeId, site: 'a' },
      dispatch: { claimIdleMs: pollMs }, callbacks: { pollIntervalMs: pollMs },
    });
    const atSmsc = (to: string): number => smsc.stats().received?.filter((m) => m.destination === to).length ?? 0;
    const dlrsOf = (id: string): number => receiver.received.filter((e) => e.url === '/dlr' && (JSON.parse(e.body) as { messageId: string }).messageId === id).length;
    const sent: { id: string; to: string }[] = [];
    /** Submits one message; how long after its commit it reached the SMSC and its DLR callback the client. */
    const deliver = async (text: string): Promise<{ committedAt: number; submitMs: number; callbackMs: number }> => {
      const to = `7916555${String(sent.length).padStart(4, '0')}`;
      const message = await submit(node.baseUrl, { to, text, dlr: true });
      const committedAt = Date.now();
      sent.push({ id: message.id, to });
      await waitFor(`${text} at the SMSC`, () => atSmsc(to) >= 1, 3 * pollMs);
      const submitMs = Date.now() - committedAt;
      await waitFor(`${text} DLR callback`, () => dlrsOf(message.id) >= 1, 3 * pollMs);
      return { committedAt, submitMs, callbackMs: Date.now() - committedAt };
    };
    try {
      await waitFor('bound', () => smsc.stats().binds.open === 1);
      await waitFor('listening', async () => (await sessionsOf(listenerName)).length === 1);
      // The claims that follow a bind, an ack or a callback are done: both loops wait out their 5 s polls.
      await sleep(500);
      const first = await deliver('woken');
      assert.ok(first.submitMs < wokenWithinMs, `submitted ${first.submitMs} ms after commit`);
      assert.ok(first.callbackMs < wokenWithinMs, `DLR callback ${first.callbackMs} ms after commit`);
      await sleep(500);

      // Killed, the listener reconnects (100 ms backoff): a message whose commit beat the new session was
      // announced to nobody and is found by the wake every listener gets on reconnect. Tried until one did.
      let whileDown: { submitMs: number; callbackMs: number } | null = null;
      for (let attempt = 0; attempt < 5 && whileDown === null; attempt += 1) {
        const [old] = await sessionsOf(listenerName);
        assert.ok(old !== undefined, 'the listening session');
        const { rows } = await withAdmin((client) => client.query<{ killed: boolean }>('SELECT pg_terminate_backend($1) AS killed', [old.pid]));
        assert.equal(rows[0]?.killed, true);
        const result = await deliver(`while down ${attempt}`);
        await waitFor('listening again', async () => (await sessionsOf(listenerName)).some((s) => s.pid !== old.pid));
        const [again] = await sessionsOf(listenerName);
        if (again !== undefined && again.backendStart.getTime() > result.committedAt) whileDown = result;
        await sleep(500);
      }
      assert.ok(whileDown !== null, 'a message committed while no session listened');
      assert.ok(whileDown.submitMs < wokenWithinMs, `committed while down, submitted ${whileDown.submitMs} ms after commit`);

      const later = await deliver('woken again');
      assert.ok(later.submitMs < wokenWithinMs, `after the reconnect, submitted ${later.submitMs} ms after commit`);
      assert.ok(later.callbackMs < wokenWithinMs, `after the reconnect, DLR callback ${later.callbackMs} ms after commit`);

      // Exactly once: every message submitted once, one DLR callback each.
      await sleep(300);
      for (const { id, to } of sent) {
        assert.equal(atSmsc(to), 1, `${to} submitted once`);
        assert.equal(dlrsOf(id), 1, `${id} one DLR callback`);
      }
      assert.equal(smsc.stats().duplicates.messages, 0);
    } finally {
      await node.close();
      await smsc.close();
      await receiver.close();
      temp.remove();
    }
  });

  test('the listening session closes with the store', async () => {
    const temp = tempDir();
    const smsc = await simulator();
    const receiver = await startReceiver(() => ({ status: 200 }));
    const nodeId = `wake-close-${run}`;
    const node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: receiver.url, node: { id: nodeId, site: 'a' } });
    try {
      await waitFor('listening', async () => (await sessionsOf(`smsproc/${nodeId}/listen`)).length === 1);
    } finally {
      await node.close();
      await smsc.close();
      await receiver.close();
      temp.remove();
    }
    await waitFor('no listening session left', async () => (await sessionsOf(`smsproc/${nodeId}/listen`)).length === 0);
  });
} else {
  console.error(`wake-up tests on PostgreSQL NOT RUN: no server at the test URL: ${unreachable}`);
}
