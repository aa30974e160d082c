// Types for `oracledb` (node-oracledb 6.x/26, Thin mode), which ships none. Only the parts the Oracle
// Store adapter uses (daemon/storage/oracle/oracledb-session.ts): pools, execute, executeMany,
// transactions and Advanced Queuing (getQueue, enqMany, deqMany with their options).
declare module 'oracledb' {
  export interface DbObjectClass {
    new (fields: Record<string, unknown>): object;
  }

  export interface AqEnqMessage {
    payload: object | string | Buffer;
    correlation?: string;
    delay?: number;
    exceptionQueue?: string;
    expiration?: number;
    priority?: number;
  }

  export interface AqDeqMessage {
    correlation: string;
    delay: number;
    exceptionQueue: string;
    expiration: number;
    msgId: Buffer;
    numAttempts: number;
    payload: Record<string, unknown>;
    priority: number;
    state: number;
  }

  export interface AqDeqOptions {
    condition: string;
    correlation: string;
    mode: number;
    navigation: number;
    visibility: number;
    wait: number;
  }

  export interface AqEnqOptions {
    visibility: number;
  }

  export interface AqQueue {
    readonly name: string;
    readonly payloadTypeClass: DbObjectClass;
    deqOptions: AqDeqOptions;
    enqOptions: AqEnqOptions;
    enqMany(messages: AqEnqMessage[]): Promise<unknown>;
    deqMany(maxMessages: number): Promise<AqDeqMessage[]>;
  }

  export interface Result<R> {
    rows?: R[];
    rowsAffected?: number;
  }

  export interface ExecuteManyResult {
    rowsAffected?: number;
    dmlRowCounts?: number[];
  }

  export interface ExecuteOptions {
    outFormat?: number;
    autoCommit?: boolean;
  }

  export interface Connection {
    execute<R>(sql: string, binds: Record<string, unknown>, options?: ExecuteOptions): Promise<Result<R>>;
    executeMany(sql: string, binds: Record<string, unknown>[], options?: { autoCommit?: boolean; dmlRowCounts?: boolean }): Promise<ExecuteManyResult>;
    getQueue(name: string, options?: { payloadType?: string }): Promise<AqQueue>;
    commit(): Promise<void>;
    rollback(): Promise<void>;
    close(): Promise<void>;
  }

  export interface PoolAttributes {
    user?: string;
    password?: string;
    connectString: string;
    poolMin?: number;
    poolMax?: number;
    queueTimeout?: number;
    connectTimeout?: number;
    transportConnectTimeout?: number;
    /** Thin mode: V$SESSION.PROGRAM (letters, digits and a few marks such as / - _ . : no spaces). */
    program?: string;
  }

  export interface ConnectionAttributes {
    user?: string;
    password?: string;
    connectString: string;
    connectTimeout?: number;
    transportConnectTimeout?: number;
  }

  export interface Pool {
    getConnection(): Promise<Connection>;
    close(drainTime?: number): Promise<void>;
  }

  export function createPool(attributes: PoolAttributes): Promise<Pool>;
  export function getConnection(attributes: ConnectionAttributes): Promise<Connection>;

  export const thin: boolean;
  export let fetchAsString: number[];
  export const CLOB: number;
  export const OUT_FORMAT_OBJECT: number;
  export const AQ_DEQ_NO_WAIT: number;
  export const AQ_DEQ_MODE_REMOVE: number;
  export const AQ_DEQ_NAV_FIRST_MSG: number;
  export const AQ_VISIBILITY_ON_COMMIT: number;
  export const AQ_MSG_STATE_READY: number;
  export const AQ_MSG_STATE_WAITING: number;

  const oracledb: {
    createPool: typeof createPool;
    getConnection: typeof getConnection;
    readonly thin: boolean;
    fetchAsString: number[];
    readonly CLOB: number;
    readonly OUT_FORMAT_OBJECT: number;
    readonly AQ_DEQ_NO_WAIT: number;
    readonly AQ_DEQ_MODE_REMOVE: number;
    readonly AQ_DEQ_NAV_FIRST_MSG: number;
    readonly AQ_VISIBILITY_ON_COMMIT: number;
  };
  export default oracledb;
}
