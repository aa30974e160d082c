/**
 * Per-client reservation tokens for one node, shared by the fair schedulers of all its routes, so a
 * client reserved 100 segments/s gets 100/s in total on this node, not 100/s on every route.
 *
 * Each account is a token bucket kept as one number: the instant (ms) up to which the reservation
 * has been spent. Tokens at `now` are `(now - spentUntil) × reservedTps / 1000`, at most `burstMs`
 * worth; a client with tokens is eligible for its reservation. Among eligible clients a route picks
 * by a fair-queueing tag advanced by `segments / reservedTps` on every reserved send on any route,
 * so the routes that share a client see what it got elsewhere.
 *
 * In a cluster the same holds across nodes (docs/scheduling.md, "Across nodes"): each node reports
 * the reserved segments it sent (`sentReserved`) and is charged those the client sent on the others
 * (`chargeElsewhere`), which spends its tokens and moves its tag on as if it had sent them itself.
 * While the others cannot be heard from, `setShare` gives each node its part of every reservation.
 */

export interface ReservationLedgerOptions {
  /** How much unused reservation a client may bank, in ms of its rate (default 1000). */
  readonly burstMs?: number;
}

export class ReservationAccount {
  /** Guaranteed floor in segments per second on this node: the configured one times the node's share. */
  reservedTps = 0;
  /** The client's reservation as provisioned, for the whole cluster. */
  configuredTps = 0;
  /** Start tag (virtual seconds) of the client's next reserved send, node-wide. */
  tag = 0;
  /** Reserved segments this node has sent for the client since it started: what it reports to the others. */
  sentReserved = 0;
  private spentUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly clientId: string,
    private readonly burstMs: number,
  ) {}

  /** The instant up to which the reservation is spent, never earlier than `burstMs` before `now`. */
  spentUntilAt(now: number): number {
    const floor = now - this.burstMs;
    return this.spentUntil < floor ? floor : this.spentUntil;
  }

  /** Reserved segments the client may still send at `now` (negative after a multi-segment overdraft). */
  available(now: number): number {
    return this.reservedTps > 0 ? ((now - this.spentUntilAt(now)) * this.reservedTps) / 1000 : 0;
  }

  /**
   * Takes `segments` from the reservation for a send that started at fair-queueing tag `startTag`.
   * A message goes whole, so it may overdraw the bucket; the debt delays the next reserved send,
   * which keeps the long-run rate exact.
   */
  charge(segments: number, now: number, startTag: number): void {
    if (this.reservedTps <= 0) return;
    this.spentUntil = this.spentUntilAt(now) + (segments * 1000) / this.reservedTps;
    this.tag = startTag + segments / this.reservedTps;
    this.sentReserved += segments;
  }

  /** `segments` the client sent from its reservation on other nodes: they spend the same tokens here. */
  chargeElsewhere(segments: number, now: number): void {
    if (this.reservedTps <= 0 || segments <= 0) return;
    this.spentUntil = this.spentUntilAt(now) + (segments * 1000) / this.reservedTps;
    this.tag += segments / this.reservedTps;
  }
}

export class ReservationLedger {
  readonly burstMs: number;
  private readonly accounts = new Map<string, ReservationAccount>();
  private share = 1;

  constructor(options: ReservationLedgerOptions = {}) {
    this.burstMs = options.burstMs ?? 1000;
    if (!(this.burstMs > 0)) throw new RangeError(`burstMs must be positive, got ${this.burstMs}`);
  }

  setReservation(clientId: string, reservedTps: number): void {
    if (!(reservedTps >= 0) || !Number.isFinite(reservedTps)) {
      throw new RangeError(`reservedTps of ${clientId} must be a finite number >= 0, got ${reservedTps}`);
    }
    const account = this.account(clientId);
    account.configuredTps = reservedTps;
    account.reservedTps = reservedTps * this.share;
  }

  /**
   * The part of every reservation this node gives (1: the whole, its sends counted cluster-wide;
   * 1 / live nodes while the cluster's counts are unreachable).
   */
  setShare(share: number): void {
    if (!(share > 0 && share <= 1)) throw new RangeError(`share must be in (0, 1], got ${share}`);
    this.share = share;
    for (const account of this.accounts.values()) account.reservedTps = account.configuredTps * share;
  }

  /** Accounts of clients with a reservation: the ones whose sends the cluster counts. */
  reservedAccounts(): ReservationAccount[] {
    return [...this.accounts.values()].filter((account) => account.configuredTps > 0);
  }

  /** The client's account; a client never set is best effort (reservation 0). */
  account(clientId: string): ReservationAccount {
    let account = this.accounts.get(clientId);
    if (account === undefined) {
      account = new ReservationAccount(clientId, this.burstMs);
      this.accounts.set(clientId, account);
    }
    return account;
  }
}
