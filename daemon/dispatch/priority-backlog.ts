/**
 * One client's waiting messages on one route: smallest priority first (as in Oracle AQ), and in
 * arrival order within a priority. Priorities are few (0 and 1 in practice), so lanes are a short
 * sorted array; each lane is an array consumed from a head index, so a pop allocates nothing.
 */

export interface Prioritised {
  readonly segments: number;
  readonly priority: number;
}

interface Lane<T> {
  readonly priority: number;
  items: T[];
  head: number;
}

/** A consumed prefix longer than this (and than the live part) is cut off, to bound memory. */
const compactAfter = 1024;

export class PriorityBacklog<T extends Prioritised> {
  private readonly lanes: Lane<T>[] = [];
  private count = 0;
  private segmentCount = 0;

  get size(): number {
    return this.count;
  }

  get segments(): number {
    return this.segmentCount;
  }

  push(item: T): void {
    this.laneFor(item.priority).items.push(item);
    this.count += 1;
    this.segmentCount += item.segments;
  }

  /** The next message to send; undefined when empty. */
  peek(): T | undefined {
    for (const lane of this.lanes) {
      if (lane.head < lane.items.length) return lane.items[lane.head];
    }
    return undefined;
  }

  shift(): T | undefined {
    for (const lane of this.lanes) {
      if (lane.head >= lane.items.length) continue;
      const item = lane.items[lane.head] as T;
      lane.head += 1;
      if (lane.head === lane.items.length) {
        lane.items.length = 0;
        lane.head = 0;
      } else if (lane.head > compactAfter && lane.head * 2 > lane.items.length) {
        lane.items = lane.items.slice(lane.head);
        lane.head = 0;
      }
      this.count -= 1;
      this.segmentCount -= item.segments;
      return item;
    }
    return undefined;
  }

  /** Empties the backlog, returning what waited in sending order. */
  takeAll(): T[] {
    const all: T[] = [];
    for (const lane of this.lanes) {
      for (let i = lane.head; i < lane.items.length; i += 1) all.push(lane.items[i] as T);
      lane.items.length = 0;
      lane.head = 0;
    }
    this.count = 0;
    this.segmentCount = 0;
    return all;
  }

  private laneFor(priority: number): Lane<T> {
    let index = 0;
    while (index < this.lanes.length) {
      const lane = this.lanes[index] as Lane<T>;
      if (lane.priority === priority) return lane;
      if (lane.priority > priority) break;
      index += 1;
    }
    const lane: Lane<T> = { priority, items: [], head: 0 };
    this.lanes.splice(index, 0, lane);
    return lane;
  }
}
