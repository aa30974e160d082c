/**
 * The per-route fair scheduler: decides which client's message a route sends next. Pure: no I/O,
 * time (ms) is an argument. One instance per route on a node; the node's route schedulers share one
 * ReservationLedger. See docs/scheduling.md for the algorithm and its guarantees.
 *
 * Each decision has two phases (after mClock, Gulati et al., OSDI 2010):
 *  1. reservation: among clients with waiting messages and reserved tokens left in the ledger,
 *     start-time fair queueing weighted by reservation picks one, and it pays tokens;
 *  2. share: otherwise capacity is left over, and start-time fair queueing shares it in proportion
 *     to weight = max(reservedTps, minWeight); this phase takes no reservation tokens.
 * A decision scans the clients that have messages waiting: O(backlogged clients), no allocation.
 */
import { PriorityBacklog } from './priority-backlog.js';
import { ReservationLedger, type ReservationAccount } from './reservation-ledger.js';

/** What the scheduler reads from a message; dispatch passes its own richer type through. */
export interface SchedulableItem {
  readonly clientId: string;
  /** SMPP segments: the client is charged per segment, and all of a message's segments go together. */
  readonly segments: number;
  /** As in Oracle AQ, smaller goes first within the client (0 = one-time codes). */
  readonly priority: number;
}

/** The message shape dispatch hands over (carried through untouched except for the fields above). */
export interface ScheduledItem extends SchedulableItem {
  readonly id: string;
  /** When the message was accepted (ms), for wait-time metrics; order within a priority is enqueue order. */
  readonly enqueuedAt: number;
}

export interface FairSchedulerOptions {
  /** Segments per second this node may send on the route: the sum of the TPS of the binds it holds. */
  readonly capacityTps: number;
  /** Unused route capacity that may be banked, in ms of capacity (default 100, at least one segment). */
  readonly burstMs?: number;
  /** The node's ledger, shared by all its routes so a reservation counts once (default: a private one). */
  readonly ledger?: ReservationLedger;
  /** Weight in the leftover share of a client with reservation 0, in segments/s (default 1). */
  readonly minWeight?: number;
}

export interface ClientSettings {
  /** Guaranteed floor in segments per second; 0 for best effort. */
  readonly reservedTps: number;
}

/** Float slack: a budget of 1 − 1e-12 after arithmetic still counts as one whole segment. */
const wholeSegment = 1 - 1e-9;

class ClientLane<T extends SchedulableItem> {
  readonly backlog = new PriorityBacklog<T>();
  /** Start tag of the next message in the share phase (virtual seconds). */
  shareTag = 0;
  /** Position in the scheduler's list of backlogged clients, or -1. */
  activeIndex = -1;

  constructor(readonly account: ReservationAccount) {}
}

export class FairScheduler<T extends SchedulableItem = ScheduledItem> {
  readonly ledger: ReservationLedger;
  private readonly clients = new Map<string, ClientLane<T>>();
  private readonly active: ClientLane<T>[] = [];
  private readonly burstMs: number;
  private readonly minWeight: number;
  private capacityTps: number;
  private routeTokens = 0;
  private routeRefilledAt: number | null = null;
  /** The share phase's virtual time: the start tag of the last message it chose. */
  private virtualTime = 0;
  /** The reservation phase's virtual time, likewise (the tags themselves live in the ledger). */
  private reservedVirtualTime = 0;
  private waitingSegmentCount = 0;
  private waitingItemCount = 0;

  constructor(options: FairSchedulerOptions) {
    this.capacityTps = checkCapacity(options.capacityTps);
    this.burstMs = options.burstMs ?? 100;
    if (!(this.burstMs > 0)) throw new RangeError(`burstMs must be positive, got ${this.burstMs}`);
    this.minWeight = options.minWeight ?? 1;
    if (!(this.minWeight > 0)) throw new RangeError(`minWeight must be positive, got ${this.minWeight}`);
    this.ledger = options.ledger ?? new ReservationLedger();
  }

  /** Sets the client's reservation in the (possibly shared) ledger. Unknown clients are best effort. */
  setClient(clientId: string, settings: ClientSettings): void {
    this.ledger.setReservation(clientId, settings.reservedTps);
  }

  /** Binds came or went: the route's capacity on this node changes from `now` on. */
  setCapacity(capacityTps: number, now: number): void {
    this.refill(now);
    this.capacityTps = checkCapacity(capacityTps);
    this.routeTokens = Math.min(this.routeTokens, this.burstSegments());
  }

  /** Adds claimed messages; within a client and priority they keep the order given. */
  enqueue(items: Iterable<T>): void {
    for (const item of items) {
      if (!Number.isInteger(item.segments) || item.segments < 1) {
        throw new RangeError(`segments must be a positive integer, got ${item.segments}`);
      }
      const lane = this.laneOf(item.clientId);
      lane.backlog.push(item);
      if (lane.activeIndex < 0) {
        lane.activeIndex = this.active.length;
        this.active.push(lane);
      }
      this.waitingItemCount += 1;
      this.waitingSegmentCount += item.segments;
    }
  }

