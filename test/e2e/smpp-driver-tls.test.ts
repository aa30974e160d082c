import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../daemon/log.js';
import { EsmeDriver } from '../../daemon/smpp/esme-driver.js';
import { sessionConfig } from '../../daemon/smpp/session-config.js';
import { submitSm } from '../unit/smpp-session-harness.js';
import { startTestSmsc, waitFor } from './smpp-driver-smsc.js';

/** A throwaway self-signed certificate for 127.0.0.1. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'smpp-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('SMPP over TLS: the certificate is verified, the bind and submits work', async () => {
  const tls = selfSignedCertificate();
  const smsc = await startTestSmsc({ tls });
  const session = sessionConfig({ bindKind: 'transceiver', systemId: 'acme', password: 'secret', windowSize: 10, tps: 1e6 });
  const trusted = new EsmeDriver<number>({ host: '127.0.0.1', port: smsc.port, tls: { ca: tls.cert }, session, logger: createLogger('silent') });
  const untrusted = new EsmeDriver<number>({ host: '127.0.0.1', port: smsc.port, tls: true, session, logger: createLogger('silent'), reconnect: { initialDelayMs: 20 } });
  let untrustedAttempts = 0;
  untrusted.onEvent((e) => {
    if (e.type === 'reconnecting') untrustedAttempts += 1;
  });
  try {
    trusted.start();
    untrusted.start();
    await waitFor('bound over TLS', () => trusted.state === 'bound');
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => trusted.submit(submitSm(`m${i}`), i)));
    assert.ok(outcomes.every((o) => o.kind === 'accepted'));
    await waitFor('the untrusted one retried', () => untrustedAttempts >= 2);
    assert.notEqual(untrusted.state, 'bound', 'a self-signed certificate is refused without its CA');
    assert.equal(smsc.counts.binds, 1);
  } finally {
    await Promise.all([trusted.stop(), untrusted.stop()]);
    await smsc.close();
  }
});
