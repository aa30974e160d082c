/**
 * SMPP access for clients (docs/smpp-server.md): a TCP (or TLS) listener whose every connection is
 * an SMSC-role session. Binds are checked against the clients' SMPP access and counted against
 * their maxBinds (across the cluster with the etcd coordinator: bind-limit.ts); submits are accepted as HTTP submissions are; the `channel` carries receipts and
 * MO to the clients' receiver/transceiver binds on this node for the callback sender.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { AcceptanceDeps } from '../api/acceptance.js';
import { createCredentialCache } from '../api/credential-cache.js';
import { createIntakeLimiter } from '../api/intake-limiter.js';
import { rulesOf } from '../api/submission.js';
import type { Config } from '../config/schema.js';
import type { ClientId } from '../domain/ids.js';
import type { ChannelAttempt, EventChannel } from '../dispatch/callback-channel.js';
import type { Limiter } from '../limits/limiter.js';
import { createQueueGauge } from '../limits/queue-gauge.js';
import type { Logger } from '../log.js';
import { CommandStatus, commandStatusName } from '../smpp/command-status.js';
import type { CallbackEvent, Store } from '../storage/port.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';
import { createBindAuthenticator } from './bind-auth.js';
import { localBindLimit, type BindLimit, type BindTicket } from './bind-limit.js';
import { ClientBinds } from './client-binds.js';
import { ClientIntake } from './client-intake.js';
import { eventPdu } from './event-pdus.js';
import { SmscConnection, type SmscConnectionHandlers } from './smsc-connection.js';
import type { DeliverOutcome, SmscSessionConfig } from './smsc-session.js';

export interface SmppServerDeps {
  readonly config: Config;
  readonly store: Store;
  readonly provisioning: ProvisioningCache;
  readonly logger: Logger;
  /** The intake ceiling; share the API's so that a client's maxTps holds across HTTP and SMPP. */
  readonly limiter?: Limiter;
  /** Each client's maxBinds: across the cluster (clusterBindLimit) or on this node (the default). */
  readonly bindLimit?: BindLimit;
  readonly clock?: () => number;
  /** Session timers beyond the config (tests shorten them). */
  readonly session?: Partial<SmscSessionConfig>;
}

export interface SmppServer {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Delivers `smpp:` callback events over the clients' binds on this node. */
  readonly channel: EventChannel;
  /** The client's bound sessions on this node. */
  bindCount(clientId: ClientId): number;
  /** Stops listening, unbinds every session, resolves when all are closed. */
  close(): Promise<void>;
}

function describe(outcome: DeliverOutcome): string {
  switch (outcome.kind) {
    case 'delivered':
      return 'delivered';
    case 'refused':
      return `the client answered deliver_sm with ${commandStatusName(outcome.commandStatus)}`;
    case 'timeout':
      return 'no deliver_sm_resp in time';
    case 'connectionLost':
      return 'the bind closed before deliver_sm_resp';
    case 'notBound':
      return 'the bind was not receiving';
  }
}

