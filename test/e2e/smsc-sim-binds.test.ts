import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import smpp from 'smpp';
import { bindEsme, closeEsme, connectEsme, request, waitFor } from '../../ops/smsc-sim/esme-client.js';
import { startSmscSimulator, type SmscSimulator } from '../../ops/smsc-sim/simulator.js';

let simulator: SmscSimulator;
let port: number;

before(async () => {
  simulator = await startSmscSimulator({
    accounts: [{ systemId: 'route1', password: 'secret', maxBinds: 2 }, { systemId: 'other', password: 'pw', maxBinds: 1 }],
  });
  port = simulator.address().port;
});

after(async () => {
  await simulator.close();
});

test('listens on 127.0.0.1 on an ephemeral port', () => {
  assert.equal(simulator.address().host, '127.0.0.1');
  assert.ok(port > 0);
  assert.equal(simulator.controlAddress(), undefined, 'no control endpoint unless asked');
});

test('a bind with the right password succeeds and is listed with its open time', async () => {
  const { session, status } = await bindEsme(port, 'route1', 'secret', 'transmitter');
  assert.equal(status, smpp.ESME_ROK);
  const bind = simulator.stats().binds.list.find((entry) => entry.closedAt === null && entry.systemId === 'route1');
  assert.ok(bind);
  assert.equal(bind.type, 'transmitter');
  assert.ok(Date.parse(bind.openedAt) <= Date.now());
  await closeEsme(session);
  await waitFor('bind closed', () => simulator.stats().binds.list.every((entry) => entry.closedAt !== null));
});

test('a wrong password is refused with ESME_RINVPASWD, an unknown system_id with ESME_RINVSYSID', async () => {
  const before = simulator.stats().binds.refused;
  const wrong = await bindEsme(port, 'route1', 'nope');
  assert.equal(wrong.status, smpp.ESME_RINVPASWD);
  const unknown = await bindEsme(port, 'stranger', 'secret');
  assert.equal(unknown.status, smpp.ESME_RINVSYSID);
  const stats = simulator.stats();
  assert.equal(stats.binds.refused, before + 2);
  assert.deepEqual(stats.binds.refusedList.slice(-2).map((refusal) => refusal.reason), ['wrong password', 'unknown system_id']);
  await closeEsme(wrong.session);
  await closeEsme(unknown.session);
});

test('a bind beyond maxBinds is refused with ESME_RBINDFAIL and counted; a freed slot can be bound again', async () => {
  const first = await bindEsme(port, 'route1', 'secret');
  const second = await bindEsme(port, 'route1', 'secret', 'receiver');
  assert.equal(first.status, smpp.ESME_ROK);
  assert.equal(second.status, smpp.ESME_ROK);
  const refusedBefore = simulator.stats().binds.refused;
  const third = await bindEsme(port, 'route1', 'secret');
  assert.equal(third.status, smpp.ESME_RBINDFAIL);
  const stats = simulator.stats();
  assert.equal(stats.binds.refused, refusedBefore + 1);
  assert.equal(stats.binds.refusedList.at(-1)?.reason, 'maxBinds reached');
  assert.equal(stats.binds.open, 2);
  await waitFor('refused connection closed by the simulator', () => third.session.socket.destroyed || !third.session.socket.readable);
  const otherAccount = await bindEsme(port, 'other', 'pw');
  assert.equal(otherAccount.status, smpp.ESME_ROK, 'maxBinds is per account');
  await closeEsme(first.session);
  await waitFor('slot freed', () => simulator.stats().binds.open === 2);
  const again = await bindEsme(port, 'route1', 'secret');
  assert.equal(again.status, smpp.ESME_ROK);
  for (const session of [second.session, third.session, otherAccount.session, again.session]) await closeEsme(session);
});

test('enquire_link is answered; submit_sm before bind gets ESME_RINVBNDSTS; a second bind gets ESME_RALYBND', async () => {
  const session = await connectEsme(port);
  const early = await request(session, 'submit_sm', { destination_addr: '123', short_message: 'x' });
  assert.equal(early.command_status, smpp.ESME_RINVBNDSTS);
  const bind = await request(session, 'bind_transceiver', { system_id: 'route1', password: 'secret' });
  assert.equal(bind.command_status, smpp.ESME_ROK);
  assert.equal(bind.system_id, 'SMSCSIM');
  const link = await request(session, 'enquire_link');
  assert.equal(link.command, 'enquire_link_resp');
  assert.equal(link.command_status, smpp.ESME_ROK);
  const again = await request(session, 'bind_transmitter', { system_id: 'route1', password: 'secret' });
  assert.equal(again.command_status, smpp.ESME_RALYBND);
  const query = await request(session, 'query_sm', { message_id: '1' });
  assert.equal(query.command_status, smpp.ESME_RINVCMDID, 'a command the simulator does not serve');
  await closeEsme(session);
});

test('unbind is answered and the simulator closes the connection', async () => {
  const { session } = await bindEsme(port, 'route1', 'secret');
  const closed = new Promise<void>((resolve) => session.on('close', () => resolve()));
  const response = await request(session, 'unbind');
  assert.equal(response.command, 'unbind_resp');
  await closed;
  await waitFor('bind closed in stats', () => simulator.stats().binds.open === 0);
});

test('an unbound session frees its maxBinds slot at its unbind_resp, before its connection closes', async () => {
  const { session } = await bindEsme(port, 'other', 'pw');
  // This side will not close after the simulator's FIN, so the simulator's connection stays open.
  session.socket.allowHalfOpen = true;
  const response = await request(session, 'unbind');
  assert.equal(response.command, 'unbind_resp');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(session.socket.writable, true, 'this side is still open');
  const again = await bindEsme(port, 'other', 'pw');
  assert.equal(again.status, smpp.ESME_ROK, 'account "other" allows one bind: the unbound one no longer counts');
  for (const each of [session, again.session]) await closeEsme(each);
});

test('close() closes every session and the server', async () => {
  const own = await startSmscSimulator({ accounts: [{ systemId: 'a', password: 'b', maxBinds: 3 }], controlPort: 0 });
  const binds = await Promise.all([bindEsme(own.address().port, 'a', 'b'), bindEsme(own.address().port, 'a', 'b', 'receiver')]);
  const closes = binds.map(({ session }) => new Promise<void>((resolve) => session.on('close', () => resolve())));
  const controlPort = own.controlAddress()?.port;
  assert.ok(controlPort);
  const smppPort = own.address().port;
  await own.close();
  await Promise.all(closes);
  await assert.rejects(connectEsme(smppPort), /ECONNREFUSED/);
  await assert.rejects(fetch(`http://127.0.0.1:${controlPort}/stats`), 'the control endpoint is closed too');
});
