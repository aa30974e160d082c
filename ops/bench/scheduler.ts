/**
 * Fair scheduler decisions per second, all clients backlogged (the worst case: every decision scans
 * them all). Sent messages are enqueued again, so the figure is the scheduler's alone.
 * Run: npx tsc -p . && node dist/ops/bench/scheduler.js
 */
import { FairScheduler, type ScheduledItem } from '../../daemon/dispatch/fair-scheduler.js';

const reservations = [0, 20, 50, 100, 200];
const decisionsPerRun = 2_000_000;

function run(clientCount: number): { decisionsPerSecond: number; segmentsPerSecond: number } {
  const scheduler = new FairScheduler({ capacityTps: 1e9 });
  const items: ScheduledItem[] = [];
  for (let c = 0; c < clientCount; c += 1) {
    const clientId = `client-${c}`;
    scheduler.setClient(clientId, { reservedTps: reservations[c % reservations.length] ?? 0 });
    for (let m = 0; m < 20; m += 1) {
      items.push({ id: `${clientId}-${m}`, clientId, segments: 1 + (m % 3), priority: m % 5 === 0 ? 0 : 1, enqueuedAt: 0 });
    }
  }
  scheduler.enqueue(items);
  let decisions = 0;
  let segments = 0;
  let now = 0;
  const started = process.hrtime.bigint();
  while (decisions < decisionsPerRun) {
    now += 1;
    const sent = scheduler.next(now, 64);
    decisions += sent.length;
    for (const item of sent) segments += item.segments;
    scheduler.enqueue(sent);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { decisionsPerSecond: decisions / seconds, segmentsPerSecond: segments / seconds };
}

console.log('clients  decisions/s  segments/s');
for (const clientCount of [3, 30, 300]) {
  const { decisionsPerSecond, segmentsPerSecond } = run(clientCount);
  console.log(
    `${String(clientCount).padStart(7)}  ${Math.round(decisionsPerSecond).toString().padStart(11)}  ${Math.round(segmentsPerSecond).toString().padStart(10)}`,
  );
}