export async function startSmppServer(deps: SmppServerDeps): Promise<SmppServer> {
  const { config, store, provisioning, logger } = deps;
  const settings = config.smppServer;
  const clock = deps.clock ?? Date.now;
  const log = logger.child({ component: 'smpp-server' });
  const sessionConfig: SmscSessionConfig = {
    windowSize: settings.windowSize,
    bindTimeoutMs: 10_000,
    responseTimeoutMs: 30_000,
    enquireLinkIntervalMs: settings.enquireLinkIntervalMs,
    enquireLinkTimeoutMs: 10_000,
    unbindTimeoutMs: 5_000,
    maxPendingRequests: settings.maxPendingRequests,
    ...deps.session,
  };
  const acceptance: AcceptanceDeps = {
    config,
    store,
    provisioning,
    limiter: deps.limiter ?? createIntakeLimiter(provisioning, clock),
    queueGauge: createQueueGauge(store, clock),
  };
  const rules = rulesOf(config);
  const authenticator = createBindAuthenticator(createCredentialCache(config.api.credentialCacheTtlMs, clock));
  const binds = new ClientBinds<SmscConnection>();
  const bindLimit = deps.bindLimit ?? localBindLimit();
  const connections = new Set<SmscConnection>();
  const receivingBindListeners = new Set<(clientId: ClientId) => void>();
  const announceReceivingBind = (clientId: ClientId): void => {
    for (const listener of receivingBindListeners) listener(clientId);
  };

  function handlersFor(): SmscConnectionHandlers {
    let bound: { readonly clientId: ClientId; readonly intake: ClientIntake; readonly ticket: BindTicket } | null = null;
    return {
      async bind(connection, pdu, kind) {
        const verdict = await authenticator.authenticate(provisioning.snapshot, pdu.systemId, pdu.password, connection.remoteAddress);
        if (!verdict.ok) {
          log.warn({ systemId: pdu.systemId, ip: connection.remoteAddress, status: commandStatusName(verdict.commandStatus), reason: verdict.reason }, 'bind refused');
          return verdict.commandStatus;
        }
        const { client } = verdict;
        // The client may have gone while its password was checked: a closed session takes no slot.
        if (connection.closed) return CommandStatus.ESME_RBINDFAIL;
        const maxBinds = client.smpp?.maxBinds ?? 0;
        const ticket = await bindLimit.admit(client.id, maxBinds);
        if (ticket === null) {
          log.warn({ clientId: client.id, maxBinds }, 'bind refused: the client has its maximum of binds');
          return CommandStatus.ESME_RBINDFAIL;
        }
        // Closed while its place was taken: give it back (closed() ran before `bound` was set).
        if (connection.closed) {
          ticket.release();
          return CommandStatus.ESME_RBINDFAIL;
        }
        binds.add(client.id, connection);
        bound = {
          clientId: client.id,
          ticket,
          intake: new ClientIntake({ acceptance, rules, clientOf: (id) => provisioning.clientById(id), logger: log, clock }, client.id, settings.partTimeoutMs),
        };
        log.info({ clientId: client.id, bindKind: kind, ip: connection.remoteAddress }, 'client bound');
        // The session turns bound once this answer is fed to it (a microtask); tell listeners after that.
        if (kind !== 'transmitter') setImmediate(() => announceReceivingBind(client.id));
        return CommandStatus.ESME_ROK;
      },
      request(pdu) {
        // The machine hands over submits only when bound, so `bound` is set.
        return bound!.intake.submit(pdu);
      },
      closed(connection) {
        connections.delete(connection);
        if (bound !== null) {
          bound.intake.close();
          binds.remove(bound.clientId, connection);
          bound.ticket.release();
        }
      },
    };
  }

  const useTls = settings.tlsCertFile !== null && settings.tlsKeyFile !== null;
  const onSocket = (socket: net.Socket): void => {
    connections.add(new SmscConnection(socket, sessionConfig, handlersFor(), log, settings.systemId, clock));
  };
  const server = useTls
    ? tls.createServer({ cert: readFileSync(settings.tlsCertFile!), key: readFileSync(settings.tlsKeyFile!) }, onSocket)
    : net.createServer(onSocket);
  server.on('error', (error) => log.error({ err: error }, 'SMPP listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  log.info({ host: address.address, port: address.port, tls: useTls }, 'SMPP server listening');

  const channel: EventChannel = {
    async deliver(event: CallbackEvent): Promise<ChannelAttempt> {
      const connection = binds.receiver(event.clientId);
      if (connection === undefined) return { kind: 'failed', error: 'no receiver or transceiver bind of the client is up on this node' };
      const outcome = await connection.deliver(eventPdu(event));
      return outcome.kind === 'delivered' ? { kind: 'delivered' } : { kind: 'failed', error: describe(outcome) };
    },
    receivingClients: () => binds.receivingClients(),
    onReceivingBind(listener) {
      receivingBindListeners.add(listener);
      return () => receivingBindListeners.delete(listener);
    },
  };

  return {
    host: address.address,
    port: address.port,
    tls: useTls,
    channel,
    bindCount: (clientId) => binds.count(clientId),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((connection) => connection.stop()));
      await closed;
      await bindLimit.close();
    },
  };
}
