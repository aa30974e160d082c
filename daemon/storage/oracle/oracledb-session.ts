import oracledb from 'oracledb';
import type { AqDeqMessage, AqQueue, Connection, Pool } from 'oracledb';
import type { AqIncoming, AqOutgoing, AqQueueName, Binds, ExecuteResult, MtPayload, NamedSql, OracleSession, OracleSessionPool } from './aq-session.js';

/**
 * OracleSession over node-oracledb in Thin mode: pure JavaScript, no Instant Client (this module
 * never calls initOracleClient, so the driver stays Thin). Queues are opened once per connection
 * with the MT payload type and ON_COMMIT visibility for both enqueue and dequeue, since Thin mode
 * refuses IMMEDIATE visibility with enqMany/deqMany.
 */
export interface OracleConnectOptions {
  readonly connectString: string;
  readonly user: string;
  readonly password: string;
  readonly poolMax: number;
  /** The schema owner when the user is another one: sessions switch to it and name its queues and type. */
  readonly schema: string | null;
  /** Seconds to wait for the listener before NJS-503/NJS-510. */
  readonly connectTimeoutS: number;
  /** Shown as V$SESSION.PROGRAM, so that DBAs can tell the node and process of a session; default the driver's. */
  readonly program?: string;
}

const MT_PAYLOAD_TYPE = 'SMSPROC_MT_PAYLOAD';

/** Owner-qualified when the schema owner is not the connecting user. */
const qualified = (schema: string | null, name: string): string => (schema === null ? name : `${schema.toUpperCase()}.${name}`);

// Ledger text is a CLOB (a 16-segment UCS-2 message exceeds VARCHAR2(4000) in bytes): read it as a string.
oracledb.fetchAsString = [oracledb.CLOB];

/** One pooled connection as an OracleSession (exported for its adapter-only test with a fake connection). */
export class OracledbSession implements OracleSession {
  private readonly queues = new Map<AqQueueName, AqQueue>();

  constructor(private readonly connection: Connection, private readonly schema: string | null) {}

  async execute<Row>(statement: NamedSql, binds: Binds): Promise<ExecuteResult<Row>> {
    const result = await this.connection.execute<Row>(statement.sql, { ...binds }, { outFormat: oracledb.OUT_FORMAT_OBJECT });
    return { rows: result.rows ?? [], rowsAffected: result.rowsAffected ?? 0 };
  }

  async executeMany(statement: NamedSql, binds: readonly Binds[]): Promise<readonly number[]> {
    if (binds.length === 0) return [];
    const result = await this.connection.executeMany(statement.sql, binds.map((set) => ({ ...set })), { dmlRowCounts: true });
    return result.dmlRowCounts ?? [];
  }

  async enqueue(name: AqQueueName, messages: readonly AqOutgoing[]): Promise<void> {
    if (messages.length === 0) return;
    const queue = await this.queue(name);
    await queue.enqMany(messages.map((message) => ({
      payload: new queue.payloadTypeClass({ ...message.payload }),
      correlation: message.correlation,
      priority: message.priority,
      delay: message.delaySeconds,
      expiration: message.expirationSeconds,
      ...(message.exceptionQueue === null ? {} : { exceptionQueue: message.exceptionQueue }),
    })));
  }

  async dequeue(name: AqQueueName, correlation: string, max: number, clientId?: string): Promise<readonly AqIncoming[]> {
    if (max <= 0) return [];
    const queue = await this.queue(name);
    queue.deqOptions.correlation = correlation;
    queue.deqOptions.condition = dequeueCondition(clientId);
    const messages = await queue.deqMany(max);
    return messages.map(incomingOf);
  }

  commit(): Promise<void> {
    return this.connection.commit();
  }

  rollback(): Promise<void> {
    return this.connection.rollback();
  }

  release(): Promise<void> {
    return this.connection.close();
  }

  private async queue(name: AqQueueName): Promise<AqQueue> {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = await this.connection.getQueue(qualified(this.schema, name), { payloadType: qualified(this.schema, MT_PAYLOAD_TYPE) });
      queue.enqOptions.visibility = oracledb.AQ_VISIBILITY_ON_COMMIT;
      queue.deqOptions.visibility = oracledb.AQ_VISIBILITY_ON_COMMIT;
      queue.deqOptions.wait = oracledb.AQ_DEQ_NO_WAIT;
      queue.deqOptions.mode = oracledb.AQ_DEQ_MODE_REMOVE;
      // FIRST_MESSAGE re-reads the queue from the top, so a new higher-priority message is seen at once.
      queue.deqOptions.navigation = oracledb.AQ_DEQ_NAV_FIRST_MSG;
      this.queues.set(name, queue);
    }
    return queue;
  }
}

/** Millisecond readiness by the database clock (AQ's own delay counts whole seconds, rounded down). */
const READY_CONDITION = 'tab.user_data.ready_at IS NULL OR tab.user_data.ready_at <= SYSTIMESTAMP';

/**
 * The dequeue condition: ready, and with a client id only that client's messages. AQ takes the
 * condition as text (no binds), so the id is a quoted literal with its quotes doubled.
 */
export function dequeueCondition(clientId?: string): string {
  if (clientId === undefined) return READY_CONDITION;
  return `(${READY_CONDITION}) AND tab.user_data.client_id = '${clientId.replaceAll("'", "''")}'`;
}

function incomingOf(message: AqDeqMessage): AqIncoming {
  const payload = message.payload;
  return {
    payload: {
      MESSAGE_ID: String(payload.MESSAGE_ID),
      CLIENT_ID: String(payload.CLIENT_ID),
      ROUTE_ID: String(payload.ROUTE_ID),
      SEGMENTS: Number(payload.SEGMENTS),
      ATTEMPTS: Number(payload.ATTEMPTS),
      ACCEPTED_AT: payload.ACCEPTED_AT as MtPayload['ACCEPTED_AT'],
      READY_AT: (payload.READY_AT ?? null) as MtPayload['READY_AT'],
    },
    correlation: message.correlation,
    priority: message.priority,
    msgId: message.msgId.toString('hex'),
  };
}

class OracledbPool implements OracleSessionPool {
  /** Pooled connections already switched to the schema owner (a switch lasts for the connection's life). */
  private readonly switched = new WeakSet<Connection>();

  constructor(private readonly pool: Pool, private readonly schema: string | null) {}

  async acquire(): Promise<OracleSession> {
    const connection = await this.pool.getConnection();
    if (this.schema !== null && !this.switched.has(connection)) {
      // The name is checked by the config schema (an identifier), so it can be spliced in.
      await connection.execute(`ALTER SESSION SET CURRENT_SCHEMA = ${this.schema}`, {});
      this.switched.add(connection);
    }
    return new OracledbSession(connection, this.schema);
  }

  close(): Promise<void> {
    return this.pool.close(0);
  }
}

/** Creates the Thin-mode pool; no connection is made until the first acquire (poolMin 0). */
export async function createOracledbPool(options: OracleConnectOptions): Promise<OracleSessionPool> {
  const pool = await oracledb.createPool({
    connectString: options.connectString,
    user: options.user,
    password: options.password,
    poolMin: 0,
    poolMax: options.poolMax,
    queueTimeout: options.connectTimeoutS * 1000,
    connectTimeout: options.connectTimeoutS,
    transportConnectTimeout: options.connectTimeoutS,
    ...(options.program === undefined ? {} : { program: options.program }),
  });
  return new OracledbPool(pool, options.schema);
}
