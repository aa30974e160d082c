import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import smpp, { type Session } from 'smpp';
import type { Logger } from 'pino';
import { startControlServer } from './control-http.js';
import type { Delivery, DeliveryTarget } from './deliveries.js';
import { DeliveryRouter } from './deliveries.js';
import { DueQueue } from './due-queue.js';
import { MessageIdGenerator, receiptTextId, type MessageIdFormat, type ReceiptTextIdFormat } from './message-id.js';
import { encodeMo, type MoDataCoding } from './mo-encoding.js';
import { seededRandom } from './random.js';
import { messageStateOf, receiptText, statusPicker, wantsReceipt, type ReceiptStatus, type StatusMix } from './receipt.js';
import { SmscSession, type AccountSettings, type SessionContext } from './smsc-session.js';
import { StatsRecorder, type SimulatorStats, type SubmitRecord } from './stats.js';

export type { SimulatorStats } from './stats.js';
export type { StatusMix } from './receipt.js';

export interface SmscAccount {
  systemId: string;
  password: string;
  /** Open binds allowed at once, all bind types together. Default 1. */
  maxBinds?: number;
  /** Accepted submit_sm per second per bind (sliding one-second window); 0 = unlimited. Default 0. */
  tps?: number;
}

export interface SmscSimulatorOptions {
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  accounts: readonly SmscAccount[];
  /** Time from submit_sm to its receipt. Default 100. */
  receiptDelayMs?: number;
  /** Weights of the final statuses. Default: all DELIVRD. */
  statusMix?: StatusMix;
  /** Send each receipt on another receiver bind of the account than the submitting one, when there is one. */
  receiptsOnAnyBind?: boolean;
  /** submit_sm_resp message_id and receipted_message_id. Default 'hex'. */
  messageIdFormat?: MessageIdFormat;
  /** 'decimal': the receipt text carries the id in decimal even when the TLV carries hex. Default 'same'. */
  receiptTextIdFormat?: ReceiptTextIdFormat;
  /** Unanswered deliver_sm allowed per bind. Default 100. */
  deliverWindow?: number;
  /** Keep the last N submits (decoded) for stats().received. Default 0 (off). */
  captureMessages?: number;
  /** Destination+text keys remembered for the duplicate count. Default 1,000,000. */
  duplicateMemory?: number;
  /** Seed of the status draws and of the first message id. Default: random. */
  seed?: number;
  /** Port of the HTTP control endpoint on 127.0.0.1 (0 = ephemeral); none when absent. */
  controlPort?: number;
  logger?: Logger;
}

export interface MoRequest {
  from: string;
  to: string;
  text: string;
  /** 0 = GSM 03.38 default alphabet (unpacked septets), 8 = UCS-2. Default: 0 when the text fits GSM. */
  dataCoding?: MoDataCoding;
  /** Concatenation reference size when the text needs several parts. Default 8. */
  udh?: 8 | 16;
  /** Split into at least this many parts. */
  parts?: number;
  /** The account whose receiver binds get it. Default: the first account. */
  systemId?: string;
}

export interface SmscSimulator {
  address(): { host: string; port: number };
  /** The control endpoint's address, when it runs. */
  controlAddress(): { host: string; port: number } | undefined;
  /** Queues an MO for a receiver bind of the account; returns how many deliver_sm parts it makes. */
  injectMo(request: MoRequest): { parts: number };
  stats(): SimulatorStats;
  resetStats(): void;
  /** Closes every session, the control endpoint and the server; resolves when all are closed. */
  close(): Promise<void>;
}

interface PendingReceipt {
  session: SmscSession;
  submit: SubmitRecord;
  status: ReceiptStatus;
  submittedAtMs: number;
}

const receiptTickMs = 5;

