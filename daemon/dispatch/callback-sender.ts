/**
 * The callback outbox sender (docs/callbacks.md): claims due events from the Store under a lease,
 * delivers each to the client's URL in its chosen format with signed headers, and records the
 * outcome (delivered, retry after a backoff, dead). Each client has its own small number of
 * concurrent requests, so a client whose endpoint hangs uses only its own slots; a client that
 * answered 429 is paused without slowing anyone else. Retry times live in the Store, so a restart
 * (or kill -9) resumes the schedule; an event whose lease lapses with its sender is sent again
 * (delivery is at least once, the event id lets the client drop duplicates).
 */
import { SMPP_CHANNEL_URL } from '../domain/callback-channel.js';
import type { ClientId } from '../domain/ids.js';
import type { ClientRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import { noCallbackEvents, type CallbackEvents } from '../stats/metric-events.js';
import type { CallbackClaimScope, CallbackEvent, CallbackOutcome, Store } from '../storage/port.js';
import { defaultBackoff, type BackoffSchedule } from './callback-backoff.js';
import type { EventChannel } from './callback-channel.js';
import { buildCallbackRequest } from './callback-format.js';
import { CallbackHttp, type CallbackHttpResponse } from './callback-http.js';
import { attemptOutcome, parseRetryAfter, type AttemptResult } from './callback-outcome.js';
import { callbackHeaders } from './callback-signature.js';

export interface CallbackSenderOptions {
  /** Requests in flight to one client at most. */
  readonly perClientConcurrency: number;
  /** Requests in flight from this sender at most. */
  readonly globalConcurrency: number;
  /** A request without a complete response by then is abandoned and retried. */
  readonly requestTimeoutMs: number;
  /** The claim lease: longer than a request may take, so that a live sender keeps its events. */
  readonly leaseMs: number;
  /** How often the outbox is polled when it had nothing due. */
  readonly pollIntervalMs: number;
  /** How long stop() waits for requests in flight before abandoning them (their leases then lapse). */
  readonly stopTimeoutMs: number;
  /** The most of an MO reply body that is read; the rest is ignored. */
  readonly maxReplyBytes: number;
  readonly backoff: BackoffSchedule;
  /**
   * How often SMPP-channel events that no node claimed for backoff.maxAgeMs (their client had no
   * receiving bind anywhere) are dead-lettered.
   */
  readonly unclaimedCheckIntervalMs: number;
}

/**
 * 32 requests in flight per client carry a busy client's receipts at well over 1,000/s on loopback
 * (4 capped one client at about 120/s under load); 256 in all leaves room for eight stalled clients
 * before anyone else waits.
 */
export const defaultCallbackSenderOptions: CallbackSenderOptions = {
  perClientConcurrency: 32,
  globalConcurrency: 256,
  requestTimeoutMs: 10_000,
  leaseMs: 60_000,
  pollIntervalMs: 500,
  stopTimeoutMs: 11_000,
  maxReplyBytes: 4096,
  backoff: defaultBackoff,
  unclaimedCheckIntervalMs: 60_000,
};

export interface CallbackSenderDeps {
  readonly store: Pick<Store, 'claimCallbacks' | 'completeCallback' | 'deadLetterUnclaimedSmppCallbacks' | 'wakeups'>;
  /** The client as currently provisioned (format, secret, moReplyAllowed); undefined if it was deleted. */
  readonly clientOf: (clientId: ClientId) => ClientRecord | undefined;
  readonly logger: Logger;
  /** Names the lease holder (node and worker). */
  readonly owner: string;
  /**
   * Called with the trimmed text/plain body a client with moReplyAllowed answered (2xx) to an MO
   * callback, before the event is marked delivered; the caller sends it back as an MT. An event can
   * be delivered twice (at least once), so the caller should use the event id as idempotency key.
   */
  readonly onMoReply?: (event: CallbackEvent, text: string) => Promise<void>;
  /** Where `smpp:` events go: the node's SMPP server. A receiving bind coming up there wakes the sender. */
  readonly smppChannel?: EventChannel;
  /**
   * Which events each claim takes (read at every claim). Default: HTTP events, and SMPP-channel events
   * of the clients with a receiving bind on `smppChannel` (none without it).
   */
  readonly claimScope?: () => CallbackClaimScope;
  /**
   * Whether this sender runs the dead-letter check of SMPP-channel events no node claimed (default
   * true). One sender a node runs it: with workers, the primary's, not each worker's.
   */
  readonly checksUnclaimed?: boolean;
  readonly options?: Partial<CallbackSenderOptions>;
  /** Milliseconds since the epoch. */
  readonly clock?: () => number;
  /** In [0, 1), for the backoff jitter. */
  readonly random?: () => number;
  /** Attempts with their outcome and duration, for metrics. */
  readonly events?: CallbackEvents;
}

interface ClientState {
  inFlight: number;
  /** After a 429: none of the client's events start before this time. */
  pausedUntil: number;
}

export class CallbackSender {
  private readonly options: CallbackSenderOptions;
  private readonly http = new CallbackHttp();
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly events: CallbackEvents;
  private readonly clients = new Map<ClientId, ClientState>();
  /** Attempts and releases in progress, so stop() can wait for them. */
  private readonly pending = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private inFlight = 0;
  private running = false;
  private claiming: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly claimScope: () => CallbackClaimScope;
  private nextUnclaimedCheckAt = 0;
  private stopWatchingBinds: (() => void) | null = null;
  private stopWakeups: (() => void) | null = null;

  constructor(private readonly deps: CallbackSenderDeps) {
    this.options = { ...defaultCallbackSenderOptions, ...deps.options };
    const { perClientConcurrency, globalConcurrency, requestTimeoutMs, leaseMs } = this.options;
    if (!(perClientConcurrency >= 1 && globalConcurrency >= perClientConcurrency)) {
      throw new Error('callback sender: need 1 <= perClientConcurrency <= globalConcurrency');
    }
    // A lease shorter than a request would let another sender take the event while it is being sent.
    if (!(leaseMs > requestTimeoutMs)) throw new Error('callback sender: leaseMs must exceed requestTimeoutMs');
    this.clock = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.events = deps.events ?? noCallbackEvents;
    const channel = deps.smppChannel;
    this.claimScope = deps.claimScope ?? (() => ({ http: true, smppClients: channel?.receivingClients() ?? [] }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // A receipt waiting for its client's bind goes out as soon as the bind is up, not at the next poll.
    this.stopWatchingBinds = this.deps.smppChannel?.onReceivingBind(() => this.wake(0)) ?? null;
    // Store wake-ups (PostgreSQL): a new event, or the listener back after a loss, claims at once.
    this.stopWakeups = this.deps.store.wakeups?.on('callbacks', () => this.wake(0)) ?? null;
    this.wake(0);
  }

  /** Stops claiming and waits (at most stopTimeoutMs) for attempts in flight; then abandons the rest. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopWatchingBinds?.();
    this.stopWatchingBinds = null;
    this.stopWakeups?.();
    this.stopWakeups = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      deadline = setTimeout(() => resolve('timeout'), this.options.stopTimeoutMs);
    });
    const settled = async (): Promise<'done'> => {
      while (this.claiming !== null || this.pending.size > 0) {
        await Promise.all([this.claiming, ...this.pending]);
      }
      return 'done';
    };
    const result = await Promise.race([settled(), timedOut]);
    clearTimeout(deadline);
    if (result === 'timeout') {
      // Aborted requests record a retry at once; give those writes a moment before the store closes.
      for (const controller of this.controllers) controller.abort();
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(this.pending), new Promise((resolve) => (grace = setTimeout(resolve, 1000)))]);
      clearTimeout(grace);
      this.deps.logger.warn({ abandoned: this.pending.size }, 'callback sender stopped with attempts in flight');
    }
    this.http.close();
  }

  /** Requests in flight now (for metrics and tests). */
  inFlightCount(): number {
    return this.inFlight;
  }

  private wake(delayMs: number): void {
    if (!this.running) return;
    if (this.timer !== null) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.claiming !== null) {
        // A claim is under way; look again right after it, since slots may have been freed meanwhile.
        void this.claiming.then(() => this.wake(0));
        return;
      }
      this.claiming = this.claimAndDispatch().finally(() => (this.claiming = null));
    }, delayMs);
  }

  private async claimAndDispatch(): Promise<void> {
    await this.deadLetterUnclaimed();
    const free = this.options.globalConcurrency - this.inFlight;
    // With no free slot a finishing attempt wakes the loop.
    if (free <= 0) return;
    const scope = this.claimScope();
    let events: readonly CallbackEvent[] = [];
    try {
      if (scope.http || scope.smppClients.length > 0) {
        events = await this.deps.store.claimCallbacks({
          owner: this.deps.owner,
          limit: free,
          perClientLimit: this.options.perClientConcurrency,
          leaseMs: this.options.leaseMs,
          scope,
        });
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, 'claiming callback events failed');
    }
    let started = 0;
    for (const event of events) if (this.dispatch(event)) started += 1;
    // A full claim means more may be due; but a claim that only handed back busy clients' events waits.
    this.wake(events.length >= free && started > 0 ? 0 : this.options.pollIntervalMs);
  }

  /**
   * SMPP-channel events wait unclaimed while their client has no receiving bind anywhere; once they
   * have waited as long as a failing event is retried, they are dead (replayable), as it would be.
   */
  private async deadLetterUnclaimed(): Promise<void> {
    if (this.deps.checksUnclaimed === false) return;
    const now = this.clock();
    if (now < this.nextUnclaimedCheckAt) return;
    this.nextUnclaimedCheckAt = now + this.options.unclaimedCheckIntervalMs;
    const { maxAgeMs } = this.options.backoff;
    try {
      const dead = await this.deps.store.deadLetterUnclaimedSmppCallbacks(maxAgeMs, `no receiving SMPP bind of the client for ${Math.round(maxAgeMs / 60_000)} min`);
      if (dead > 0) this.deps.logger.warn({ dead }, 'SMPP callback events dead: their client had no receiving bind');
    } catch (error) {
      this.deps.logger.error({ err: error }, 'dead-lettering unclaimed SMPP callback events failed');
    }
  }

  /** Starts an attempt, or hands the event back when its client is paused or busy; true when started. */
  private dispatch(event: CallbackEvent): boolean {
    const state = this.clientState(event.clientId);
    const now = this.clock();
    if (state.pausedUntil > now) {
      this.track(this.release(event, state.pausedUntil - now, 'client paused after HTTP 429'));
      return false;
    }
    if (state.inFlight >= this.options.perClientConcurrency) {
      // The Store gave more of this client's events than it may have in flight: hand them back for later.
      this.track(this.release(event, this.options.requestTimeoutMs, 'client at its concurrency limit'));
      return false;
    }
    state.inFlight += 1;
    this.inFlight += 1;
    this.track(
      this.attempt(event, state).finally(() => {
        state.inFlight -= 1;
        this.inFlight -= 1;
        if (state.inFlight === 0 && state.pausedUntil <= this.clock()) this.clients.delete(event.clientId);
        this.wake(0);
      }),
    );
    return true;
  }

  private track(work: Promise<void>): void {
    const guarded = work.catch((error: unknown) => this.deps.logger.error({ err: error }, 'callback attempt failed unexpectedly'));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  private clientState(clientId: ClientId): ClientState {
    let state = this.clients.get(clientId);
    if (state === undefined) {
      state = { inFlight: 0, pausedUntil: 0 };
      this.clients.set(clientId, state);
    }
    return state;
  }

  private async release(event: CallbackEvent, delayMs: number, error: string): Promise<void> {
    await this.complete(event, { kind: 'retry', delayMs, error });
  }

  private async attempt(event: CallbackEvent, state: ClientState): Promise<void> {
    const log = this.deps.logger.child({ eventId: event.id, clientId: event.clientId, kind: event.kind });
    const client = this.deps.clientOf(event.clientId);
    if (client === undefined) {
      await this.complete(event, { kind: 'dead', error: 'client is no longer provisioned' });
      return;
    }
    if (event.url === SMPP_CHANNEL_URL) {
      await this.attemptOverChannel(event, log);
      return;
    }
    let request;
    try {
      request = buildCallbackRequest(event, client.callbackFormat);
    } catch (error) {
      await this.complete(event, { kind: 'dead', error: `cannot build the request: ${messageOf(error)}` });
      return;
    }
    const headers = callbackHeaders(event.id, client.callbackSecret, Math.floor(this.clock() / 1000), request.signedPart);
    if (request.contentType !== null) headers['Content-Type'] = request.contentType;
    headers['User-Agent'] = 'smsproc-callbacks';

    const startedAt = performance.now();
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.options.requestTimeoutMs);
    let result: AttemptResult;
    let reply: string | null = null;
    try {
      const response = await this.http.send({
        method: request.method,
        url: request.url,
        headers,
        body: request.body,
        signal: controller.signal,
        maxBodyBytes: this.options.maxReplyBytes,
      });
      result = { kind: 'response', status: response.status, retryAfterMs: parseRetryAfter(response.header('retry-after') ?? null, this.clock()) };
      if (this.wantsReply(event, client, response)) reply = response.text;
    } catch (error) {
      result = controller.signal.aborted
        ? { kind: 'timeout', timeoutMs: this.options.requestTimeoutMs }
        : { kind: 'network', error: messageOf(error) };
    } finally {
      clearTimeout(timeout);
      this.controllers.delete(controller);
    }

    const now = this.clock();
    const outcome = attemptOutcome(event, result, now, this.random(), this.options.backoff);
    if (result.kind === 'response' && result.status === 429 && outcome.kind === 'retry') {
      state.pausedUntil = Math.max(state.pausedUntil, now + outcome.delayMs);
    }
    const replyText = reply?.trim() ?? '';
    if (outcome.kind === 'delivered' && replyText !== '' && this.deps.onMoReply !== undefined) {
      try {
        await this.deps.onMoReply(event, replyText);
      } catch (error) {
        log.error({ err: error }, 'the MO reply could not be sent');
      }
    }
    this.events.attempt(event.kind, outcome.kind, (performance.now() - startedAt) / 1000);
    if (outcome.kind === 'delivered') log.debug({ attempts: event.attempts + 1 }, 'callback delivered');
    else log.warn({ attempts: event.attempts + 1, outcome }, outcome.kind === 'dead' ? 'callback dead' : 'callback will be retried');
    await this.complete(event, outcome);
  }

  private async attemptOverChannel(event: CallbackEvent, log: Logger): Promise<void> {
    const channel = this.deps.smppChannel;
    const attempt = channel === undefined ? { kind: 'failed', error: 'no SMPP server on this node' } as const : await channel.deliver(event);
    const result: AttemptResult = { kind: 'channel', delivered: attempt.kind === 'delivered', error: attempt.kind === 'failed' ? attempt.error : '' };
    const outcome = attemptOutcome(event, result, this.clock(), this.random(), this.options.backoff);
    if (outcome.kind !== 'delivered') log.debug({ attempts: event.attempts + 1, outcome }, 'SMPP callback will be retried');
    await this.complete(event, outcome);
  }

  private wantsReply(event: CallbackEvent, client: ClientRecord, response: CallbackHttpResponse): boolean {
    if (event.kind !== 'mo' || !client.moReplyAllowed || this.deps.onMoReply === undefined) return false;
    if (response.status < 200 || response.status >= 300) return false;
    const mediaType = (response.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    return mediaType === 'text/plain';
  }

  private async complete(event: CallbackEvent, outcome: CallbackOutcome): Promise<void> {
    try {
      await this.deps.store.completeCallback(event.id, this.deps.owner, outcome);
    } catch (error) {
      // The lease lapses and the event is attempted again: at least once, never lost.
      this.deps.logger.error({ err: error, eventId: event.id }, 'recording a callback outcome failed');
    }
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
