import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import smpp from 'smpp';
import type { ClientId, MessageId } from '../../daemon/domain/ids.js';
import { decodePdu } from '../../daemon/smpp/codec.js';
import type { Pdu } from '../../daemon/smpp/pdu.js';
import { closeEsme, request } from '../../ops/smsc-sim/esme-client.js';
import { waitFor } from './callback-harness.js';
import type { SmscSimulator } from '../../ops/smsc-sim/simulator.js';
import { dissectSmppFrames } from '../tshark-smpp.js';
import { simulator, startNode, tempDir, type Node } from './deliver-harness.js';
import { addSmppClient, bindRecording, rawConnection, shortMessageText, submitSm } from './smpp-server-harness.js';

/**
 * The SMPP server for clients over real TCP, with the `smpp` package as the client (not our codec),
 * a real SQLite store, and the SMSC simulator behind the route.
 */
let temp: { dir: string; remove(): void };
let smsc: SmscSimulator;
let node: Node;
let port: number;

before(async () => {
  temp = tempDir();
  smsc = await simulator();
  node = await startNode({ dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: 'http://127.0.0.1:9', smppServer: {}, callbacks: { backoff: { firstDelayMs: 200, maxDelayMs: 400, maxAgeMs: 60_000, jitterRatio: 0 } } });
  port = node.smppServer!.port;
  await addSmppClient(node, { id: 'smppco', password: 'secret1', maxBinds: 2, shortCodes: ['5555'] });
  await addSmppClient(node, { id: 'slowco', password: 'slow', maxTps: 5 });
  await addSmppClient(node, { id: 'fullco', password: 'full', maxQueued: 3 });
  await addSmppClient(node, { id: 'farco', password: 'far', allowedIps: ['10.9.9.9'] });
  await waitFor('route bound', () => smsc.stats().binds.open === 1);
});

after(async () => {
  await node.close();
  await smsc.close();
  temp.remove();
});

test('binds: good credentials bind (system_id smsproc); a wrong password, an unknown system_id and an address off the allowlist are refused', async () => {
  const good = await bindRecording(port, 'smppco', 'secret1');
  assert.equal(good.bindStatus, smpp.ESME_ROK);
  const wrong = await bindRecording(port, 'smppco', 'nope');
  assert.equal(wrong.bindStatus, smpp.ESME_RINVPASWD);
  const unknown = await bindRecording(port, 'nobody', 'secret1');
  assert.equal(unknown.bindStatus, smpp.ESME_RINVSYSID);
  const far = await bindRecording(port, 'farco', 'far');
  assert.equal(far.bindStatus, smpp.ESME_RBINDFAIL);
  await waitFor('refused sessions closed by the server', () => [wrong, unknown, far].every((s) => s.session.socket.destroyed || !s.session.socket.readable));
  assert.equal(node.smppServer!.bindCount('smppco' as ClientId), 1);
  for (const s of [good, wrong, unknown, far]) await closeEsme(s.session);
});

test('bind limit: a third bind of a client with maxBinds 2 gets ESME_RBINDFAIL; a freed slot binds again; a second bind on one session gets ESME_RALYBND', async () => {
  const first = await bindRecording(port, 'smppco', 'secret1');
  const second = await bindRecording(port, 'smppco', 'secret1', 'receiver');
  const third = await bindRecording(port, 'smppco', 'secret1', 'transmitter');
  assert.deepEqual([first.bindStatus, second.bindStatus, third.bindStatus], [smpp.ESME_ROK, smpp.ESME_ROK, smpp.ESME_RBINDFAIL]);
  const again = await request(first.session, 'bind_transceiver', { system_id: 'smppco', password: 'secret1' });
  assert.equal(again.command_status, smpp.ESME_RALYBND);
  await closeEsme(first.session);
  await waitFor('slot freed', () => node.smppServer!.bindCount('smppco' as ClientId) === 1);
  const fourth = await bindRecording(port, 'smppco', 'secret1');
  assert.equal(fourth.bindStatus, smpp.ESME_ROK);
  for (const s of [second, third, fourth]) await closeEsme(s.session);
  await waitFor('all closed', () => node.smppServer!.bindCount('smppco' as ClientId) === 0);
});