export async function startSmscSimulator(options: SmscSimulatorOptions): Promise<SmscSimulator> {
  if (options.accounts.length === 0) throw new Error('the simulator needs at least one account');
  const now = (): number => Date.now();
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const accounts = new Map<string, AccountSettings>(options.accounts.map((account) => [account.systemId, {
    systemId: account.systemId,
    password: account.password,
    maxBinds: account.maxBinds ?? 1,
    tps: account.tps ?? 0,
  }]));
  const firstSystemId = options.accounts[0]?.systemId ?? '';
  const idFormat = options.messageIdFormat ?? 'hex';
  const textIdFormat = options.receiptTextIdFormat ?? 'same';
  const receiptDelayMs = options.receiptDelayMs ?? 100;
  const receiptsOnAnyBind = options.receiptsOnAnyBind ?? false;
  const pickStatus = statusPicker(options.statusMix ?? { DELIVRD: 1 }, random);
  const ids = new MessageIdGenerator(idFormat, Math.floor(random() * 2 ** 35));
  const stats = new StatsRecorder({
    captureMessages: options.captureMessages ?? 0,
    duplicateMemory: options.duplicateMemory ?? 1_000_000,
  }, now());
  const router = new DeliveryRouter(options.deliverWindow ?? 100);
  const bindsByAccount = new Map<string, Set<SmscSession>>();
  const sessions = new Set<SmscSession>();
  let bindCounter = 0;
  let moReference = Math.floor(random() * 0xffff);

  const receipts = new DueQueue<PendingReceipt>((due) => {
    const doneAtMs = now();
    for (const pending of due) sendReceipt(pending, doneAtMs);
  }, receiptTickMs, now);

  function sendReceipt({ session, submit, status, submittedAtMs }: PendingReceipt, doneAtMs: number): void {
    const delivery: Delivery = {
      kind: 'receipt',
      source: submit.destination,
      destination: submit.source,
      esmClass: 0x04,
      dataCoding: 0,
      shortMessage: Buffer.from(receiptText({
        textId: receiptTextId(submit.messageId, idFormat, textIdFormat),
        status,
        submittedAtMs,
        doneAtMs,
        text: submit.text,
      }), 'latin1'),
      receipt: { messageId: submit.messageId, messageState: messageStateOf[status] },
    };
    router.deliver(submit.systemId, delivery, receiptTarget(session));
  }

  function receiptTarget(session: SmscSession): DeliveryTarget | undefined {
    if (receiptsOnAnyBind) return router.otherReceiver(session.systemId, session.id);
    return session.receives && session.isOpen ? session : undefined;
  }

  const context: SessionContext = {
    now,
    stats,
    router,
    logger: options.logger,
    account: (systemId) => accounts.get(systemId),
    openBinds: (systemId) => bindsByAccount.get(systemId)?.size ?? 0,
    nextBindId: () => ++bindCounter,
    nextMessageId: () => ids.next(),
    bindOpened(session) {
      const binds = bindsByAccount.get(session.systemId) ?? new Set<SmscSession>();
      binds.add(session);
      bindsByAccount.set(session.systemId, binds);
    },
    bindClosed(session) {
      bindsByAccount.get(session.systemId)?.delete(session);
    },
    submitted(session, submit, nowMs) {
      if (session.entry) stats.submitAccepted(session.entry, submit, nowMs);
      if ((submit.registeredDelivery & 0x03) === 0) return;
      const status = pickStatus();
      if (!wantsReceipt(submit.registeredDelivery, status)) return;
      stats.receiptScheduled(status);
      receipts.add(nowMs + receiptDelayMs, { session, submit, status, submittedAtMs: nowMs });
    },
  };

  const server = smpp.createServer((session: Session) => {
    const smscSession = new SmscSession(session, context);
    sessions.add(smscSession);
    session.on('close', () => sessions.delete(smscSession));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const listening = server.address() as AddressInfo;
  // An accept failure (EMFILE…) must not end the process; the server keeps listening.
  server.on('error', (error: Error) => options.logger?.error({ err: error.message }, 'SMPP server error'));

  let control: HttpServer | undefined;
  const simulator: SmscSimulator = {
    address: () => ({ host: listening.address, port: listening.port }),
    controlAddress: () => {
      const address = control?.address();
      return address && typeof address === 'object' ? { host: address.address, port: address.port } : undefined;
    },
    injectMo(request) {
      const systemId = request.systemId ?? firstSystemId;
      if (!accounts.has(systemId)) throw new Error(`unknown account ${systemId}`);
      moReference = (moReference + 1) & 0xffff;
      const parts = encodeMo({ ...request, reference: request.udh === 16 ? moReference : moReference & 0xff });
      // The parts of one message stay on one bind, in order, as a real SMSC sends them.
      const pinTo = parts.length > 1 ? router.anyReceiver(systemId) : undefined;
      stats.moInjectedWith(parts.length);
      for (const part of parts) {
        router.deliver(systemId, {
          kind: 'mo', source: request.from, destination: request.to,
          esmClass: part.esmClass, dataCoding: part.dataCoding, shortMessage: part.shortMessage,
        }, pinTo);
      }
      return { parts: parts.length };
    },
    stats: () => stats.snapshot(now(), router.waiting),
    resetStats: () => stats.reset(now()),
    async close() {
      receipts.close();
      const closing = [
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve())),
      ];
      control?.closeAllConnections();
      for (const session of sessions) session.destroy();
      await Promise.all(closing);
      options.logger?.info('simulator closed');
    },
  };

  if (options.controlPort !== undefined) {
    try {
      control = await startControlServer(simulator, options.controlPort, options.logger);
    } catch (error) {
      await simulator.close();
      throw error;
    }
  }
  options.logger?.info({ smpp: simulator.address(), control: simulator.controlAddress() }, 'SMSC simulator listening');
  return simulator;
}
