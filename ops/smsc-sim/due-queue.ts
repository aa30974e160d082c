/**
 * Items due after a fixed delay, released in batches: one timer per tick drains everything due,
 * instead of one setTimeout per item. Items must be added in due-time order (a constant delay does that).
 */
import { Fifo } from './fifo.js';

export class DueQueue<T> {
  private readonly queue = new Fifo<{ dueAtMs: number; item: T }>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly onDue: (items: T[]) => void,
    private readonly tickMs: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  add(dueAtMs: number, item: T): void {
    if (this.closed) return;
    this.queue.push({ dueAtMs, item });
    if (!this.timer) this.schedule(dueAtMs - this.now());
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.drain();
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.release(), Math.max(delayMs, this.tickMs));
  }

  private release(): void {
    this.timer = undefined;
    const now = this.now();
    const due: T[] = [];
    for (let head = this.queue.peek(); head && head.dueAtMs <= now; head = this.queue.peek()) {
      due.push(head.item);
      this.queue.shift();
    }
    const next = this.queue.peek();
    if (next) this.schedule(next.dueAtMs - now);
    if (due.length > 0) this.onDue(due);
  }
}
