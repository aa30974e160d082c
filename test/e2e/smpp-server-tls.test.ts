import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import smpp, { type Session } from 'smpp';
import { closeEsme, request } from '../../ops/smsc-sim/esme-client.js';
import { simulator, startNode, tempDir } from './deliver-harness.js';
import { addSmppClient, submitSm } from './smpp-server-harness.js';

function connectTls(port: number, ca: string): Promise<Session> {
  return new Promise((resolve, reject) => {
    const session = smpp.connect({ host: '127.0.0.1', port, tls: true, ca }, () => resolve(session));
    session.once('error', reject);
  });
}

test('SMPP over TLS: with smppServer.tlsCertFile/tlsKeyFile the server binds and accepts over TLS (the `smpp` package as client, our certificate trusted)', async () => {
  const temp = tempDir();
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${temp.dir}/key.pem`, '-out', `${temp.dir}/cert.pem`,
  ], { stdio: 'ignore' });
  const smsc = await simulator();
  const node = await startNode({
    dbPath: `${temp.dir}/smsproc.db`, smscPort: smsc.address().port, callbackUrl: 'http://127.0.0.1:9',
    smppServer: { tlsCertFile: `${temp.dir}/cert.pem`, tlsKeyFile: `${temp.dir}/key.pem` },
  });
  try {
    assert.equal(node.smppServer?.tls, true);
    await addSmppClient(node, { id: 'smppco', password: 'secret1' });
    const session = await connectTls(node.smppServer.port, readFileSync(`${temp.dir}/cert.pem`, 'utf8'));
    session.on('error', () => undefined);
    const bind = await request(session, 'bind_transceiver', { system_id: 'smppco', password: 'secret1' });
    assert.equal(bind.command_status, smpp.ESME_ROK);
    const response = await submitSm(session, { destination_addr: '79161230009', short_message: 'over TLS' });
    assert.equal(response.command_status, smpp.ESME_ROK);
    assert.match(String(response.message_id), /^[0-9a-f-]{36}$/);
    await closeEsme(session);
  } finally {
    await node.close();
    await smsc.close();
    temp.remove();
  }
});
