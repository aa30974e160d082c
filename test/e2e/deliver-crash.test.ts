import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startReceiver, waitFor } from './callback-harness.js';
import { simulator, statusOf, submit, tempDir, type Submitted } from './deliver-harness.js';

const childScript = fileURLToPath(new URL('./deliver-node-child.js', import.meta.url));
const WINDOW = 10;

async function startChild(dbPath: string, smscPort: number, callbackUrl: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, [childScript, dbPath, String(smscPort), callbackUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.setEncoding('utf8');
  const line = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before serving`)));
  });
  const { baseUrl } = JSON.parse(await line) as { baseUrl: string };
  return { child, baseUrl };
}

test('a node kill -9ed mid-traffic and restarted on the same database: every accepted message delivered, duplicates within the window', async () => {
  const temp = tempDir();
  const smsc = await simulator();
  const receiver = await startReceiver(() => ({ status: 200 }));
  const dbPath = `${temp.dir}/smsproc.db`;
  const first = await startChild(dbPath, smsc.address().port, receiver.url);
  let second: Awaited<ReturnType<typeof startChild>> | null = null;
  try {
    const accepted: Submitted[] = [];
    const textOf = new Map<string, string>();
    let refused = 0;
    let stop = false;
    // Four clients' worth of traffic in the background; the kill lands while submits and deliveries are in progress.
    const loop = async (lane: number): Promise<void> => {
      for (let i = lane; !stop && i < 800; i += 4) {
        try {
          const text = `crash test ${i}`;
          const message = await submit(first.baseUrl, { to: `7916${String(i).padStart(7, '0')}`, text, dlr: true });
          accepted.push(message);
          textOf.set(message.id, text);
        } catch {
          refused += 1;
          return;
        }
      }
    };
    const traffic = Promise.all([0, 1, 2, 3].map(loop));
    await waitFor('traffic under way', () => smsc.stats().messages.total >= 100, 15_000);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    stop = true;
    await traffic;
    assert.ok(accepted.length >= 100);

    second = await startChild(dbPath, smsc.address().port, receiver.url);
    const baseUrl = second.baseUrl;
    await waitFor(
      'every accepted message delivered',
      async () => (await Promise.all(accepted.map((m) => statusOf(baseUrl, m.id)))).every((s) => s === 'delivered'),
      30_000,
    );
    const stats = smsc.stats();
    const texts = new Set((stats.received ?? []).map((m) => m.text));
    for (const message of accepted) assert.ok(texts.has(textOf.get(message.id) ?? ''), `message ${message.id} reached the SMSC`);
    assert.ok(stats.duplicates.messages <= WINDOW, `${stats.duplicates.messages} duplicates, at most the window (${WINDOW})`);
    assert.ok(refused <= 4);
  } finally {
    if (second !== null) {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
    if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
    await smsc.close();
    await receiver.close();
    temp.remove();
  }
});
