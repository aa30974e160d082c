import type {
  AqIncoming,
  AqOutgoing,
  AqQueueName,
  Binds,
  ExecuteResult,
  NamedSql,
  OracleSession,
  OracleSessionPool,
} from '../../daemon/storage/oracle/aq-session.js';

/**
 * A fake behind the adapter's OracleSession interface, for unit tests of the adapter's control
 * flow without a server. Its queues behave like AQ with ON_COMMIT visibility: an enqueue becomes
 * visible and a dequeue final only at commit; a rollback undoes both. Statements are answered by
 * per-name handlers the test gives; an unhandled statement answers no rows. Every call is logged
 * by name, so a test can assert the order (lease written before commit, rollback on failure).
 * Like the server, it refuses a bind set whose names differ from the statement's placeholders
 * (ORA-01036 for an extra name, ORA-01008 for a missing one).
 */
export type Handler = (binds: Binds) => ExecuteResult<Record<string, unknown>> | Error;

export class FakeAq {
  readonly queues = new Map<AqQueueName, AqOutgoing[]>();
  readonly log: string[] = [];
  handlers = new Map<string, Handler>();
  /** Makes a statement (by name) or operation ("enqueue", "dequeue", "commit") fail once with this error. */
  failNext = new Map<string, Error>();
  private sessions = 0;

  visible(queue: AqQueueName): readonly AqOutgoing[] {
    return this.queues.get(queue) ?? [];
  }

  pool(): OracleSessionPool {
    return {
      acquire: async () => new FakeSession(this, ++this.sessions),
      close: async () => undefined,
    };
  }

  fail(name: string): Error | undefined {
    const error = this.failNext.get(name);
    this.failNext.delete(name);
    return error;
  }
}

/** The named placeholders of a statement, outside comments and string literals, upper-cased as Oracle reads them. */
export function placeholdersOf(sql: string): Set<string> {
  const code = sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");
  return new Set([...code.matchAll(/(?<![:\w]):([A-Za-z_]\w*)/g)].map((match) => (match[1] ?? '').toUpperCase()));
}

function checkBinds(statement: NamedSql, binds: Binds): void {
  const expected = placeholdersOf(statement.sql);
  const given = new Set(Object.keys(binds).map((name) => name.toUpperCase()));
  for (const name of given) if (!expected.has(name)) throw new Error(`ORA-01036: ${statement.name}: illegal variable name ${name}`);
  for (const name of expected) if (!given.has(name)) throw new Error(`ORA-01008: ${statement.name}: not all variables bound (${name})`);
}

class FakeSession implements OracleSession {
  private enqueued: [AqQueueName, AqOutgoing][] = [];
  private dequeued: [AqQueueName, AqOutgoing][] = [];

  constructor(private readonly aq: FakeAq, private readonly number: number) {}

  async execute<Row>(statement: NamedSql, binds: Binds): Promise<ExecuteResult<Row>> {
    this.aq.log.push(`execute ${statement.name}`);
    checkBinds(statement, binds);
    const failure = this.aq.fail(statement.name);
    if (failure) throw failure;
    const answer = this.aq.handlers.get(statement.name)?.(binds) ?? { rows: [], rowsAffected: 0 };
    if (answer instanceof Error) throw answer;
    return answer as ExecuteResult<Row>;
  }

  async executeMany(statement: NamedSql, binds: readonly Binds[]): Promise<readonly number[]> {
    this.aq.log.push(`executeMany ${statement.name} x${binds.length}`);
    for (const set of binds) checkBinds(statement, set);
    const failure = this.aq.fail(statement.name);
    if (failure) throw failure;
    return binds.map((set) => {
      const answer = this.aq.handlers.get(statement.name)?.(set) ?? { rows: [], rowsAffected: 1 };
      if (answer instanceof Error) throw answer;
      return answer.rowsAffected;
    });
  }

  async enqueue(queue: AqQueueName, messages: readonly AqOutgoing[]): Promise<void> {
    this.aq.log.push(`enqueue ${queue} x${messages.length}`);
    const failure = this.aq.fail('enqueue');
    if (failure) throw failure;
    for (const message of messages) this.enqueued.push([queue, message]);
  }

  async dequeue(queue: AqQueueName, correlation: string, max: number, clientId?: string): Promise<readonly AqIncoming[]> {
    this.aq.log.push(`dequeue ${queue} ${correlation}${clientId === undefined ? '' : ` client ${clientId}`} max ${max}`);
    const failure = this.aq.fail('dequeue');
    if (failure) throw failure;
    const waiting = this.aq.queues.get(queue) ?? [];
    const taken = new Set(this.dequeued.map(([, message]) => message));
    const ready = waiting
      .filter((message) => message.correlation === correlation && (clientId === undefined || message.payload.CLIENT_ID === clientId)
        && (message.payload.READY_AT === null || message.payload.READY_AT.getTime() <= Date.now()) && !taken.has(message))
      .sort((a, b) => a.priority - b.priority)
      .slice(0, max);
    for (const message of ready) this.dequeued.push([queue, message]);
    return ready.map((message, index) => ({
      payload: message.payload, correlation: message.correlation, priority: message.priority, msgId: `${this.number}-${index}`,
    }));
  }

  async commit(): Promise<void> {
    this.aq.log.push('commit');
    const failure = this.aq.fail('commit');
    if (failure) throw failure;
    for (const [queue, message] of this.dequeued) {
      this.aq.queues.set(queue, (this.aq.queues.get(queue) ?? []).filter((waiting) => waiting !== message));
    }
    for (const [queue, message] of this.enqueued) this.aq.queues.set(queue, [...(this.aq.queues.get(queue) ?? []), message]);
    this.enqueued = [];
    this.dequeued = [];
  }

  async rollback(): Promise<void> {
    this.aq.log.push('rollback');
    this.enqueued = [];
    this.dequeued = [];
  }

  async release(): Promise<void> {
    this.aq.log.push('release');
  }
}

/** An error shaped like node-oracledb's (code "NJS-500", "ORA-00001", …). */
export function oracleError(code: string, text = 'test'): Error {
  return Object.assign(new Error(`${code}: ${text}`), { code });
}