test('submit_sm is durable before submit_sm_resp, with our id; the receipt comes back as deliver_sm (text and TLVs); both PDUs checked with tshark', async () => {
  const client = await bindRecording(port, 'smppco', 'secret1');
  assert.equal(client.bindStatus, smpp.ESME_ROK);
  const response = await submitSm(client.session, { destination_addr: '79161230001', short_message: 'Hello over SMPP', registered_delivery: 1 });
  assert.equal(response.command_status, smpp.ESME_ROK);
  const id = String(response.message_id);
  assert.match(id, /^[0-9a-f-]{36}$/, 'our UUIDv7 id');
  // Durable at the answer: the ledger has it.
  const stored = await node.store.findMessage('smppco' as ClientId, { id: id as MessageId });
  assert.ok(stored !== null, 'the message is in the store when submit_sm_resp arrives');
  assert.equal(stored.sender, 'SMPPCO');
  assert.equal(stored.recipient, '79161230001');

  await waitFor('receipt deliver_sm', () => client.delivered.length === 1, 10_000);
  const receipt = client.delivered[0]!;
  assert.equal(receipt.esm_class, 0x04);
  assert.equal(receipt.receipted_message_id, id);
  assert.equal(receipt.message_state, 2);
  assert.equal(receipt.source_addr, '79161230001');
  assert.equal(receipt.destination_addr, 'SMPPCO');
  assert.match(shortMessageText(receipt), new RegExp(`^id:${id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:$`));

  const decoded = client.frames.map((frame) => ({ frame, result: decodePdu(frame) }));
  const pick = (command: Pdu['command']): Buffer => decoded.find((d) => d.result.ok && d.result.pdu.command === command)!.frame;
  const rows = dissectSmppFrames([pick('submit_sm_resp'), pick('deliver_sm')]);
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row['_ws.malformed'], '', 'tshark finds no malformed PDU');
    assert.equal(row['_ws.expert.severity'], '', 'tshark raises no expert notice');
  }
  assert.equal(Number(rows[0]!['smpp.command_id']), 0x80000004);
  assert.equal(rows[0]!['smpp.message_id'], id);
  assert.equal(Number(rows[1]!['smpp.command_id']), 0x00000005);
  assert.equal(rows[1]!['smpp.receipted_message_id'], id);
  assert.equal(Number(rows[1]!['smpp.message_state']), 2);
  assert.equal(rows[1]!['smpp.source_addr'], '79161230001');
  await closeEsme(client.session);
});

test('a long message in two UDH parts is accepted as one message once both parts are in; both parts answered with its id', async () => {
  const client = await bindRecording(port, 'smppco', 'secret1', 'transmitter');
  const udh = (seq: number): Buffer => Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, seq]);
  const first = 'A'.repeat(153);
  const second = 'tail of the long message';
  const [one, two] = await Promise.all([
    submitSm(client.session, { destination_addr: '79161230002', esm_class: 0x40, short_message: Buffer.concat([udh(1), Buffer.from(first, 'latin1')]) }),
    submitSm(client.session, { destination_addr: '79161230002', esm_class: 0x40, short_message: Buffer.concat([udh(2), Buffer.from(second, 'latin1')]) }),
  ]);
  assert.equal(one.command_status, smpp.ESME_ROK);
  assert.equal(two.command_status, smpp.ESME_ROK);
  assert.equal(one.message_id, two.message_id);
  const stored = await node.store.findMessage('smppco' as ClientId, { id: String(one.message_id) as MessageId });
  assert.equal(stored?.segments, 2);
  await waitFor('the simulator got both parts', () => (smsc.stats().received ?? []).filter((m) => m.destination === '79161230002').length === 2, 10_000);
  const texts = (smsc.stats().received ?? []).filter((m) => m.destination === '79161230002').map((m) => m.text).join('');
  assert.equal(texts, first + second);
  await closeEsme(client.session);
});

test('MO to the client\'s short code reaches it as deliver_sm over its receiver bind', async () => {
  const receiver = await bindRecording(port, 'smppco', 'secret1', 'receiver');
  assert.equal(receiver.bindStatus, smpp.ESME_ROK);
  smsc.injectMo({ from: '79005550001', to: '5555', text: 'Привет over SMPP' });
  await waitFor('MO deliver_sm', () => receiver.delivered.length === 1, 10_000);
  const mo = receiver.delivered[0]!;
  assert.equal(mo.source_addr, '79005550001');
  assert.equal(mo.destination_addr, '5555');
  assert.equal(mo.esm_class, 0);
  assert.equal(mo.data_coding, 8);
  assert.equal(shortMessageText(mo), 'Привет over SMPP');
  await closeEsme(receiver.session);
});

test('a receipt raised while no receiver bind is up waits in the outbox and is delivered once the client binds', async () => {
  const transmitter = await bindRecording(port, 'smppco', 'secret1', 'transmitter');
  const response = await submitSm(transmitter.session, { destination_addr: '79161230003', short_message: 'later receipt', registered_delivery: 1 });
  assert.equal(response.command_status, smpp.ESME_ROK);
  await closeEsme(transmitter.session);
  const id = String(response.message_id) as MessageId;
  await waitFor('delivered', async () => (await node.store.findMessage('smppco' as ClientId, { id }))?.status === 'delivered', 10_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await node.store.callbackBacklog()).get('smppco' as ClientId), 1, 'the receipt waits in the outbox');
  assert.equal((await node.store.waitingSmppCallbacks()).get('smppco' as ClientId)?.events, 1, 'unclaimed: no receiving bind is up');
  const receiver = await bindRecording(port, 'smppco', 'secret1', 'receiver');
  await waitFor('the held receipt', () => receiver.delivered.some((pdu) => pdu.receipted_message_id === id), 10_000);
  await closeEsme(receiver.session);
});

