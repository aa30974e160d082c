/**
 * The narrow interface the Oracle adapter does its I/O through: one session (a pooled connection)
 * with its statements, its Advanced Queuing operations and its transaction control. The real
 * implementation is oracledb-session.ts (node-oracledb, Thin mode); unit tests use a fake behind
 * this interface, so the adapter's control flow (commit after the lease is written, rollback on
 * any failure) is tested without a server.
 *
 * Only what Thin mode supports is here: array enqueue and dequeue with ON_COMMIT visibility (Thin
 * refuses IMMEDIATE visibility with array operations), single-consumer queues (no recipient lists),
 * polling with a short wait instead of AQ notifications.
 */

/** A statement from sql/oracle/queries, named so that logs and fakes can tell statements apart. */
export interface NamedSql {
  readonly name: string;
  readonly sql: string;
}

export type BindValue = string | number | Date | null;
export type Binds = Readonly<Record<string, BindValue>>;

export interface ExecuteResult<Row> {
  readonly rows: readonly Row[];
  readonly rowsAffected: number;
}

/** The queues of the schema (sql/oracle/010_queues.sql). */
export const AqQueues = {
  mt: 'SMSPROC_MT_Q',
  mtException: 'SMSPROC_MT_EQ',
} as const;
export type AqQueueName = (typeof AqQueues)[keyof typeof AqQueues];

/** The payload object type SMSPROC_MT_PAYLOAD: what a DBA reads in AQ$SMSPROC_MT_QT.USER_DATA. */
export interface MtPayload {
  readonly MESSAGE_ID: string;
  readonly CLIENT_ID: string;
  readonly ROUTE_ID: string;
  readonly SEGMENTS: number;
  readonly ATTEMPTS: number;
  readonly ACCEPTED_AT: Date;
  /**
   * Claimable from then on, to the millisecond (AQ's delay counts whole seconds); null: at once —
   * not "now" by the enqueuing node's clock, which may run ahead of the database's.
   */
  readonly READY_AT: Date | null;
}

/** One message to enqueue, with the AQ message properties (times in whole seconds, as AQ takes them). */
export interface AqOutgoing {
  readonly payload: MtPayload;
  /** The route id on the MT queue: claims dequeue by correlation. */
  readonly correlation: string;
  /** Smaller is dequeued first. */
  readonly priority: number;
  /** Whole seconds before AQ makes the message READY (state WAITING until then); 0 for none. */
  readonly delaySeconds: number;
  /** Seconds the message stays dequeuable once READY (then AQ moves it to the exception queue); -1 for never. */
  readonly expirationSeconds: number;
  readonly exceptionQueue: AqQueueName | null;
}

export interface AqIncoming {
  readonly payload: MtPayload;
  readonly correlation: string;
  readonly priority: number;
  /** Hex of AQ's msgid, for logs and the AQ$ view. */
  readonly msgId: string;
}

export interface OracleSession {
  execute<Row = Record<string, unknown>>(statement: NamedSql, binds: Binds): Promise<ExecuteResult<Row>>;
  /** Runs a DML statement once per bind set; returns the rows each affected. */
  executeMany(statement: NamedSql, binds: readonly Binds[]): Promise<readonly number[]>;
  /** Array enqueue, visible to others only when this session commits. */
  enqueue(queue: AqQueueName, messages: readonly AqOutgoing[]): Promise<void>;
  /**
   * Array dequeue (REMOVE, first message, no wait) of up to `max` READY messages with this correlation
   * whose payload READY_AT has come by the database clock, and, given `clientId`, whose payload is
   * that client's (a fair claim's per-client dequeue); removed on commit.
   */
  dequeue(queue: AqQueueName, correlation: string, max: number, clientId?: string): Promise<readonly AqIncoming[]>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Returns the connection to the pool. */
  release(): Promise<void>;
}

export interface OracleSessionPool {
  acquire(): Promise<OracleSession>;
  close(): Promise<void>;
}