  /**
   * The messages to submit now, in order, within both `budgetSegments` (the bind's TPS and window
   * allowance) and the route's capacity. A message starts while at least one segment of both remains
   * and goes whole, so the last one may overrun by up to its segments − 1: charge the true total.
   */
  next(now: number, budgetSegments: number): T[] {
    this.refill(now);
    const chosen: T[] = [];
    let remaining = Math.min(budgetSegments, this.routeTokens);
    while (remaining >= wholeSegment && this.active.length > 0) {
      const item = this.decide(now);
      chosen.push(item);
      remaining -= item.segments;
      this.routeTokens -= item.segments;
    }
    return chosen;
  }

  /**
   * When `next` could next return something: `now` if it can at once, the instant the route's
   * capacity allows the next segment, or null when nothing waits (or the route has no capacity).
   */
  nextWakeAt(now: number): number | null {
    if (this.active.length === 0 || this.capacityTps <= 0) return null;
    this.refill(now);
    if (this.routeTokens >= wholeSegment) return now;
    return now + ((1 - this.routeTokens) * 1000) / this.capacityTps;
  }

  /** Messages waiting, all clients or one. */
  waitingItems(clientId?: string): number {
    return clientId === undefined ? this.waitingItemCount : (this.clients.get(clientId)?.backlog.size ?? 0);
  }

  /** Segments waiting, all clients or one: dispatch tops each client up from the store by this. */
  waitingSegments(clientId?: string): number {
    return clientId === undefined ? this.waitingSegmentCount : (this.clients.get(clientId)?.backlog.segments ?? 0);
  }

  /** Messages waiting per client with any: what a fair claim subtracts from each client's share. */
  waitingByClient(): Map<string, number> {
    return new Map(this.active.map((lane) => [lane.account.clientId, lane.backlog.size]));
  }

  /** Removes and returns everything waiting (bind lost, drain), each client's in sending order. */
  drain(): T[] {
    const all: T[] = [];
    for (const lane of this.active) {
      for (const item of lane.backlog.takeAll()) all.push(item);
      lane.activeIndex = -1;
    }
    this.active.length = 0;
    this.waitingItemCount = 0;
    this.waitingSegmentCount = 0;
    return all;
  }

  /** Picks, removes and accounts one message; at least one client must be backlogged. */
  private decide(now: number): T {
    let reserved: ClientLane<T> | undefined;
    let reservedTag = Number.POSITIVE_INFINITY;
    let shared: ClientLane<T> | undefined;
    let sharedTag = Number.POSITIVE_INFINITY;
    for (const lane of this.active) {
      const account = lane.account;
      if (account.reservedTps > 0 && account.spentUntilAt(now) < now) {
        // Tags below virtual time are raised to it: a client banks no turn while idle here.
        const tag = account.tag < this.reservedVirtualTime ? this.reservedVirtualTime : account.tag;
        if (tag < reservedTag) {
          reserved = lane;
          reservedTag = tag;
        }
      }
      // Nor share while idle or served by its reservation.
      const tag = lane.shareTag < this.virtualTime ? this.virtualTime : lane.shareTag;
      if (tag < sharedTag) {
        shared = lane;
        sharedTag = tag;
      }
    }
    let lane: ClientLane<T>;
    let item: T;
    if (reserved !== undefined) {
      lane = reserved;
      item = lane.backlog.shift() as T;
      this.reservedVirtualTime = reservedTag;
      lane.account.charge(item.segments, now, reservedTag);
    } else {
      lane = shared as ClientLane<T>;
      item = lane.backlog.shift() as T;
      this.virtualTime = sharedTag;
      lane.shareTag = sharedTag + item.segments / Math.max(lane.account.reservedTps, this.minWeight);
    }
    this.waitingItemCount -= 1;
    this.waitingSegmentCount -= item.segments;
    if (lane.backlog.size === 0) this.deactivate(lane);
    return item;
  }

  private deactivate(lane: ClientLane<T>): void {
    const last = this.active.pop() as ClientLane<T>;
    if (last !== lane) {
      this.active[lane.activeIndex] = last;
      last.activeIndex = lane.activeIndex;
    }
    lane.activeIndex = -1;
  }

  private laneOf(clientId: string): ClientLane<T> {
    let lane = this.clients.get(clientId);
    if (lane === undefined) {
      lane = new ClientLane<T>(this.ledger.account(clientId));
      this.clients.set(clientId, lane);
    }
    return lane;
  }

  /** At least one segment, so a route slower than one segment per burstMs still sends; none without binds. */
  private burstSegments(): number {
    return this.capacityTps > 0 ? Math.max(1, (this.capacityTps * this.burstMs) / 1000) : 0;
  }

  private refill(now: number): void {
    if (this.routeRefilledAt === null) {
      this.routeTokens = this.burstSegments();
    } else if (now > this.routeRefilledAt) {
      const gained = ((now - this.routeRefilledAt) * this.capacityTps) / 1000;
      this.routeTokens = Math.min(this.burstSegments(), this.routeTokens + gained);
    }
    if (this.routeRefilledAt === null || now > this.routeRefilledAt) this.routeRefilledAt = now;
  }
}

function checkCapacity(capacityTps: number): number {
  if (!(capacityTps >= 0) || !Number.isFinite(capacityTps)) {
    throw new RangeError(`capacityTps must be a finite number >= 0, got ${capacityTps}`);
  }
  return capacityTps;
}