test('above the client\'s maximum rate submit_sm gets ESME_RTHROTTLED, never silence', async () => {
  const client = await bindRecording(port, 'slowco', 'slow', 'transmitter');
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => submitSm(client.session, { source_addr: 'SLOWCO', destination_addr: `7916123${String(100 + i).padStart(4, '0')}`, short_message: `rate ${i}` })));
  const statuses = responses.map((r) => r.command_status);
  assert.equal(statuses.length, 20, 'every submit answered');
  const ok = statuses.filter((s) => s === smpp.ESME_ROK).length;
  const throttled = statuses.filter((s) => s === smpp.ESME_RTHROTTLED).length;
  assert.equal(ok + throttled, 20);
  assert.ok(ok >= 5 && ok <= 7, `about one second's worth (5) accepted, got ${ok}`);
  await closeEsme(client.session);
});

test('above the client\'s maximum queue submit_sm gets ESME_RMSGQFUL', async () => {
  const client = await bindRecording(port, 'fullco', 'full', 'transmitter');
  // Scheduled an hour ahead, so they stay queued.
  const later = '000000010000000R';
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await submitSm(client.session, { source_addr: 'FULLCO', destination_addr: `7916124000${i}`, short_message: `queued ${i}`, schedule_delivery_time: later });
    statuses.push(r.command_status);
  }
  assert.deepEqual(statuses, [smpp.ESME_ROK, smpp.ESME_ROK, smpp.ESME_ROK, smpp.ESME_RMSGQFUL]);
  await closeEsme(client.session);
});

test('data_sm (text in message_payload) is accepted like submit_sm, with our id in data_sm_resp', async () => {
  const client = await bindRecording(port, 'smppco', 'secret1', 'transmitter');
  const response = await request(client.session, 'data_sm', {
    source_addr_ton: 5, source_addr: 'SMPPCO', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '79161230006', message_payload: 'data_sm text',
  });
  assert.equal(response.command, 'data_sm_resp');
  assert.equal(response.command_status, smpp.ESME_ROK);
  const stored = await node.store.findMessage('smppco' as ClientId, { id: String(response.message_id) as MessageId });
  assert.equal(stored?.recipient, '79161230006');
  await closeEsme(client.session);
});

test('refusals keep their registry codes: an unregistered sender ESME_RINVSRCADR, a bad number ESME_RINVDSTADR, submit on a receiver ESME_RINVBNDSTS', async () => {
  const client = await bindRecording(port, 'smppco', 'secret1');
  const sender = await submitSm(client.session, { source_addr: 'OTHER', destination_addr: '79161230004', short_message: 'x' });
  assert.equal(sender.command_status, 0x0a);
  const destination = await submitSm(client.session, { destination_addr: '12', short_message: 'x' });
  assert.equal(destination.command_status, smpp.ESME_RINVDSTADR);
  await closeEsme(client.session);
  const receiver = await bindRecording(port, 'smppco', 'secret1', 'receiver');
  const onReceiver = await submitSm(receiver.session, { destination_addr: '79161230004', short_message: 'x' });
  assert.equal(onReceiver.command_status, smpp.ESME_RINVBNDSTS);
  await closeEsme(receiver.session);
});

test('a malformed PDU gets generic_nack and the session continues (enquire_link, then a submit accepted)', async () => {
  const raw = await rawConnection(port);
  try {
    raw.write(new smpp.PDU('bind_transceiver', { system_id: 'smppco', password: 'secret1', sequence_number: 1 }).toBuffer());
    assert.equal((await raw.next()).command_status, smpp.ESME_ROK);
    // An unknown command_id: 16 octets, id 0x00000999, sequence 4242.
    const unknown = Buffer.alloc(16);
    unknown.writeUInt32BE(16, 0);
    unknown.writeUInt32BE(0x999, 4);
    unknown.writeUInt32BE(4242, 12);
    raw.write(unknown);
    const nack = await raw.next();
    assert.equal(nack.command, 'generic_nack');
    assert.equal(nack.command_status, smpp.ESME_RINVCMDID);
    assert.equal(nack.sequence_number, 4242);
    raw.write(new smpp.PDU('enquire_link', { sequence_number: 2 }).toBuffer());
    const link = await raw.next();
    assert.equal(link.command, 'enquire_link_resp');
    raw.write(new smpp.PDU('submit_sm', { sequence_number: 3, source_addr: 'SMPPCO', destination_addr: '79161230005', short_message: 'after the nack' }).toBuffer());
    const submitted = await raw.next();
    assert.equal(submitted.command, 'submit_sm_resp');
    assert.equal(submitted.command_status, smpp.ESME_ROK);
  } finally {
    raw.close();
  }
});
