import pg from 'pg';
import type { StoreWakeups, WakeupChannel, WakeupListener } from '../port.js';

/**
 * Wake-ups over LISTEN/NOTIFY (docs/storage.md, "Wake-ups"). Writers NOTIFY inside their transaction,
 * so a notification is delivered only once what it announces is committed: an enqueue on `smsproc_mt`
 * (payload: the route id), a new callback event on `smsproc_callbacks` (payload empty). The channels
 * are the database's, not the schema's: nodes of other schemas in the same database wake each other
 * for nothing, which costs one empty claim.
 * One connection of its own per process (not from the pool: a LISTEN session must stay open), opened
 * when the first listener subscribes; lost, it is opened again with backoff. After every (re)connect
 * each listener gets one wake with payload null, since notifications sent while it was down are gone;
 * callers keep polling, so a lost notification costs latency, never a message.
 */
export const wakeupChannels: Readonly<Record<WakeupChannel, string>> = { mt: 'smsproc_mt', callbacks: 'smsproc_callbacks' };

export interface WakeupOptions {
  readonly url: string;
  /** application_name of the listening session (pg_stat_activity). */
  readonly applicationName: string;
  readonly connectTimeoutMs?: number;
  /** Delay before the first reconnect; doubled after each failure up to maxBackoffMs. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export class PostgresWakeups implements StoreWakeups {
  private readonly listeners = new Map<WakeupChannel, Set<WakeupListener>>();
  private client: pg.Client | null = null;
  private started = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: WakeupOptions) {
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.backoffMs = this.minBackoffMs;
  }

  on(channel: WakeupChannel, listener: WakeupListener): () => void {
    let set = this.listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    if (!this.started && !this.closed) {
      this.started = true;
      void this.connect();
    }
    return () => {
      set.delete(listener);
    };
  }

  /** Whether the listening session is up now (tests, diagnostics). */
  get connected(): boolean {
    return this.client !== null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
      // A server host gone without closing the socket is noticed by TCP keepalive rather than never.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      this.retry();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (message) => this.deliver(message.channel, message.payload ?? ''));
    try {
      await client.connect();
      await client.query(`LISTEN ${wakeupChannels.mt}; LISTEN ${wakeupChannels.callbacks}`);
    } catch {
      onLost();
      return;
    }
    if (lost) return;
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoffMs = this.minBackoffMs;
    // Whatever was committed while no session listened was announced to nobody: look once now.
    for (const set of this.listeners.values()) for (const listener of [...set]) listener(null);
  }

  private retry(): void {
    if (this.closed || this.retryTimer !== null) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private deliver(channel: string, payload: string): void {
    const name = channel === wakeupChannels.mt ? 'mt' : channel === wakeupChannels.callbacks ? 'callbacks' : null;
    if (name === null) return;
    for (const listener of [...(this.listeners.get(name) ?? [])]) listener(payload);
  }
}

/**
 * How often one process's transactions NOTIFY the same channel and payload at most. A notifying
 * commit holds a database-wide lock through its WAL flush (PostgreSQL serializes them to keep the
 * notification queue in commit order): unthrottled, a notification per receipt halved the node's
 * throughput at saturation. Within the window a busy loop is claiming anyway.
 */
const notifyWindowMs = 20;
/** A trailing notification waits at least this long, for the transaction it stands for to commit. */
const trailingMinDelayMs = 10;

/**
 * Decides, per process, which writing transaction NOTIFYs itself: the first for a channel and payload
 * in a window does; the later ones in the window do not, and one trailing notification of its own (a
 * statement outside any of them) follows at the window's end. So each commit is announced within
 * about the window, and notifying commits are at most two per window, channel and payload.
 */
export class NotifyThrottle {
  private readonly lastAt = new Map<string, number>();
  private readonly trailing = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly send: (channel: string, payload: string) => Promise<unknown>, private readonly windowMs = notifyWindowMs) {}

  /** Whether the transaction being written NOTIFYs `payload` on `channel` itself (else a trailing one follows). */
  take(channel: WakeupChannel, payload: string): boolean {
    const key = `${channel}\u0000${payload}`;
    const now = Date.now();
    const last = this.lastAt.get(key);
    if (last === undefined || now - last >= this.windowMs) {
      this.lastAt.set(key, now);
      return true;
    }
    if (!this.trailing.has(key) && !this.closed) {
      const timer = setTimeout(() => {
        this.trailing.delete(key);
        this.lastAt.set(key, Date.now());
        // Lost only costs latency: the listeners poll.
        void this.send(wakeupChannels[channel], payload).catch(() => undefined);
      }, Math.max(trailingMinDelayMs, last + this.windowMs - now));
      timer.unref();
      this.trailing.set(key, timer);
    }
    return false;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.trailing.values()) clearTimeout(timer);
    this.trailing.clear();
  }
}
