import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { PDU } from 'smpp';
import { bindEsme, closeEsme, request, waitFor } from '../../ops/smsc-sim/esme-client.js';

const main = fileURLToPath(new URL('../../ops/smsc-sim/main.js', import.meta.url));

test('the command serves SMPP and HTTP, logs JSON, and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [main, '--port', '0', '--control-port', '0', '--account', 'smsproc:secret:2:100',
    '--receipt-delay-ms', '10', '--status-mix', 'REJECTD=1', '--message-id-format', 'decimal'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout }).on('line', (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor('listening log', () => logs.some((entry) => entry.msg === 'SMSC simulator listening'), 5000);
    const listening = logs.find((entry) => entry.msg === 'SMSC simulator listening') as { smpp: { port: number }; control: { port: number } };
    const receipts: PDU[] = [];
    const { session, status } = await bindEsme(listening.smpp.port, 'smsproc', 'secret', 'transceiver', (pdu) => receipts.push(pdu));
    assert.equal(status, 0);
    const response = await request(session, 'submit_sm', { destination_addr: '79001234567', short_message: 'hi', registered_delivery: 1 });
    assert.match(String(response.message_id), /^\d+$/);
    await waitFor('receipt', () => receipts.length === 1);
    assert.equal(receipts[0]?.message_state, 8);
    const stats = await (await fetch(`http://127.0.0.1:${listening.control.port}/stats`)).json() as { submits: { total: number } };
    assert.equal(stats.submits.total, 1);
    const closed = new Promise<void>((resolve) => session.on('close', () => resolve()));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await closed;
    assert.ok(logs.some((entry) => entry.msg === 'stopping' && entry.signal === 'SIGTERM'));
    assert.ok(logs.some((entry) => entry.msg === 'bound' && entry.systemId === 'smsproc'));
    assert.ok(!JSON.stringify(logs).includes('secret'), 'the password is never logged');
    await closeEsme(session);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a bad option exits with a non-zero status and a message', async () => {
  const child = spawn(process.execPath, [main, '--account', 'only-two:fields'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.notEqual(code, 0);
  assert.match(stderr, /systemId:password:maxBinds:tps/);
});
