/**
 * submit_sm per second on one ESME bind (our session machine and driver) against an SMSC built on the
 * `smpp` package, on loopback, at several window sizes. The SMSC runs in a child process so the two
 * sides do not share an event loop. Run: npx tsc -p . && node dist/ops/bench/smpp-bind.js [messages]
 * Output: one line per window, `window<TAB>messages<TAB>seconds<TAB>submit_sm_per_s<TAB>esme_cpu_pct`
 * (CPU time of our side over wall time: below 100 the SMSC or the loopback is the limit).
 */
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import smpp, { type PDU, type Session } from 'smpp';
import { EsmeDriver } from '../../daemon/smpp/esme-driver.js';
import type { PduOf } from '../../daemon/smpp/pdu.js';
import { sessionConfig } from '../../daemon/smpp/session-config.js';

const windows = [1, 10, 100];

function runSmsc(): void {
  let id = 0;
  const server = smpp.createServer((session: Session) => {
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu: PDU) => session.send(pdu.response({ system_id: 'BENCH' })));
    session.on('submit_sm', (pdu: PDU) => session.send(pdu.response({ message_id: (++id).toString(16) })));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
  process.on('disconnect', () => process.exit(0));
}

const submitSm: PduOf<'submit_sm'> = {
  command: 'submit_sm', commandStatus: 0, sequenceNumber: 0, tlvs: [], serviceType: '', sourceAddrTon: 5, sourceAddrNpi: 0,
  sourceAddr: 'MyBank', destAddrTon: 1, destAddrNpi: 1, destinationAddr: '358401234567', esmClass: 0, protocolId: 0, priorityFlag: 0,
  scheduleDeliveryTime: '', validityPeriod: '', registeredDelivery: 1, replaceIfPresentFlag: 0, dataCoding: 0, smDefaultMsgId: 0,
  shortMessage: Buffer.alloc(140, 0x41),
};

async function measure(port: number, windowSize: number, messages: number): Promise<void> {
  const driver = new EsmeDriver<number>({
    host: '127.0.0.1',
    port,
    session: sessionConfig({ bindKind: 'transceiver', systemId: 'bench', password: 'bench', windowSize, tps: 1e9 }),
    logger: pino({ level: 'silent' }),
  });
  driver.start();
  await new Promise<void>((resolve) => driver.onEvent((event) => event.type === 'bound' && resolve()));
  // Keep a few windows queued, as the dispatch loop does, rather than queueing everything at once.
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let next = 0;
  let accepted = 0;
  await new Promise<void>((resolve, reject) => {
    const refill = (): void => {
      while (next < messages && next - accepted < windowSize * 4) {
        next += 1;
        void driver.submit(submitSm, next).then((outcome) => {
          if (outcome.kind !== 'accepted') reject(new Error(`submit ended ${outcome.kind}`));
          accepted += 1;
          if (accepted === messages) resolve();
          else refill();
        });
      }
    };
    refill();
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuPct = Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100);
  console.log(`${windowSize}\t${messages}\t${seconds.toFixed(2)}\t${Math.round(messages / seconds)}\t${cpuPct}`);
  await driver.stop();
}

async function main(): Promise<void> {
  const messages = Number(process.argv[2] ?? 20_000);
  const child = fork(fileURLToPath(import.meta.url), ['smsc'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (message) => resolve(Number(message))));
  console.log('window\tmessages\tseconds\tsubmit_sm_per_s\tesme_cpu_pct');
  try {
    for (const windowSize of windows) await measure(port, windowSize, windowSize === 1 ? Math.min(messages, 5000) : messages);
  } finally {
    child.disconnect();
  }
}

if (process.argv[2] === 'smsc') runSmsc();
else await main();
