import type { ServerResponse } from 'node:http';
import type { Logger } from '../log.js';

/**
 * Server-Sent Events for the live pages: one timer per subject (a client, or the operator dashboard)
 * while anyone watches it, so that a client with ten open tabs costs one set of queries per tick.
 * Each tick computes the subject's payload once and writes it to every watcher as `data: <json>`.
 *
 * Updates are paced so that computing them takes at most MAX_STORE_SHARE of the time: a subject whose
 * last update took d ms waits at least (subjects watched × d / MAX_STORE_SHARE) before the next, so a
 * store that slows down (or many watched clients) stretches the interval instead of being swamped.
 */
export interface LiveSource {
  /** The payload of one subject now. */
  compute(subject: string): Promise<unknown>;
}

/**
 * Asked before every update: false ends the watcher's stream (logged out, address or account no
 * longer allowed). A session check is a store read by primary key; a check that fails (the store
 * does not answer) skips that watcher's update and keeps the stream.
 */
export type StillAllowed = () => Promise<boolean>;

/** The most of the wall-clock time live updates may spend computing (store reads, on SQLite in this thread). */
const MAX_STORE_SHARE = 0.25;

interface Topic {
  readonly watchers: Map<ServerResponse, StillAllowed>;
  timer: NodeJS.Timeout | null;
  busy: boolean;
  /** No update is computed before this time (ms since the epoch). */
  nextAt: number;
}

export class LiveFeed {
  private readonly topics = new Map<string, Topic>();
  private closed = false;

  constructor(private readonly source: LiveSource, private readonly intervalMs: number, private readonly logger: Logger) {}

  /** Starts the event stream on `response` (the raw response of a hijacked request) and sends a first update at once. */
  watch(subject: string, response: ServerResponse, stillAllowed: StillAllowed): void {
    if (this.closed) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx: do not buffer the stream.
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${this.intervalMs}\n\n`);
    let topic = this.topics.get(subject);
    if (topic === undefined) {
      topic = { watchers: new Map(), timer: null, busy: false, nextAt: 0 };
      this.topics.set(subject, topic);
      const started = topic;
      topic.timer = setInterval(() => this.tick(subject, started), this.intervalMs);
    }
    topic.watchers.set(response, stillAllowed);
    const current = topic;
    response.on('close', () => this.unwatch(subject, current, response));
    this.tick(subject, topic, true);
  }

  /** Subjects watched now and their watcher counts (tests, the dashboard). */
  watchers(): ReadonlyMap<string, number> {
    return new Map([...this.topics].map(([subject, topic]) => [subject, topic.watchers.size]));
  }

  /** Ends every stream (the server is closing: open streams would hold it open). */
  close(): void {
    this.closed = true;
    for (const topic of this.topics.values()) {
      if (topic.timer !== null) clearInterval(topic.timer);
      for (const response of topic.watchers.keys()) response.end();
    }
    this.topics.clear();
  }

  private unwatch(subject: string, topic: Topic, response: ServerResponse): void {
    topic.watchers.delete(response);
    if (topic.watchers.size > 0 || this.topics.get(subject) !== topic) return;
    if (topic.timer !== null) clearInterval(topic.timer);
    this.topics.delete(subject);
  }

  /** `first`: a new watcher gets an update at once, whatever the pacing. */
  private tick(subject: string, topic: Topic, first = false): void {
    const startedAt = Date.now();
    if (topic.busy || (!first && startedAt < topic.nextAt)) return;
    topic.busy = true;
    this.source
      .compute(subject)
      .then(async (payload) => {
        const frame = `data: ${JSON.stringify(payload)}\n\n`;
        await Promise.all([...topic.watchers].map(async ([response, stillAllowed]) => {
          const allowed = await stillAllowed().catch(() => null);
          // Closed or gone while the check ran: writing to an ended response would raise an error.
          if (this.closed || !topic.watchers.has(response)) return;
          if (allowed === true) response.write(frame);
          else if (allowed === false) response.end();
        }));
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, subject }, 'live figures not computed');
        for (const response of topic.watchers.keys()) response.write(': figures unavailable\n\n');
      })
      .finally(() => {
        topic.busy = false;
        const pacedMs = Math.max(this.intervalMs, (this.topics.size * (Date.now() - startedAt)) / MAX_STORE_SHARE);
        // Half an interval early: the timer fires every intervalMs, and one firing a hair early must not skip a turn.
        topic.nextAt = startedAt + pacedMs - this.intervalMs / 2;
      });
  }
}
